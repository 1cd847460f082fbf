/**
 * The project's own names: its config namespace, its component types, and the resource type tokens of the
 * providers it declares. One place, read by the program, the offline review, the policy pack, verify and the tests.
 */

/** The stack config namespace: `m365-mail-oauth:displayName` and so on. */
export const configNamespace = "m365-mail-oauth";

/**
 * Set only by the project's mock engine while it runs the program for the offline review or change review, which
 * shows the placeholder tenant as "will be refused" instead of stopping. A real engine never sets it.
 */
export const offlineReviewVariable = "M365_OFFLINE_REVIEW";

/**
 * Set by the project's mock engine (tools/mockEngine.ts) for every run of the program: the tests, the benchmark and
 * the offline review read nothing from a tenant, even where the deployer's ARM_* sign-in is in the environment.
 */
export const mockEngineVariable = "M365_MOCK_ENGINE";

/** Resource type tokens, as the engine, previews and policy packs see them. */
export const resourceTypes = {
    application: "azuread:index/application:Application",
    servicePrincipal: "azuread:index/servicePrincipal:ServicePrincipal",
    appRoleAssignment: "azuread:index/appRoleAssignment:AppRoleAssignment",
    delegatedGrant: "azuread:index/servicePrincipalDelegatedPermissionGrant:ServicePrincipalDelegatedPermissionGrant",
    password: "azuread:index/applicationPassword:ApplicationPassword",
    certificate: "azuread:index/applicationCertificate:ApplicationCertificate",
    command: "command:local:Command",
    keyVaultSecret: "azure-native:keyvault:Secret",
    secretExpiry: `pulumi-nodejs:dynamic/${configNamespace}:SecretExpiry`,
    rotationGuard: `pulumi-nodejs:dynamic/${configNamespace}:SecretRotationGuard`,
    destroyGuard: `pulumi-nodejs:dynamic/${configNamespace}:DestroyGuard`,
    legacySecretRetirement: `pulumi-nodejs:dynamic/${configNamespace}:LegacySecretRetirement`,
    azureNativeProvider: "pulumi:providers:azure-native",
    stackReference: "pulumi:pulumi:StackReference",
} as const;

/** Each resource type in an admin's words, for the plan's resource counts. */
export const resourceTypeWords: Record<string, string> = {
    [resourceTypes.application]: "app registration",
    [resourceTypes.servicePrincipal]: "enterprise application (service principal)",
    [resourceTypes.appRoleAssignment]: "admin consent to an application permission",
    [resourceTypes.delegatedGrant]: "admin consent to delegated permissions",
    [resourceTypes.password]: "client secret",
    [resourceTypes.certificate]: "certificate credential",
    [resourceTypes.command]: "Exchange Online step (PowerShell)",
    [resourceTypes.keyVaultSecret]: "Key Vault secret",
    [resourceTypes.secretExpiry]: "secret end date (fixed at creation)",
    [resourceTypes.rotationGuard]: "rotation guard (refuses a rotation jump)",
    [resourceTypes.destroyGuard]: "destroy guard (protect: true)",
    [resourceTypes.legacySecretRetirement]: "retirement of a hand-made client secret (legacySecretsRetired)",
    [resourceTypes.azureNativeProvider]: "Azure provider for the Key Vault's subscription",
    [resourceTypes.stackReference]: "the provider's stack, read (providerApp)",
};

/** The project's ComponentResource types (`<package>:<module>:<type>`). */
/** The name index.ts gives the Entra ID component: its children's names start with it (`npm run repair` finds them so). */
export const mailApplicationName = "mail-app";

export const componentTypes = {
    mailApplication: `${configNamespace}:entra:MailApplication`,
    mailboxAccess: `${configNamespace}:exchange:MailboxAccess`,
    secretDelivery: `${configNamespace}:keyvault:SecretDelivery`,
    providerAppInTenant: `${configNamespace}:entra:ProviderAppInTenant`,
} as const;

/** Whether a type token is one of the project's own components (not a cloud resource). */
export function isComponentType(type: string): boolean {
    return type.startsWith(`${configNamespace}:`);
}

/**
 * What the program is made of: a change here can change what a real `pulumi up` does with the same config (the
 * change review names such changes; the end-to-end tests copy these into each temporary project).
 */
export const programPaths = [
    "index.ts",
    "program.js",
    "Pulumi.yaml",
    "package.json",
    "package-lock.json",
    "tsconfig.json",
    "tsconfig.pulumi.json",
    "components",
    "config",
    "facts",
    "plan",
    "scripts",
];
