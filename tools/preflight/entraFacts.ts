/**
 * What the readiness check reads of Entra ID through Microsoft Graph, with the deploying identity's sign-in (as
 * the azuread provider takes it; tools/repair/tenantGraph.ts): what that identity may do, whether the tenant has
 * Exchange Online, its domains, and the apps already named as the stack's. Read only. Each read that Graph refuses
 * (403 without Directory.Read.All, for example) is kept as the reason, so the check says what it could not see
 * and goes on.
 */
import { exchangeOnline, microsoftGraph } from "../../facts/microsoft";
import { directoryRoles } from "../../facts/deployerRights";
import { eqFilter } from "../../components/entraApplication/graphReader";
import { CredentialPolicyFacts } from "../../plan/credentialPolicy";
import { AppOfName, appsOfNameQuery, readCredentialPolicy } from "../../components/entraApplication/credentialPolicyRead";

type Json = Record<string, any>;
export type GraphGet = (pathAndQuery: string) => Promise<Json>;

/** A value read, or why it could not be. */
export type Read<T> = { readonly value: T } | { readonly unreadable: string };

export interface EntraFacts {
    /** The deploying identity's Microsoft Graph application permissions and Entra ID roles, by name. */
    readonly deployer: Read<{ readonly permissions: readonly string[]; readonly roles: readonly string[] }>;
    /** Whether the tenant holds Exchange Online's service principal (it does once Exchange Online is licensed). */
    readonly exchangeOnline: Read<boolean>;
    readonly domains: Read<readonly { readonly name: string; readonly isInitial: boolean }[]>;
    /** Apps whose display name is the stack's. */
    readonly sameName: Read<readonly { readonly appId: string; readonly id: string }[]>;
    /** The app management policies that decide the stack's secret (the program's own read, credentialPolicyRead.ts). */
    readonly credentialPolicy: Read<CredentialPolicyFacts>;
    /** A customer's stack (`providerApp`): whether the tenant holds the provider's app's service principal (consented). */
    readonly consented?: Read<boolean>;
}

async function attempt<T>(read: () => Promise<T>): Promise<Read<T>> {
    try {
        return { value: await read() };
    } catch (error) {
        return { unreadable: (error as Error).message };
    }
}

async function servicePrincipalOf(get: GraphGet, appId: string): Promise<Json | undefined> {
    return (await get(`servicePrincipals?${eqFilter("appId", appId)}`)).value?.[0];
}

/**
 * The identity's permissions are its app role assignments on Microsoft Graph, named by the Graph service
 * principal's own appRoles (so no ID is assumed: clouds may publish other IDs); its roles are its directory role
 * assignments, named by the built-in roles' template IDs (facts/deployerRights.ts).
 */
async function deployerRights(get: GraphGet, clientId: string) {
    const [own, graph] = await Promise.all([servicePrincipalOf(get, clientId), servicePrincipalOf(get, microsoftGraph.appId)]);
    if (!own) throw new Error(`no service principal for the deploying identity's client ID ${clientId}`);
    const assignments = ((await get(`servicePrincipals/${own.id}/appRoleAssignments`)).value ?? []) as Json[];
    const permissions = assignments
        .filter((assignment) => assignment.resourceId === graph?.id)
        .map((assignment) => ((graph?.appRoles ?? []) as Json[]).find((role) => role.id === assignment.appRoleId)?.value as string | undefined)
        .filter((value): value is string => value !== undefined);
    const roleAssignments = ((await get(`roleManagement/directory/roleAssignments?${eqFilter("principalId", String(own.id))}`)).value ?? []) as Json[];
    const roles = roleAssignments
        .map((assignment) => Object.entries(directoryRoles).find(([, templateId]) => templateId === assignment.roleDefinitionId)?.[0])
        .filter((name): name is string => name !== undefined);
    return { permissions: permissions.sort(), roles: roles.sort() };
}

/**
 * @param providerClientId a customer's stack: the provider's app, looked for instead of the stack's own name and
 *                         credential policy (the app and its secret are the provider's)
 */
async function domainsOf(get: GraphGet) {
    return (((await get("organization")).value?.[0]?.verifiedDomains ?? []) as Json[]).map((domain) => ({
        name: String(domain.name),
        isInitial: domain.isInitial === true,
    }));
}

export async function readEntraFacts(get: GraphGet, deployerClientId: string, displayName: string, providerClientId?: string): Promise<EntraFacts> {
    if (providerClientId !== undefined) {
        const [deployer, exchange, domains, consented] = await Promise.all([
            attempt(() => deployerRights(get, deployerClientId)),
            attempt(async () => (await servicePrincipalOf(get, exchangeOnline.appId)) !== undefined),
            attempt(() => domainsOf(get)),
            attempt(async () => (await servicePrincipalOf(get, providerClientId)) !== undefined),
        ]);
        const skipped = { unreadable: "not the customer's stack's: the provider's app" };
        return { deployer, exchangeOnline: exchange, domains, sameName: skipped, credentialPolicy: skipped, consented };
    }
    // One list of the apps of the stack's name serves both the name check and the credential policy read.
    const appsOfName = get(appsOfNameQuery(displayName)).then((answer) => (answer.value ?? []) as AppOfName[]);
    const [deployer, exchange, domains, sameName, policy] = await Promise.all([
        attempt(() => deployerRights(get, deployerClientId)),
        attempt(async () => (await servicePrincipalOf(get, exchangeOnline.appId)) !== undefined),
        attempt(() => domainsOf(get)),
        attempt(async () => (await appsOfName).map((app) => ({ appId: String(app.appId), id: String(app.id) }))),
        readCredentialPolicy(get, displayName, appsOfName),
    ]);
    const credentialPolicy: Read<CredentialPolicyFacts> = "facts" in policy ? { value: policy.facts } : policy;
    return { deployer, exchangeOnline: exchange, domains, sameName, credentialPolicy };
}
