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
import { LegacySecretRetirement } from "./legacySecretRetirement";
import { SignInAudience } from "../../config/choices";
import { componentTypes } from "../../facts/project";

export interface EntraMailApplicationArgs {
    displayName: string;
    signInAudience: SignInAudience;
    /** Which roles, scopes and redirect URIs: decided by `planAccess`. */
    access: Pick<AccessPlan, "appRoles" | "delegatedScopes" | "requiredResourceAccesses" | "redirectUris">;
    secretLifetimeDays: number;
    /** The current and previous secret (`secretSlots`); absent: no client secret at all. */
    secretSlots?: SecretSlots;
    /**
     * `legacySecretsRetired`: key IDs of secrets made by hand, removed once the stack's own credentials exist, with
     * the deployer's Graph sign-in (legacySecretRetirement.ts `retirementSignIn`).
     */
    legacySecrets?: { readonly keyIds: readonly string[]; readonly signIn: pulumi.Inputs };
    /** A public certificate to add as a credential. */
    certificate?: PublicCertificate;
    /**
     * Owners from config; absent: the deploying identity, set when the app is created and then left alone, so a
     * preview or update by someone else never removes the first owner.
     */
    owners?: readonly string[];
    /**
     * The enterprise application's sign-in switch and assignment requirement. The provider sends both on every
     * update of the service principal, so they are declared rather than left to its defaults.
     */
    enterpriseApplication: { readonly accountEnabled: boolean; readonly appRoleAssignmentRequired: boolean };
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

/** The resource name of the admin consent to one application permission (app role). */
export function appRoleConsentName(name: string, roleName: string): string {
    return `${name}-${roleName}`;
}

/** The resource name of the tenant-wide consent to the delegated scopes. */
export function delegatedConsentName(name: string): string {
    return `${name}-graph-consent`;
}

/** The resource name of the retirement of one hand-made secret: the key ID in it, so each is its own resource. */
export function legacySecretRetirementName(name: string, keyId: string): string {
    return `${name}-legacy-secret-${keyId}`;
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
    public readonly legacySecretRetirements: LegacySecretRetirement[];

    public readonly clientId: pulumi.Output<string>;
    public readonly servicePrincipalObjectId: pulumi.Output<string>;
    /** The current secret (the newest slot); undefined without secret credentials. */
    public readonly current?: SecretSlotResources;
    /** The secret before it, still valid until the next rotation. */
    public readonly previous?: SecretSlotResources;

    constructor(name: string, args: EntraMailApplicationArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentTypes.mailApplication, name, {}, opts);
        const owners = args.owners ? [...args.owners] : [args.deployerObjectId];
        // Without configured owners the deployer becomes owner once; later deployers never churn the list.
        const ownerOptions: pulumi.CustomResourceOptions = args.owners ? {} : { ignoreChanges: ["owners"] };
        const neverReplaced: pulumi.CustomResourceOptions = { parent: this, protect: args.protect === true, ...ownerOptions };

        this.application = this.registerApplication(name, args, owners, neverReplaced);
        // The enterprise application: its object ID is what Exchange Online's New-ServicePrincipal wants.
        this.servicePrincipal = new azuread.ServicePrincipal(
            name,
            {
                clientId: this.application.clientId,
                owners,
                accountEnabled: args.enterpriseApplication.accountEnabled,
                appRoleAssignmentRequired: args.enterpriseApplication.appRoleAssignmentRequired,
            },
            neverReplaced,
        );
        this.appRoleAssignments = this.consentToAppRoles(name, args.access.appRoles);
        this.delegatedConsent = this.grantDelegatedScopes(name, args.access.delegatedScopes);
        this.secrets = args.secretSlots ? this.secretsFor(name, args.secretSlots, args.secretLifetimeDays) : [];
        this.current = this.secrets.find((secret) => secret.rotation === args.secretSlots?.current.rotation);
        this.previous = this.secrets.find((secret) => secret.rotation === args.secretSlots?.previous?.rotation);
        this.certificate = args.certificate ? this.uploadCertificate(name, args.certificate) : undefined;
        this.legacySecretRetirements = args.legacySecrets ? this.retireLegacySecrets(name, args.legacySecrets) : [];

        this.clientId = this.application.clientId;
        this.servicePrincipalObjectId = this.servicePrincipal.objectId;

        this.registerOutputs({
            clientId: this.clientId,
            servicePrincipalObjectId: this.servicePrincipalObjectId,
            currentSecretKeyId: this.current?.password.keyId,
            previousSecretKeyId: this.previous?.password.keyId,
        });
    }

    /** The app registration with the API permissions and redirect URIs the access plan decided. */
    private registerApplication(
        name: string,
        args: EntraMailApplicationArgs,
        owners: pulumi.Input<string>[],
        options: pulumi.CustomResourceOptions,
    ): azuread.Application {
        return new azuread.Application(
            name,
            {
                displayName: args.displayName,
                signInAudience: args.signInAudience,
                owners,
                requiredResourceAccesses: args.access.requiredResourceAccesses.map((api) => ({
                    resourceAppId: api.resourceAppId,
                    resourceAccesses: api.resourceAccesses.map((entry) => ({ id: entry.id, type: entry.type })),
                })),
                web: args.access.redirectUris.length > 0 ? { redirectUris: [...args.access.redirectUris] } : undefined,
            },
            options,
        );
    }

    /**
     * The object ID of a Microsoft API's service principal in this tenant, looked up by its well-known app ID,
     * after checking the tenant defines the published permission IDs.
     */
    private microsoftApi(
        apiName: string,
        appId: string,
        published: readonly Permission[],
        tenantIds: (sp: azuread.GetServicePrincipalResult) => Record<string, string>,
    ): pulumi.Output<string> {
        return azuread.getServicePrincipalOutput({ clientId: appId }, { parent: this }).apply((sp) => {
            const problem = publishedIdsProblem(apiName, published, tenantIds(sp));
            if (problem !== undefined) {
                // The failure belongs to this component: Pulumi shows it on the resource, without a stack trace.
                throw new pulumi.ResourceError(problem, this);
            }
            return sp.objectId;
        });
    }

    /**
     * Admin consent for application permissions = one app role assignment per role on the tenant's own Office 365
     * Exchange Online service principal.
     */
    private consentToAppRoles(name: string, appRoles: readonly Permission[]): azuread.AppRoleAssignment[] {
        if (appRoles.length === 0) {
            return [];
        }
        const exchangeObjectId = this.microsoftApi("Office 365 Exchange Online", exchangeOnline.appId, appRoles, (sp) => sp.appRoleIds);
        return appRoles.map(
            (role) =>
                new azuread.AppRoleAssignment(
                    appRoleConsentName(name, role.name),
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

    /** Admin consent for delegated scopes = one tenant-wide (all users) grant on Microsoft Graph. */
    private grantDelegatedScopes(name: string, scopes: readonly Permission[]): azuread.ServicePrincipalDelegatedPermissionGrant | undefined {
        if (scopes.length === 0) {
            return undefined;
        }
        return new azuread.ServicePrincipalDelegatedPermissionGrant(
            delegatedConsentName(name),
            {
                servicePrincipalObjectId: this.servicePrincipal.objectId,
                resourceServicePrincipalObjectId: this.microsoftApi("Microsoft Graph", microsoftGraph.appId, scopes, (sp) => sp.oauth2PermissionScopeIds),
                claimValues: scopes.map((scope) => scope.name),
            },
            { parent: this },
        );
    }

    /**
     * Two slots at most: the current secret and the one before it (see plan/secretRotation.ts). Every input of a
     * slot's secret depends on its rotation number only, so nothing but a rotation replaces it.
     */
    private secretsFor(name: string, slots: SecretSlots, lifetimeDays: number): SecretSlotResources[] {
        const guard = new SecretRotationGuard(
            `${name}-secret-rotation`,
            { rotation: slots.current.rotation, ...(slots.retiredThrough !== undefined ? { retiredThrough: slots.retiredThrough } : {}) },
            { parent: this },
        );
        return [slots.current, slots.previous]
            .filter((s): s is SecretSlot => s !== undefined)
            .map(({ slot, rotation }) => {
                const expiry = new SecretExpiry(`${name}-secret-${slot}-expiry`, { lifetimeDays, rotation }, { parent: this, dependsOn: [guard] });
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
                return { slot, rotation, password };
            });
    }

    /**
     * One retirement per hand-made secret, after the stack's own secrets and certificate exist: the update that adds
     * the stack's secret never takes away the one the mail client still uses unless the config says so.
     */
    private retireLegacySecrets(name: string, legacy: NonNullable<EntraMailApplicationArgs["legacySecrets"]>): LegacySecretRetirement[] {
        const own = [...this.secrets.map((secret) => secret.password), ...(this.certificate ? [this.certificate] : [])];
        return legacy.keyIds.map(
            (keyId) =>
                new LegacySecretRetirement(
                    legacySecretRetirementName(name, keyId),
                    {
                        applicationObjectId: this.application.objectId,
                        keyId,
                        stackSecretKeyIds: this.secrets.map((secret) => secret.password.keyId),
                        ...legacy.signIn,
                    },
                    { parent: this, dependsOn: own },
                ),
        );
    }

    private uploadCertificate(name: string, certificate: PublicCertificate): azuread.ApplicationCertificate {
        return new azuread.ApplicationCertificate(
            `${name}-certificate`,
            {
                applicationId: this.application.id,
                type: "AsymmetricX509Cert",
                encoding: certificate.encoding,
                value: certificate.value,
                startDate: certificate.startDate,
                endDate: certificate.endDate,
            },
            { parent: this },
        );
    }
}
