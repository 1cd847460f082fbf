/**
 * The Graph reads `npm run repair` makes, with the deploying identity's client-credentials sign-in (the one the
 * azuread provider uses: ARM_CLIENT_ID / ARM_CLIENT_SECRET). Endpoints: the stack's cloud's (facts/clouds.ts), or
 * those the stack's `azuread:metadataHost` publishes (as the provider reads them: the metadata host wins over the
 * environment), e.g. the stand-in Entra ID's. Read only.
 */
import { spawnSync } from "child_process";
import { exchangeOnline, microsoftGraph } from "../../facts/microsoft";
import { CloudName, clouds, defaultCloud } from "../../facts/clouds";
import { TenantFacts } from "./lostObjects";

type Json = Record<string, any>;

/**
 * The provider's own client-secret sign-in: the environment first (ARM_CLIENT_ID, ARM_CLIENT_SECRET), then the
 * stack's config (`pulumi config get`, read into memory, never printed); else why there is none.
 */
export function deployerCredentials(stack: string): { clientId: string; clientSecret: string } | string {
    const fromConfig = (key: string) => {
        const run = spawnSync("pulumi", ["config", "get", key, "--stack", stack, "--non-interactive"], { encoding: "utf8" });
        return run.status === 0 ? run.stdout.trim() : "";
    };
    const clientId = process.env.ARM_CLIENT_ID || fromConfig("azuread:clientId");
    const clientSecret = process.env.ARM_CLIENT_SECRET || fromConfig("azuread:clientSecret");
    if (!clientId || !clientSecret)
        return "no client-secret sign-in for Microsoft Graph: set ARM_CLIENT_ID and ARM_CLIENT_SECRET (as for the azuread provider), or azuread:clientId and azuread:clientSecret in the stack";
    return { clientId, clientSecret };
}

export interface GraphSignIn {
    readonly tenantId: string;
    readonly clientId: string;
    readonly clientSecret: string;
    /** `azuread:metadataHost`, where set. */
    readonly metadataHost?: string;
    /** The stack's `cloud`; Worldwide when not given. */
    readonly cloud?: CloudName;
}

async function endpoints(metadataHost: string | undefined, cloud: CloudName): Promise<{ login: string; graph: string }> {
    if (!metadataHost) return { login: clouds[cloud].loginAuthority, graph: clouds[cloud].graphEndpoint };
    const answer = await fetch(`https://${metadataHost}/metadata/endpoints?api-version=2022-09-01`);
    if (!answer.ok) throw new Error(`azuread:metadataHost ${metadataHost}: the metadata document answered ${answer.status}`);
    const metadata = (await answer.json()) as Json;
    return { login: metadata.authentication.loginEndpoint, graph: String(metadata.microsoftGraphResourceId).replace(/\/+$/, "") };
}

/** A GET of Graph v1.0, signed in once; the token stays in memory. */
export async function graphReader(signIn: GraphSignIn): Promise<(pathAndQuery: string) => Promise<Json>> {
    const { login, graph } = await endpoints(signIn.metadataHost, signIn.cloud ?? defaultCloud);
    const answer = await fetch(`${login}/${signIn.tenantId}/oauth2/v2.0/token`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
            client_id: signIn.clientId,
            client_secret: signIn.clientSecret,
            grant_type: "client_credentials",
            scope: `${graph}/.default`,
        }),
    });
    const token = (await answer.json()) as Json;
    if (!answer.ok) throw new Error(`signing in as ${signIn.clientId}: ${token.error_description ?? token.error ?? answer.status}`);
    return async (pathAndQuery) => {
        const read = await fetch(`${graph}/v1.0/${pathAndQuery}`, { headers: { Authorization: `Bearer ${token.access_token}`, Accept: "application/json" } });
        const body = (await read.json()) as Json;
        if (!read.ok) throw new Error(`GET ${pathAndQuery}: ${read.status} ${body?.error?.message ?? ""}`);
        return body;
    };
}

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
