/**
 * The Entra ID side: app registration, enterprise application (service principal), admin consent and client
 * secret, as the portal steps of the vendor guides create them by hand.
 */
import * as azuread from "@pulumi/azuread";
import * as pulumi from "@pulumi/pulumi";
import { AccessPlan, Permission } from "../../plan/accessPlan";
import { exchangeOnline, microsoftGraph } from "../../facts/microsoft";
import { PublicCertificate } from "../../config/certificateCredential";
import { SecretExpiry } from "./secretExpiry";
import { SecretSlot, SecretSlots, SlotName } from "../../plan/secretRotation";
import { SecretRotationGuard } from "./secretRotationGuard";
import { SignInAudience } from "../../config/choices";
import { componentTypes } from "../../facts/project";

export interface EntraMailApplicationArgs {
    displayName: string;
    signInAudience: SignInAudience;
    /** Which roles, scopes and redirect URIs: decided by `planAccess`. */
    plan: Pick<AccessPlan, "appRoles" | "delegatedScopes" | "requiredResourceAccesses" | "redirectUris">;
    secretLifetimeDays: number;
    /** The current and previous secret (`secretSlots`); absent: no client secret at all. */
    secretSlots?: SecretSlots;
    /** A public certificate to add as a credential. */
    certificate?: PublicCertificate;
    /**
     * Owners from config; absent: the deploying identity, set when the app is created and then left alone, so a
     * preview or update by someone else never removes the first owner.
     */
    owners?: readonly string[];
    /** Object ID of the deploying identity. */
    deployerObjectId: pulumi.Input<string>;
    /**
     * Protect the app registration and its service principal, which no update replaces. The rest is guarded by the
     * stack's destroy guard: protected, they could not be rotated, replaced or removed (components/destroyGuard.ts).
     */
    protect?: boolean;
}

/** One client secret and the date it was fixed to expire on. */
export interface SecretSlotResources {
    readonly slot: SlotName;
    readonly rotation: number;
    readonly password: azuread.ApplicationPassword;
}

/** A slot's secret is named by its rotation alone: the app's name is not in it, so a rename replaces nothing. */
export function secretDisplayName(rotation: number): string {
    return `client secret, rotation ${rotation} (pulumi)`;
}

/**
 * Checks the tenant's copy of a Microsoft API against the published permission IDs, so that a permission that
 * would not work is reported by name instead of as an opaque Graph error.
 */
export function publishedIdsProblem(apiName: string, published: readonly Permission[], tenantIds: Record<string, string> | undefined): string | undefined {
    const wrong = published.filter((permission) => tenantIds?.[permission.name] !== permission.id);
    if (wrong.length === 0) {
        return undefined;
    }
    return (
        `${apiName} in this tenant does not define ${wrong.map((p) => `${p.name} (${p.id})`).join(", ")} ` +
        "as Microsoft publishes it; the tenant may be a sovereign cloud this project does not support yet."
    );
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
        const owners = args.owners ? [...args.owners] : [args.deployerObjectId];
        // Without configured owners the deployer becomes owner once; later deployers never churn the list.
        const ownerOptions: pulumi.CustomResourceOptions = args.owners ? {} : { ignoreChanges: ["owners"] };
        const neverReplaced: pulumi.CustomResourceOptions = { parent: this, protect: args.protect === true, ...ownerOptions };

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
            neverReplaced,
        );

        // The enterprise application: its object ID is what Exchange Online's New-ServicePrincipal wants.
        this.servicePrincipal = new azuread.ServicePrincipal(name, { clientId: this.application.clientId, owners }, neverReplaced);

        // Admin consent for application permissions = one app role assignment per role on the tenant's own
        // Office 365 Exchange Online service principal, looked up by Microsoft's well-known app ID.
        this.appRoleAssignments = [];
        if (plan.appRoles.length > 0) {
            const exchange = azuread.getServicePrincipalOutput({ clientId: exchangeOnline.appId }, { parent: this });
            const exchangeObjectId = exchange.apply((sp) => {
                const problem = publishedIdsProblem("Office 365 Exchange Online", plan.appRoles, sp.appRoleIds);
                if (problem !== undefined) {
                    // The failure belongs to this component: Pulumi shows it on the resource, without a stack trace.
                    throw new pulumi.ResourceError(problem, this);
                }
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
                        // After the enterprise application exists: assigning to a principal Entra ID has not made
                        // yet makes the provider retry, which can leave an assignment in Entra ID but not in state.
                        { parent: this, dependsOn: [this.servicePrincipal] },
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
                        const problem = publishedIdsProblem("Microsoft Graph", plan.delegatedScopes, sp.oauth2PermissionScopeIds);
                        if (problem !== undefined) {
                            throw new pulumi.ResourceError(problem, this);
                        }
                        return sp.objectId;
                    }),
                    claimValues: plan.delegatedScopes.map((scope) => scope.name),
                },
                { parent: this },
            );
        }

        // Two slots at most: the current secret and the one before it (see plan/secretRotation.ts). Every input of a
        // slot's secret depends on its rotation number only, so nothing but a rotation replaces it.
        this.secrets = [];
        if (args.secretSlots) {
            const guard = new SecretRotationGuard(`${name}-secret-rotation`, { rotation: args.secretSlots.current.rotation }, { parent: this });
            for (const { slot, rotation } of [args.secretSlots.current, args.secretSlots.previous].filter((s): s is SecretSlot => s !== undefined)) {
                const expiry = new SecretExpiry(
                    `${name}-secret-${slot}-expiry`,
                    { lifetimeDays: args.secretLifetimeDays, rotation },
                    { parent: this, dependsOn: [guard] },
                );
                const password = new azuread.ApplicationPassword(
                    `${name}-secret-${slot}`,
                    {
                        applicationId: this.application.id,
                        displayName: secretDisplayName(rotation),
                        endDate: expiry.expiresAt,
                        rotateWhenChanged: { rotation: String(rotation) },
                    },
                    { parent: this, dependsOn: [guard], additionalSecretOutputs: ["value"] },
                );
                this.secrets.push({ slot, rotation, password });
            }
            this.current = this.secrets.find((secret) => secret.rotation === args.secretSlots!.current.rotation);
            this.previous = this.secrets.find((secret) => secret.rotation === args.secretSlots!.previous?.rotation);
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
