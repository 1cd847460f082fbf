/**
 * The retirement of a hand-made secret (components/entraApplication/legacySecretRetirement.ts): its check refuses a
 * key ID of the stack's own secrets in preview, naming the config key and secretRetiredThrough; only another app or
 * key is a change; delete does nothing. Its create against Graph is proven by test/e2e/adopt.test.ts.
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
