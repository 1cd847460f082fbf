/**
 * Microsoft Graph writes with the deploying identity's sign-in: the reader's (graphReader.ts, `signInToGraph`), not
 * a second one. The program's only write outside the azuread provider is the retirement of a hand-made secret
 * (legacySecretRetirement.ts), which the provider cannot do: a password it never made is no resource of its.
 */
import { GraphReadError, GraphSignIn, readerWith, signInToGraph } from "./graphReader";

type Json = Record<string, any>;

export interface GraphWriter {
    /** A GET of Graph v1.0. */
    readonly get: (pathAndQuery: string) => Promise<Json>;
    /** A POST of Graph v1.0 with a JSON body; answers the status (204 for an action without a body). */
    readonly post: (path: string, body: Json) => Promise<number>;
}

/** Graph reads and writes, signed in once; the token stays in memory. */
export async function graphWriter(signIn: GraphSignIn): Promise<GraphWriter> {
    const { graphV1, token } = await signInToGraph(signIn);
    const post = async (path: string, body: Json): Promise<number> => {
        const answer = await fetch(`${graphV1}/${path}`, {
            method: "POST",
            headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", Accept: "application/json" },
            body: JSON.stringify(body),
        });
        if (answer.ok) return answer.status;
        const error = ((await answer.json().catch(() => ({}))) as Json)?.error;
        throw new GraphReadError(`POST ${path}: ${answer.status} ${error?.message ?? ""}`, answer.status, error?.code);
    };
    return { get: readerWith(graphV1, token), post };
}
