/**
 * Issue #14's scenario 8 for what can run here: the engine replay (tools/engineReplay.ts, which the change review
 * and the lifecycle tests trust) predicts, for the credential resources, exactly the creates, updates, replaces and
 * deletes the real engine previews for the same config sequence (test/e2e/programs/credentials, wired as the program
 * wires them, over the stand-in Entra ID). So the simulation cannot go stale unnoticed. The azuread and command
 * resources need their providers, which cannot be built here.
 */
import * as assert from "assert";
import { EngineProject, requireEngine, urnName } from "./engine";
import { EngineReplay } from "../../tools/engineReplay";
import { EngineStandIn, startStandInEntraForEngine } from "../fixtures/entra/forEngine";
import { stackConfig } from "../harness";

/** The credential resources, by the names the program gives them (the e2e program uses the same names). */
const credentialResource = /^mail-app-secret-(a|b|rotation|a-expiry|b-expiry)$/;

const sequence = [
    { rotation: 0, lifetimeDays: 90 },
    { rotation: 0, lifetimeDays: 180 },
    { rotation: 1, lifetimeDays: 180 },
    { rotation: 2, lifetimeDays: 180 },
    { rotation: 2, lifetimeDays: 60 },
    { rotation: 3, lifetimeDays: 60 },
];

describe("the engine replay agrees with the real engine's previews", function () {
    this.timeout(600_000);
    let project: EngineProject;
    let standIn: EngineStandIn;

    before(async function () {
        const engine = requireEngine(this);
        standIn = await startStandInEntraForEngine("0c0c0c0c-0000-4000-8000-0000000a9ee0");
        project = new EngineProject(engine, "credentials", false, standIn.env);
    });

    after(async () => {
        project?.dispose();
        await standIn?.stop();
    });

    it("for every rotation and lifetime change of the sequence, the same steps on the credential resources", async () => {
        const replay = new EngineReplay();
        const stack = "agreement";
        project.initStack(stack, { rotation: "0", lifetimeDays: "90" });
        for (const { rotation, lifetimeDays } of sequence) {
            project.writeConfig(stack, { rotation: String(rotation), lifetimeDays: String(lifetimeDays) });
            const preview = project.previewJson(stack);
            assert.strictEqual(preview.code, 0, preview.output);
            const real = preview.steps
                .filter((step) => step.op !== "same" && credentialResource.test(urnName(step.urn)))
                .map((step) => `${step.op} ${urnName(step.urn)}`)
                .sort();
            const { run, steps } = await replay.up(
                stackConfig({
                    displayName: "EDI",
                    secretRotation: rotation,
                    secretLifetimeDays: lifetimeDays,
                    mailboxes: [{ address: "edi@contoso.com", protocols: ["imap"] }],
                    exchange: { organization: "contoso.onmicrosoft.com" },
                }),
                // Planned as a preview (no PowerShell needed) and kept as the state the real `up` below makes.
                true,
                true,
            );
            assert.ifError(run.error);
            const predicted = steps
                .filter((step) => step.kind !== "same" && credentialResource.test(step.name))
                .map((step) => `${step.kind} ${step.name}`)
                .sort();
            assert.deepStrictEqual(predicted, real, `rotation ${rotation}, ${lifetimeDays} days`);
            project.ok(["up", "--stack", stack, "--yes"]);
        }
    });
});
