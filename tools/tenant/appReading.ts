/**
 * What Microsoft Graph holds for one app registration, as `npm run adopt` (and the readiness check) read it: the
 * shapes, and the pure interpretation of Graph's answers into them. The reads themselves are in graphApp.ts.
 *
 * Never a credential's value: a password credential is its key ID, display name and dates (Graph's
 * `passwordCredential` resource returns `secretText` only from `addPassword`, and `hint` is left out here too).
 */
import { exchangeOnline, microsoftGraph } from "../../facts/microsoft";

type Json = Record<string, any>;

export interface CredentialReading {
    readonly keyId: string;
    readonly displayName: string | null;
    readonly startDateTime: string | null;
    readonly endDateTime: string | null;
}

export interface KeyCredentialReading extends CredentialReading {
    readonly type: string | null;
    readonly usage: string | null;
}

/** One app role assignment held by the app's service principal (application permission with admin consent). */
export interface RoleAssignmentReading {
    readonly id: string;
    readonly appRoleId: string;
    /** The role's value (`IMAP.AccessAsApp`), from the resource's service principal; the ID where it defines none. */
    readonly roleName: string;
    readonly resourceId: string;
    /** The resource's app ID (Exchange Online, Microsoft Graph, …) and display name. */
    readonly resourceAppId: string;
    readonly resourceDisplayName: string;
}

/** One delegated permission grant whose client is the app's service principal. */
export interface DelegatedGrantReading {
    readonly id: string;
    readonly resourceId: string;
    readonly resourceAppId: string;
    /** `AllPrincipals` (admin consent for everyone) or `Principal` (one user's consent). */
    readonly consentType: string;
    readonly principalId: string | null;
    readonly scopes: readonly string[];
}

export interface OwnerReading {
    readonly id: string;
    readonly displayName: string | null;
    /** `#microsoft.graph.user`, `#microsoft.graph.servicePrincipal`, … */
    readonly type: string | null;
}

export interface AppReading {
    readonly application: {
        readonly objectId: string;
        readonly clientId: string;
        readonly displayName: string;
        readonly signInAudience: string;
        readonly webRedirectUris: readonly string[];
        readonly publicClientRedirectUris: readonly string[];
        readonly spaRedirectUris: readonly string[];
        /** The "API permissions" list: requested, consented or not. */
        readonly requiredResourceAccess: readonly { readonly resourceAppId: string; readonly resourceAccess: readonly { id: string; type: string }[] }[];
        readonly passwordCredentials: readonly CredentialReading[];
        readonly keyCredentials: readonly KeyCredentialReading[];
        readonly owners: readonly OwnerReading[];
    };
    /** The enterprise application; absent when none was made (the app cannot sign in then). */
    readonly servicePrincipal?: {
        readonly objectId: string;
        readonly displayName: string;
        readonly accountEnabled: boolean;
        readonly appRoleAssignmentRequired: boolean;
        readonly owners: readonly OwnerReading[];
    };
    readonly appRoleAssignments: readonly RoleAssignmentReading[];
    readonly delegatedGrants: readonly DelegatedGrantReading[];
    /** The tenant's Exchange Online and Microsoft Graph service principals' object IDs, where present. */
    readonly exchangeServicePrincipalId?: string;
    readonly graphServicePrincipalId?: string;
}

/** Which app to read: by its client ID, or by its display name (which must name exactly one). */
export type AppSelector = { readonly clientId: string } | { readonly displayName: string };

export function describeSelector(selector: AppSelector): string {
    return "clientId" in selector ? `client ID ${selector.clientId}` : `display name "${selector.displayName}"`;
}

/**
 * The one application Graph's list answer holds for the selector, or the problem: none, or (by display name,
 * which Entra ID does not keep unique) several, each listed so the user can pick one by its client ID.
 */
export function chooseApplication(selector: AppSelector, found: readonly Json[]): Json | string {
    if (found.length === 1) return found[0];
    if (found.length === 0) return `no app registration with ${describeSelector(selector)} in this tenant`;
    const listed = found.map((app) => `  - "${app.displayName}": client ID ${app.appId}, object ID ${app.id}`).join("\n");
    return `${found.length} app registrations have ${describeSelector(selector)}; choose one with --client-id:\n${listed}`;
}

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : []);

function credential(raw: Json): CredentialReading {
    return { keyId: String(raw.keyId), displayName: raw.displayName ?? null, startDateTime: raw.startDateTime ?? null, endDateTime: raw.endDateTime ?? null };
}

export function ownerReading(raw: Json): OwnerReading {
    return { id: String(raw.id), displayName: raw.displayName ?? null, type: raw["@odata.type"] ?? null };
}

/** The application object of Graph's answer, without anything secret. */
export function applicationReading(raw: Json, owners: readonly Json[]): AppReading["application"] {
    return {
        objectId: String(raw.id),
        clientId: String(raw.appId),
        displayName: String(raw.displayName ?? ""),
        signInAudience: String(raw.signInAudience ?? "AzureADMyOrg"),
        webRedirectUris: strings(raw.web?.redirectUris),
        publicClientRedirectUris: strings(raw.publicClient?.redirectUris),
        spaRedirectUris: strings(raw.spa?.redirectUris),
        requiredResourceAccess: (Array.isArray(raw.requiredResourceAccess) ? raw.requiredResourceAccess : []).map((api: Json) => ({
            resourceAppId: String(api.resourceAppId),
            resourceAccess: (Array.isArray(api.resourceAccess) ? api.resourceAccess : []).map((entry: Json) => ({
                id: String(entry.id),
                type: String(entry.type),
            })),
        })),
        passwordCredentials: (Array.isArray(raw.passwordCredentials) ? raw.passwordCredentials : []).map(credential),
        keyCredentials: (Array.isArray(raw.keyCredentials) ? raw.keyCredentials : []).map((key: Json) => ({
            ...credential(key),
            type: key.type ?? null,
            usage: key.usage ?? null,
        })),
        owners: owners.map(ownerReading),
    };
}

/** Names an app role of a resource by its value, from the resource service principal's `appRoles` (or the published IDs). */
export function roleName(resource: Json | undefined, appRoleId: string): string {
    const defined = (Array.isArray(resource?.appRoles) ? resource.appRoles : []).find((role: Json) => role.id === appRoleId);
    if (defined?.value) return String(defined.value);
    const published = Object.entries(exchangeOnline.appRoles).find(([, id]) => id === appRoleId);
    return published ? published[0] : appRoleId;
}

export function roleAssignmentReading(raw: Json, resource: Json | undefined): RoleAssignmentReading {
    return {
        id: String(raw.id),
        appRoleId: String(raw.appRoleId),
        roleName: roleName(resource, String(raw.appRoleId)),
        resourceId: String(raw.resourceId),
        resourceAppId: String(resource?.appId ?? ""),
        resourceDisplayName: String(raw.resourceDisplayName ?? resource?.displayName ?? ""),
    };
}

export function delegatedGrantReading(raw: Json, resource: Json | undefined): DelegatedGrantReading {
    return {
        id: String(raw.id),
        resourceId: String(raw.resourceId),
        resourceAppId: String(resource?.appId ?? ""),
        consentType: String(raw.consentType ?? "AllPrincipals"),
        principalId: raw.principalId ?? null,
        scopes: String(raw.scope ?? "")
            .split(/\s+/)
            .filter(Boolean),
    };
}

/** Whether an assignment is one of Exchange Online's roles for IMAP, POP or SMTP. */
export function isMailProtocolRole(assignment: RoleAssignmentReading): boolean {
    return assignment.resourceAppId === exchangeOnline.appId && Object.values(exchangeOnline.appRoles).includes(assignment.appRoleId as never);
}

export const firstPartyApis = { exchangeOnline: exchangeOnline.appId, microsoftGraph: microsoftGraph.appId } as const;
