/**
 * Rotation as a property rather than examples: from any deployed rotation, with any unrelated change made in the
 * same update, one step up leaves exactly one secret of the two deployed before it untouched (the one the clients
 * still use), and makes exactly one new one. Replayed as the engine applies updates (tools/engineReplay.ts).
 */
import * as assert from "assert";
import fc from "fast-check";
import { EngineReplay } from "../../../tools/engineReplay";
import { stackConfig, types } from "../../harness";

const base = {
    displayName: "EDI",
    mailboxes: [{ address: "edi@contoso.com", protocols: ["imap", "smtp"] }],
    exchange: { organization: "contoso.onmicrosoft.com" },
};

/** The deployed secrets, by the ID the provider gave them, with the rotation each was made for. */
function secrets(replay: EngineReplay): Map<string, string> {
    return new Map(
        [...replay.resources.values()]
            .filter((entry) => entry.type === types.password)
            .map((entry) => [entry.id, (entry.inputs.rotateWhenChanged as { rotation: string }).rotation]),
    );
}

describe("secret rotation, as a property", function () {
    this.timeout(300_000);

    it("consecutive rotations share exactly one secret, whatever else changes with them", async () => {
        await fc.assert(
            fc.asyncProperty(
                fc.integer({ min: 0, max: 40 }),
                fc.integer({ min: 31, max: 730 }),
                fc.integer({ min: 31, max: 730 }),
                fc.constantFrom("EDI", "EDI (renamed)"),
                async (rotation, lifetime, nextLifetime, displayName) => {
                    const replay = new EngineReplay();
                    // The stack as deployed at `rotation` (a fresh stack starts there, as a restored one would).
                    await replay.up(stackConfig({ ...base, secretLifetimeDays: lifetime, secretRotation: rotation }), true, true);
                    const before = secrets(replay);
                    const { run } = await replay.up(
                        stackConfig({ ...base, displayName, secretLifetimeDays: nextLifetime, secretRotation: rotation + 1 }),
                        true,
                        true,
                    );
                    assert.ifError(run.error);
                    const after = secrets(replay);
                    const kept = [...after.keys()].filter((id) => before.has(id));
                    assert.strictEqual(kept.length, 1, `kept ${JSON.stringify(kept)} of ${JSON.stringify([...before])}`);
                    assert.strictEqual(after.get(kept[0]), String(rotation), "the kept secret is the one the clients use now");
                    assert.deepStrictEqual([...after.values()].sort(), [String(rotation), String(rotation + 1)].sort());
                },
            ),
            { numRuns: 25 },
        );
    });
});
