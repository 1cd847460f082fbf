/**
 * What the deploying identity needs in Entra ID to make the app, its service principal and its consents: the
 * Microsoft Graph application permissions (when it signs in as an app, as in CI) or the Entra ID built-in roles
 * (when it is a person, or an app holding a role) that allow each step.
 *
 * Permission IDs: Microsoft Graph permissions reference (https://learn.microsoft.com/graph/permissions-reference),
 * the same in every tenant. Role template IDs and what each role may consent to: "Microsoft Entra built-in roles"
 * (MicrosoftDocs/entra-docs, docs/identity/role-based-access-control/permissions-reference.md): Application
 * Administrator and Cloud Application Administrator "can consent for delegated permissions and application
 * permissions, with the exception of application permissions for Microsoft Graph" — the app's application
 * permissions are Exchange Online's, so either role suffices for every step here.
 */

/** Microsoft Graph application permissions (app roles of the Microsoft Graph service principal), by value. */
export const graphApplicationPermissions = {
    "Application.Read.All": "9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30",
    "Application.ReadWrite.All": "1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9",
    "Application.ReadWrite.OwnedBy": "18a4783c-866b-4cc7-a460-3d5e5662c884",
    "AppRoleAssignment.ReadWrite.All": "06b708a9-e830-4db3-a914-8e69da51d44f",
    "DelegatedPermissionGrant.ReadWrite.All": "8e8e4742-1d95-4f68-9d56-6ee75648c72a",
    "Directory.Read.All": "7ab1d382-f21e-4acd-a863-ba3e13f7da61",
    "Policy.Read.All": "246dd0d5-5bd0-4def-940b-0421030a5b68",
} as const;

export type GraphApplicationPermission = keyof typeof graphApplicationPermissions;

/** Entra ID built-in roles, by name: their template IDs (the roleDefinitionId of a role assignment). */
export const directoryRoles = {
    "Global Administrator": "62e90394-69f5-4237-9190-012177145e10",
    "Privileged Role Administrator": "e8611ab8-c189-46e8-94e1-60213ab1f814",
    "Application Administrator": "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
    "Cloud Application Administrator": "158c047a-c907-4556-b7ef-446551a6b5f7",
} as const;

export type DirectoryRoleName = keyof typeof directoryRoles;

/** A step of the deployment and what allows it: any one of the permissions, or any one of the roles. */
export interface DeployerStep {
    readonly step:
        | "create the app registration and its service principal"
        | "grant the Exchange Online application permissions"
        | "grant the delegated permissions for user sign-in"
        | "read the service principal the customer's consent made";
    readonly permissions: readonly GraphApplicationPermission[];
    readonly roles: readonly DirectoryRoleName[];
}

const administrators: DirectoryRoleName[] = ["Global Administrator", "Application Administrator", "Cloud Application Administrator"];

/**
 * The steps, with the permission each Graph call documents as least privileged for an app ("Permissions" of
 * application-post-applications, serviceprincipal-post-approleassignedto, oauth2permissiongrant-post): creating
 * takes Application.ReadWrite.OwnedBy at least; the consents take AppRoleAssignment.ReadWrite.All and
 * DelegatedPermissionGrant.ReadWrite.All. Privileged Role Administrator may consent but not create apps.
 */
export const deployerSteps: readonly DeployerStep[] = [
    {
        step: "create the app registration and its service principal",
        permissions: ["Application.ReadWrite.All", "Application.ReadWrite.OwnedBy"],
        roles: administrators,
    },
    {
        step: "grant the Exchange Online application permissions",
        permissions: ["AppRoleAssignment.ReadWrite.All"],
        roles: [...administrators, "Privileged Role Administrator"],
    },
    {
        step: "grant the delegated permissions for user sign-in",
        permissions: ["DelegatedPermissionGrant.ReadWrite.All"],
        roles: [...administrators, "Privileged Role Administrator"],
    },
];

/**
 * A customer's stack of a provider's multi-tenant app (`providerApp`) makes nothing in Entra ID: it reads the
 * service principal the customer's admin consent made (the azuread provider's getServicePrincipal, a GET of
 * servicePrincipals: "List servicePrincipals", least privileged Application.Read.All, higher Application.ReadWrite.All
 * and Directory.Read.All).
 */
export const customerDeployerSteps: readonly DeployerStep[] = [
    {
        step: "read the service principal the customer's consent made",
        permissions: ["Application.Read.All", "Application.ReadWrite.All", "Directory.Read.All"],
        roles: [...administrators, "Privileged Role Administrator"],
    },
];
