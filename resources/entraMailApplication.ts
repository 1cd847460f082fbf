/**
 * The Entra ID side: app registration, enterprise application (service principal), admin consent and client
 * secret, as the portal steps of the vendor guides create them by hand.
 */
import * as azuread from "@pulumi/azuread";
import * as pulumi from "@pulumi/pulumi";
import { AccessPlan, Permission } from "../plan/accessPlan";
import { exchangeOnline, microsoftGraph } from "../facts/microsoft";
import { PublicCertificate } from "../config/certificateCredential";
import { SecretExpiry } from "./secretExpiry";
import { SecretSlots, SlotName, previousSlot } from "../plan/secretRotation";
import { SignInAudience } from "../config/schema";
import { componentTypes } from "../facts/project";

export interface EntraMailApplicationArgs {
    displayName: string;
    signInAudience: SignInAudience;
    /** Which roles, scopes and redirect URIs: decided by `planAccess`. */
    plan: Pick<AccessPlan, "appRoles" | "delegatedScopes" | "requiredResourceAccesses" | "redirectUris">;
    secretLifetimeDays: number;
    /** Which rotation label each secret slot holds (`decideSecretSlots`); absent: no client secret at all. */
    secretSlots?: SecretSlots;
    /** A public certificate to add as a credential. */
    certificate?: PublicCertificate;
    /** Object ID of the deploying identity, made owner so it can manage the app afterwards. */
    ownerObjectId: pulumi.Input<string>;
    /** Protects the app registration and service principal from an accidental destroy. */
    protect: boolean;
}

/** One client secret and the date it was fixed to expire on. */
export interface SecretSlotResources {
    readonly slot: SlotName;
    readonly rotation: string;
    readonly password: azuread.ApplicationPassword;
}

/**
 * Checks the tenant's copy of a Microsoft API against the published permission IDs, so that a permission that
 * would not work is reported by name instead of as an opaque Graph error.
 */
export function checkPublishedIds(
    apiName: string,
    published: readonly Permission[],
    tenantIds: Record<string, string> | undefined,
): void {
    const wrong = published.filter((permission) => tenantIds?.[permission.name] !== permission.id);
    if (wrong.length > 0) {
        throw new Error(
            `${apiName} in this tenant does not define ${wrong.map((p) => `${p.name} (${p.id})`).join(", ")} ` +
                "as Microsoft publishes it; the tenant may be a sovereign cloud this project does not support yet.",
        );
    }
}

export class EntraMailApplication extends pulumi.ComponentResource {
    public readonly application: azuread.Application;
    public readonly servicePrincipal: azuread.ServicePrincipal;
    public readonly appRoleAssignments: azuread.AppRoleAssignment[];
    public readonly delegatedConsent?: azuread.ServicePrincipalDelegatedPermissionGrant;
    public readonly secrets: SecretSlotResources[];
    public readonly certificate?: azuread.ApplicationCertificate;

    public readonly clientId: pulumi.Output<string>;
    public readonly servicePrincipalObjectId: pulumi.Output<string>;
    /** The current secret (the newest slot); undefined without secret credentials. */
    public readonly current?: SecretSlotResources;
    /** The secret before it, still valid until the next rotation. */
    public readonly previous?: SecretSlotResources;

    constructor(name: string, args: EntraMailApplicationArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentTypes.mailApplication, name, {}, opts);
        const { plan } = args;
        const owners = [args.ownerObjectId];

        this.application = new azuread.Application(
            name,
            {
                displayName: args.displayName,
                signInAudience: args.signInAudience,
                owners,
                requiredResourceAccesses: plan.requiredResourceAccesses.map((access) => ({
                    resourceAppId: access.resourceAppId,
                    resourceAccesses: access.resourceAccesses.map((entry) => ({ id: entry.id, type: entry.type })),
                })),
                web: plan.redirectUris.length > 0 ? { redirectUris: [...plan.redirectUris] } : undefined,
            },
            { parent: this, protect: args.protect },
        );

        // The enterprise application: its object ID is what Exchange Online's New-ServicePrincipal wants.
        this.servicePrincipal = new azuread.ServicePrincipal(
            name,
            { clientId: this.application.clientId, owners },
            { parent: this, protect: args.protect },
        );

        // Admin consent for application permissions = one app role assignment per role on the tenant's own
        // Office 365 Exchange Online service principal, looked up by Microsoft's well-known app ID.
        this.appRoleAssignments = [];
        if (plan.appRoles.length > 0) {
            const exchange = azuread.getServicePrincipalOutput({ clientId: exchangeOnline.appId }, { parent: this });
            const exchangeObjectId = exchange.apply((sp) => {
                checkPublishedIds("Office 365 Exchange Online", plan.appRoles, sp.appRoleIds);
                return sp.objectId;
            });
            for (const role of plan.appRoles) {
                this.appRoleAssignments.push(
                    new azuread.AppRoleAssignment(
                        `${name}-${role.name}`,
                        {
                            appRoleId: role.id,
                            principalObjectId: this.servicePrincipal.objectId,
                            resourceObjectId: exchangeObjectId,
                        },
                        { parent: this },
                    ),
                );
            }
        }

        // Admin consent for delegated scopes = one tenant-wide (all users) grant on Microsoft Graph.
        if (plan.delegatedScopes.length > 0) {
            const graph = azuread.getServicePrincipalOutput({ clientId: microsoftGraph.appId }, { parent: this });
            this.delegatedConsent = new azuread.ServicePrincipalDelegatedPermissionGrant(
                `${name}-graph-consent`,
                {
                    servicePrincipalObjectId: this.servicePrincipal.objectId,
                    resourceServicePrincipalObjectId: graph.apply((sp) => {
                        checkPublishedIds("Microsoft Graph", plan.delegatedScopes, sp.oauth2PermissionScopeIds);
                        return sp.objectId;
                    }),
                    claimValues: plan.delegatedScopes.map((scope) => scope.name),
                },
                { parent: this },
            );
        }

        // Two slots at most: the current secret and the one before it (see secretRotation.ts). A slot's secret is
        // replaced only when its rotation label changes; its end date is fixed when it is made.
        this.secrets = [];
        for (const slot of ["a", "b"] as const) {
            const rotation = args.secretSlots?.[slot];
            if (rotation === undefined) {
                continue;
            }
            const expiry = new SecretExpiry(
                `${name}-secret-${slot}-expiry`,
                { lifetimeDays: args.secretLifetimeDays, rotation },
                { parent: this },
            );
            const password = new azuread.ApplicationPassword(
                `${name}-secret-${slot}`,
                {
                    applicationId: this.application.id,
                    displayName: `${args.displayName} (pulumi slot ${slot}, rotation ${rotation})`,
                    endDate: expiry.expiresAt,
                    rotateWhenChanged: { rotation },
                },
                { parent: this, additionalSecretOutputs: ["value"] },
            );
            this.secrets.push({ slot, rotation, password });
        }
        if (args.secretSlots) {
            const slots = args.secretSlots;
            this.current = this.secrets.find((secret) => secret.slot === slots.current);
            this.previous = this.secrets.find((secret) => secret.slot === previousSlot(slots));
        }

        if (args.certificate) {
            this.certificate = new azuread.ApplicationCertificate(
                `${name}-certificate`,
                {
                    applicationId: this.application.id,
                    type: "AsymmetricX509Cert",
                    encoding: args.certificate.encoding,
                    value: args.certificate.value,
                    startDate: args.certificate.startDate,
                    endDate: args.certificate.endDate,
                },
                { parent: this },
            );
        }

        this.clientId = this.application.clientId;
        this.servicePrincipalObjectId = this.servicePrincipal.objectId;

        this.registerOutputs({
            clientId: this.clientId,
            servicePrincipalObjectId: this.servicePrincipalObjectId,
            currentSecretKeyId: this.current?.password.keyId,
            previousSecretKeyId: this.previous?.password.keyId,
        });
    }
}
