/**
 * The Graph reads `npm run repair` and `npm run preflight` make, with the deploying identity's client-credentials
 * sign-in (components/entraApplication/graphReader.ts, the azuread provider's: the stack's cloud's endpoints, or
 * those `azuread:metadataHost` publishes). Read only.
 */
import { spawnSync } from "child_process";
import { exchangeOnline, microsoftGraph } from "../../facts/microsoft";
import { TenantFacts } from "./lostObjects";
import { eqFilter, GraphSignIn } from "../../components/entraApplication/graphReader";
import { deployerSignIn } from "../../components/entraApplication/credentialPolicyRead";

type Json = Record<string, any>;

/**
 * The provider's own client-secret sign-in, as the program takes it (deployerSignIn): the environment first
 * (ARM_CLIENT_ID, ARM_CLIENT_SECRET), then the stack's config (`pulumi config get`, which decrypts the secret into
 * memory, never printed); else why there is none.
 */
export function deployerCredentials(stack: string, raw: Readonly<Record<string, string>>): GraphSignIn | string {
    const fromConfig = (key: string) => {
        const run = spawnSync("pulumi", ["config", "get", key, "--stack", stack, "--non-interactive"], { encoding: "utf8" });
        return run.status === 0 ? run.stdout.trim() : undefined;
    };
    const signIn = deployerSignIn(process.env, {
        tenantId: raw["azuread:tenantId"],
        metadataHost: raw["azuread:metadataHost"],
        clientId: process.env.ARM_CLIENT_ID ? undefined : fromConfig("azuread:clientId"),
        clientSecret: process.env.ARM_CLIENT_SECRET ? undefined : fromConfig("azuread:clientSecret"),
    });
    return (
        signIn ??
        "no client-secret sign-in for Microsoft Graph: set ARM_CLIENT_ID and ARM_CLIENT_SECRET (as for the azuread provider), or azuread:clientId and azuread:clientSecret in the stack"
    );
}

// The sign-in and the reads live with the program (it reads the credential policy before declaring anything).
export { graphReader, type GraphSignIn } from "../../components/entraApplication/graphReader";

const byAppId = (appId: string) => `servicePrincipals?${eqFilter("appId", appId)}`;

/** What Graph holds for the app with this client ID: its service principal, the consents it holds. */
export async function tenantFacts(get: (pathAndQuery: string) => Promise<Json>, clientId: string): Promise<TenantFacts> {
    const [own, exchange, graph] = await Promise.all(
        [clientId, exchangeOnline.appId, microsoftGraph.appId].map(async (appId) => (await get(byAppId(appId))).value?.[0]),
    );
    const assignments =
        exchange && own ? ((await get(`servicePrincipals/${exchange.id}/appRoleAssignedTo`)).value as Json[]).filter((a) => a.principalId === own.id) : [];
    const grants = own ? ((await get(`oauth2PermissionGrants?${eqFilter("clientId", String(own.id))}`)).value as Json[]) : [];
    return {
        servicePrincipal: own ? { id: own.id } : undefined,
        exchangeServicePrincipalId: exchange?.id,
        graphServicePrincipalId: graph?.id,
        assignments: assignments.map((a) => ({ id: a.id, appRoleId: a.appRoleId, principalId: a.principalId, resourceId: a.resourceId })),
        grants: grants.map((g) => ({ id: g.id, clientId: g.clientId, resourceId: g.resourceId })),
    };
}
