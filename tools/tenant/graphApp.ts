/**
 * The Graph reads of one app registration (read only): the application, its owners, its service principal and
 * that one's owners, app role assignments and delegated grants, each resource named by its service principal.
 * Signed in as the azuread provider is (tools/repair/tenantGraph.ts's graphReader). Interpretation: appReading.ts.
 *
 * Calls, as Microsoft Graph v1.0's reference pages give them: GET /applications?$filter=appId eq '…' (or
 * displayName eq '…'), GET /applications/{id}/owners, GET /servicePrincipals?$filter=appId eq '…',
 * GET /servicePrincipals/{id}/owners, GET /servicePrincipals/{id}/appRoleAssignments, GET /servicePrincipals/{id},
 * GET /oauth2PermissionGrants?$filter=clientId eq '…'.
 */
import {
    AppReading,
    AppSelector,
    applicationReading,
    chooseApplication,
    delegatedGrantReading,
    firstPartyApis,
    ownerReading,
    roleAssignmentReading,
} from "./appReading";

import { eqFilter } from "../../components/entraApplication/graphReader";
type Json = Record<string, any>;
export type GraphGet = (pathAndQuery: string) => Promise<Json>;

async function list(get: GraphGet, pathAndQuery: string): Promise<Json[]> {
    const items: Json[] = [];
    let next: string | undefined = pathAndQuery;
    // Graph pages long lists with @odata.nextLink (an absolute URL): followed on the same base.
    while (next) {
        const page = await get(next);
        items.push(...((page.value as Json[]) ?? []));
        const link = page["@odata.nextLink"] as string | undefined;
        next = link ? link.slice(link.indexOf("/v1.0/") + "/v1.0/".length) : undefined;
    }
    return items;
}

/** Everything Graph holds for the selected app; throws with the problem when the selector names none or several. */
export async function readApp(get: GraphGet, selector: AppSelector): Promise<AppReading> {
    const filter = "clientId" in selector ? eqFilter("appId", selector.clientId) : eqFilter("displayName", selector.displayName);
    const chosen = chooseApplication(selector, await list(get, `applications?${filter}`));
    if (typeof chosen === "string") throw new Error(chosen);
    const appOwners = await list(get, `applications/${chosen.id}/owners`);
    const [sp] = await list(get, `servicePrincipals?${eqFilter("appId", String(chosen.appId))}`);
    const resources = new Map<string, Json | undefined>();
    const resource = async (id: string) => {
        if (!resources.has(id)) resources.set(id, await get(`servicePrincipals/${id}`).catch(() => undefined));
        return resources.get(id);
    };
    const [exchange] = await list(get, `servicePrincipals?${eqFilter("appId", firstPartyApis.exchangeOnline)}`);
    const [graph] = await list(get, `servicePrincipals?${eqFilter("appId", firstPartyApis.microsoftGraph)}`);
    if (!sp)
        return {
            application: applicationReading(chosen, appOwners),
            appRoleAssignments: [],
            delegatedGrants: [],
            exchangeServicePrincipalId: exchange?.id,
            graphServicePrincipalId: graph?.id,
        };
    const spOwners = await list(get, `servicePrincipals/${sp.id}/owners`);
    const assignments = await list(get, `servicePrincipals/${sp.id}/appRoleAssignments`);
    const grants = (await list(get, `oauth2PermissionGrants?${eqFilter("clientId", String(sp.id))}`)).filter((grant) => grant.clientId === sp.id);
    return {
        application: applicationReading(chosen, appOwners),
        servicePrincipal: {
            objectId: String(sp.id),
            displayName: String(sp.displayName ?? ""),
            accountEnabled: sp.accountEnabled !== false,
            appRoleAssignmentRequired: sp.appRoleAssignmentRequired === true,
            owners: spOwners.map(ownerReading),
        },
        appRoleAssignments: await Promise.all(
            assignments.filter((a) => a.principalId === sp.id).map(async (a) => roleAssignmentReading(a, await resource(String(a.resourceId)))),
        ),
        delegatedGrants: await Promise.all(grants.map(async (g) => delegatedGrantReading(g, await resource(String(g.resourceId))))),
        exchangeServicePrincipalId: exchange?.id,
        graphServicePrincipalId: graph?.id,
    };
}
