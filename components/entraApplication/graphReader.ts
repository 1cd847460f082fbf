/**
 * Microsoft Graph reads with the deploying identity's client-credentials sign-in (the one the azuread provider
 * uses: ARM_CLIENT_ID / ARM_CLIENT_SECRET). Endpoints: the stack's cloud's (facts/clouds.ts), or those the stack's
 * `azuread:metadataHost` publishes (as the provider reads them: the metadata host wins over the environment), e.g.
 * the stand-in Entra ID's. Read only (the one write the program makes is graphWriter.ts, on the same sign-in). Shared by
 * the program (the credential policy read before anything is declared) and the tools (`npm run repair`).
 */
import { CloudName, clouds, defaultCloud } from "../../facts/clouds";

type Json = Record<string, any>;

export interface GraphSignIn {
    readonly tenantId: string;
    readonly clientId: string;
    readonly clientSecret: string;
    /** `azuread:metadataHost`, where set. */
    readonly metadataHost?: string;
    /** The stack's `cloud`; Worldwide when not given. */
    readonly cloud?: CloudName;
}

/** `$filter=prop eq 'value'`, the value's single quotes doubled as OData wants them, URL-encoded. */
export const eqFilter = (property: string, value: string) => `$filter=${encodeURIComponent(`${property} eq '${value.replace(/'/g, "''")}'`)}`;

/** A Graph answer that is not a success: its status and Graph's error code, for callers that tell them apart (403). */
export class GraphReadError extends Error {
    constructor(
        message: string,
        readonly status: number,
        readonly code: string | undefined,
    ) {
        super(message);
    }
}

async function endpoints(metadataHost: string | undefined, cloud: CloudName): Promise<{ login: string; graph: string }> {
    if (!metadataHost) return { login: clouds[cloud].loginAuthority, graph: clouds[cloud].graphEndpoint };
    const answer = await fetch(`https://${metadataHost}/metadata/endpoints?api-version=2022-09-01`);
    if (!answer.ok) throw new Error(`azuread:metadataHost ${metadataHost}: the metadata document answered ${answer.status}`);
    const metadata = (await answer.json()) as Json;
    return { login: metadata.authentication.loginEndpoint, graph: String(metadata.microsoftGraphResourceId).replace(/\/+$/, "") };
}

/** Graph's v1.0 root and a token for it: the one client-credentials sign-in the reader and the writer share. */
export async function signInToGraph(signIn: GraphSignIn): Promise<{ graphV1: string; token: string }> {
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
    return { graphV1: `${graph}/v1.0`, token: String(token.access_token) };
}

/** A GET of Graph v1.0, signed in once; the token stays in memory. */
export async function graphReader(signIn: GraphSignIn): Promise<(pathAndQuery: string) => Promise<Json>> {
    const { graphV1, token } = await signInToGraph(signIn);
    return readerWith(graphV1, token);
}

/** A GET of Graph v1.0 with a token already had (the writer reads before it writes, on its one sign-in). */
export function readerWith(graphV1: string, token: string): (pathAndQuery: string) => Promise<Json> {
    return async (pathAndQuery) => {
        const read = await fetch(`${graphV1}/${pathAndQuery}`, { headers: { Authorization: `Bearer ${token}`, Accept: "application/json" } });
        const body = (await read.json()) as Json;
        if (!read.ok) throw new GraphReadError(`GET ${pathAndQuery}: ${read.status} ${body?.error?.message ?? ""}`, read.status, body?.error?.code);
        return body;
    };
}
