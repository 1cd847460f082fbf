/**
 * The Graph reads `npm run repair` makes, with the deploying identity's client-credentials sign-in
 * (components/entraApplication/graphReader.ts, the azuread provider's). Read only.
 */
import { exchangeOnline, microsoftGraph } from "../../facts/microsoft";
import { TenantFacts } from "./lostObjects";

type Json = Record<string, any>;

// The sign-in and the reads live with the program (it reads the credential policy before declaring anything).
export { graphReader, type GraphSignIn } from "../../components/entraApplication/graphReader";

const byAppId = (appId: string) => `servicePrincipals?$filter=${encodeURIComponent(`appId eq '${appId}'`)}`;

/** What Graph holds for the app with this client ID: its service principal, the consents it holds. */
export async function tenantFacts(get: (pathAndQuery: string) => Promise<Json>, clientId: string): Promise<TenantFacts> {
    const [own, exchange, graph] = await Promise.all(
        [clientId, exchangeOnline.appId, microsoftGraph.appId].map(async (appId) => (await get(byAppId(appId))).value?.[0]),
    );
    const assignments =
        exchange && own ? ((await get(`servicePrincipals/${exchange.id}/appRoleAssignedTo`)).value as Json[]).filter((a) => a.principalId === own.id) : [];
    const grants = own ? ((await get(`oauth2PermissionGrants?$filter=${encodeURIComponent(`clientId eq '${own.id}'`)}`)).value as Json[]) : [];
    return {
        servicePrincipal: own ? { id: own.id } : undefined,
        exchangeServicePrincipalId: exchange?.id,
        graphServicePrincipalId: graph?.id,
        assignments: assignments.map((a) => ({ id: a.id, appRoleId: a.appRoleId, principalId: a.principalId, resourceId: a.resourceId })),
        grants: grants.map((g) => ({ id: g.id, clientId: g.clientId, resourceId: g.resourceId })),
    };
}
