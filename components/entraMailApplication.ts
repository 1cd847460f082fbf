/**
 * The Entra ID side: app registration, enterprise application (service principal), admin consent and client
 * secret, as the portal steps of the vendor guides create them by hand.
 */
import * as azuread from "@pulumi/azuread";
import * as pulumi from "@pulumi/pulumi";
import { AccessPlan, Permission } from "./accessPlan";
import { exchangeOnline, microsoftGraph } from "./microsoftIds";
import { SecretExpiry } from "./secretExpiry";
import { SignInAudience } from "./stackConfig";

export interface EntraMailApplicationArgs {
    displayName: string;
    signInAudience: SignInAudience;
    /** Which roles, scopes and redirect URIs: decided by `planAccess`. */
    plan: Pick<AccessPlan, "appRoles" | "delegatedScopes" | "requiredResourceAccesses" | "redirectUris">;
    secretLifetimeDays: number;
    /** Changing it makes a new secret (rotation by stack update). */
    secretRotation: string;
    /** Object ID of the deploying identity, made owner so it can manage the app afterwards. */
    ownerObjectId: pulumi.Input<string>;
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
    public readonly clientSecret: azuread.ApplicationPassword;

    public readonly clientId: pulumi.Output<string>;
    public readonly servicePrincipalObjectId: pulumi.Output<string>;
    public readonly clientSecretValue: pulumi.Output<string>;
    public readonly clientSecretKeyId: pulumi.Output<string>;
    public readonly clientSecretExpiresAt: pulumi.Output<string>;

    constructor(name: string, args: EntraMailApplicationArgs, opts?: pulumi.ComponentResourceOptions) {
        super("m365-mail-oauth:entra:MailApplication", name, {}, opts);
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
            { parent: this },
        );

        // The enterprise application: its object ID is what Exchange Online's New-ServicePrincipal wants.
        this.servicePrincipal = new azuread.ServicePrincipal(
            name,
            { clientId: this.application.clientId, owners },
            { parent: this },
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

        const expiry = new SecretExpiry(
            `${name}-secret-expiry`,
            { lifetimeDays: args.secretLifetimeDays, rotation: args.secretRotation },
            { parent: this },
        );
        this.clientSecret = new azuread.ApplicationPassword(
            `${name}-secret`,
            {
                applicationId: this.application.id,
                displayName: pulumi.interpolate`${args.displayName} (pulumi, rotation ${args.secretRotation})`,
                endDate: expiry.expiresAt,
            },
            { parent: this, additionalSecretOutputs: ["value"] },
        );

        this.clientId = this.application.clientId;
        this.servicePrincipalObjectId = this.servicePrincipal.objectId;
        this.clientSecretValue = pulumi.secret(this.clientSecret.value);
        this.clientSecretKeyId = this.clientSecret.keyId;
        this.clientSecretExpiresAt = this.clientSecret.endDate;

        this.registerOutputs({
            clientId: this.clientId,
            servicePrincipalObjectId: this.servicePrincipalObjectId,
            clientSecretKeyId: this.clientSecretKeyId,
            clientSecretExpiresAt: this.clientSecretExpiresAt,
        });
    }
}
