/**
 * The retirement of a hand-made secret (components/entraApplication/legacySecretRetirement.ts): its check refuses a
 * key ID of the stack's own secrets in preview, naming the config key and secretRetiredThrough; only another app or
 * key is a change; delete does nothing; create signs in with ARM_CLIENT_SECRET and removes the key through
 * removePassword, a key already gone is success (Graph answered by a recording fake here; against the stand-in Entra
 * ID under the real CLI in test/e2e/adopt.test.ts).
 */
import * as assert from "assert";
import { legacyKeyIdProblem, legacySecretRetirementProvider, LegacySecretRetirementInputs } from "../../../components/entraApplication/legacySecretRetirement";

const own = "5f0c1d2e-3a4b-4c5d-8e6f-7a8b9c0d1e2f";
const handMade = "0b0d4a3e-6f0a-4c55-9d1e-2b7f3c8a9e01";
const inputs = (keyId: string, stackSecretKeyIds: unknown = [own]): LegacySecretRetirementInputs =>
    ({ applicationObjectId: "a1", keyId, stackSecretKeyIds, tenantId: "t", clientId: "c" }) as LegacySecretRetirementInputs;

describe("legacy secret retirement (legacySecretsRetired)", () => {
    it("refuses one of the stack's own secrets in the check, before anything changes", async () => {
        const refused = await legacySecretRetirementProvider.check!(undefined, inputs(own.toUpperCase()));
        assert.strictEqual(refused.failures?.[0].property, "keyId");
        assert.match(refused.failures![0].reason, /legacySecretsRetired names 5F0C1D2E-.*one of this stack's own client secrets.*secretRetiredThrough/);
    });

    it("accepts a hand-made key ID, also while the stack's own secrets are not made yet (unknown in a preview)", async () => {
        assert.deepStrictEqual(await legacySecretRetirementProvider.check!(undefined, inputs(handMade)), { inputs: inputs(handMade) });
        assert.strictEqual(legacyKeyIdProblem(handMade, "04da6b54-80e4-46f7-96ec-b56ff0331ba9"), undefined);
    });

    it("only another app or key is a change: a rotation of the stack's secrets or a new deployer changes nothing", async () => {
        const before = inputs(handMade);
        const rotated = { ...inputs(handMade, [own, "9e9e9e9e-1111-4222-8333-444444444444"]), clientId: "other" };
        assert.deepStrictEqual(await legacySecretRetirementProvider.diff!("id", before, rotated), { changes: false, replaces: [] });
        assert.deepStrictEqual(await legacySecretRetirementProvider.diff!("id", before, { ...before, applicationObjectId: "a2" }), {
            changes: true,
            replaces: ["applicationObjectId"],
        });
    });

    /** Graph as a recording fake: the token, the app's passwordCredentials, removePassword (204). */
    async function createWith(keyIds: string[], env: NodeJS.ProcessEnv): Promise<{ calls: string[]; result?: unknown; error?: Error }> {
        const calls: string[] = [];
        const realFetch = globalThis.fetch;
        const saved = process.env.ARM_CLIENT_SECRET;
        globalThis.fetch = (async (url: string, init?: RequestInit) => {
            const body = typeof init?.body === "string" ? init.body : init?.body instanceof URLSearchParams ? `secret=${init.body.get("client_secret")}` : "";
            calls.push(`${init?.method ?? "GET"} ${url} ${body}`.trim());
            if (String(url).endsWith("/oauth2/v2.0/token")) return new Response(JSON.stringify({ access_token: "t" }), { status: 200 });
            if (init?.method === "POST") return new Response(null, { status: 204 });
            return new Response(JSON.stringify({ id: "a1", passwordCredentials: keyIds.map((keyId) => ({ keyId })) }), { status: 200 });
        }) as typeof fetch;
        if (env.ARM_CLIENT_SECRET === undefined) delete process.env.ARM_CLIENT_SECRET;
        else process.env.ARM_CLIENT_SECRET = env.ARM_CLIENT_SECRET;
        try {
            return { calls, result: await legacySecretRetirementProvider.create!(inputs(handMade)) };
        } catch (error) {
            return { calls, error: error as Error };
        } finally {
            globalThis.fetch = realFetch;
            if (saved === undefined) delete process.env.ARM_CLIENT_SECRET;
            else process.env.ARM_CLIENT_SECRET = saved;
        }
    }

    it("create removes the key through removePassword, signed in with ARM_CLIENT_SECRET; the state keeps no secret", async () => {
        const { calls, result } = await createWith([own, handMade], { ARM_CLIENT_SECRET: "deployer~secret" });
        assert.match(calls[0], /^POST https:\/\/login\.microsoftonline\.com\/t\/oauth2\/v2\.0\/token secret=deployer~secret$/);
        assert.deepStrictEqual(calls.slice(1), [
            "GET https://graph.microsoft.com/v1.0/applications/a1?$select=id,passwordCredentials",
            `POST https://graph.microsoft.com/v1.0/applications/a1/removePassword {"keyId":"${handMade}"}`,
        ]);
        assert.ok(!JSON.stringify(result).includes("deployer~secret"));
    });

    it("create is idempotent: a key already gone is success, and nothing is removed", async () => {
        const { calls, result, error } = await createWith([own], { ARM_CLIENT_SECRET: "deployer~secret" });
        assert.strictEqual(error, undefined);
        assert.ok(result);
        assert.ok(!calls.some((call) => call.includes("removePassword")), calls.join("\n"));
    });

    it("create without a client-secret sign-in names legacySecretsRetired and what to set, and calls nobody", async () => {
        const { calls, error } = await createWith([handMade], {});
        assert.match(String(error), /legacySecretsRetired needs the deployer's client-secret sign-in \(ARM_CLIENT_ID and ARM_CLIENT_SECRET\)/);
        assert.deepStrictEqual(calls, []);
    });

    it("delete does nothing: a removed secret cannot come back", async () => {
        const realFetch = globalThis.fetch;
        globalThis.fetch = (() => assert.fail("delete calls nobody")) as typeof fetch;
        try {
            await legacySecretRetirementProvider.delete!("id", inputs(handMade));
        } finally {
            globalThis.fetch = realFetch;
        }
    });
});
