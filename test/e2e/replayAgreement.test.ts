/**
 * Issue #14's scenario 8 for what can run here: the engine replay (tools/engineReplay.ts, which the change review
 * and the lifecycle tests trust) predicts, for the credential resources, exactly the creates, updates, replaces and
 * deletes the real engine previews for the same config sequence (test/e2e/programs/credentials, wired as the program
 * wires them, over the stand-in Entra ID). So the simulation cannot go stale unnoticed.
 *
 * And for the project's whole program, over the scenarios' changes (a rename with a new lifetime, an added
 * mailbox and smtpAuth organization, a dropped protocol, rotations, protect), every resource's step, with the
 * providers test/e2e/providers.ts installs. With the substitutes, which replace on the inputs facts/replacement.ts
 * names as the replay does, this checks how the replay models the engine (what a preview leaves unknown and what
 * then changes with it, dependencies, deletes), not the providers' own replace rules: the real plugins do that.
 */
import * as assert from "assert";
import { EngineProject, requireEngine, urnName } from "./engine";
import { EngineReplay } from "../../tools/engineReplay";
import { EngineStandIn, startStandInEntraForEngine } from "../fixtures/entra/forEngine";
import { stackConfig } from "../harness";
import { added, archive, edi, Mailboxes, onStandIns, projectSettings } from "./standInWorld";
import { tenantId } from "../scripts/standInTenant";
import { configNamespace, isComponentType } from "../../facts/project";

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

describe("the engine replay agrees with the real engine's previews of the whole program", function () {
    this.timeout(900_000);
    const { world, config } = onStandIns(this);
    const first: Mailboxes = [
        { address: edi, protocols: ["imap", "smtp"] },
        { address: archive, protocols: ["pop"] },
    ];
    const more: Mailboxes = [...first, { address: added, protocols: ["smtp"] }];
    const fewer: Mailboxes = [
        { address: edi, protocols: ["imap", "smtp"] },
        { address: archive, protocols: ["imap"] },
        { address: added, protocols: ["smtp"] },
    ];
    const renamed = { displayName: "Mail OAuth (e2e, renamed)", secretLifetimeDays: 60, smtpAuth: "organization" };
    const sequence: [Mailboxes, Record<string, unknown>][] = [
        [first, {}],
        [more, renamed],
        [fewer, renamed],
        [fewer, { ...renamed, secretRotation: 1 }],
        [fewer, { ...renamed, secretRotation: 2 }],
        [fewer, { ...renamed, secretRotation: 2, protect: true }],
        [first, { secretRotation: 3, protect: true }],
        // The enterprise application's switch, declared: an update of the service principal on both sides.
        [first, { secretRotation: 3, protect: true, enterpriseApplication: { accountEnabled: false } }],
    ];
    /** The cloud resources' steps (not the stack, the components or the providers), as "op name". */
    const cloudSteps = (steps: { op: string; type: string; name: string }[]) =>
        steps
            .filter((step) => step.op !== "same" && !isComponentType(step.type) && !step.type.startsWith("pulumi:"))
            .map((step) => `${step.op} ${step.name}`)
            .sort();

    it("for each change of the scenarios, the same creates, updates, replaces and deletes on every resource", async () => {
        const { project } = world;
        const replay = new EngineReplay();
        const stack = "agreement";
        project.initStack(stack, config(first));
        const seen: string[] = [];
        for (const [mailboxes, extra] of sequence) {
            const settings = projectSettings(mailboxes, extra);
            project.writeConfig(
                stack,
                config(mailboxes, Object.fromEntries(Object.entries(extra).map(([key, value]) => [`${configNamespace}:${key}`, value]))),
            );
            const preview = project.previewJson(stack);
            assert.strictEqual(preview.code, 0, preview.output);
            const real = cloudSteps(preview.steps.map((step) => ({ ...step, name: urnName(step.urn) })));
            const { run, steps } = await replay.up(stackConfig(settings, tenantId), true, true);
            assert.ifError(run.error);
            const predicted = cloudSteps(steps.map((step) => ({ op: step.kind, type: step.type, name: step.name })));
            assert.deepStrictEqual(predicted, real, `after ${JSON.stringify(extra)} with ${mailboxes.length} mailboxes`);
            seen.push(...real);
            const up = project.pulumi(["up", "--stack", stack, "--yes"]);
            assert.strictEqual(up.code, 0, up.output);
        }
        // The sequence is worth comparing: it makes every kind of step, on the Entra ID and the Exchange resources.
        for (const step of [
            "create mail-app",
            "update mail-app",
            "update exchange",
            "delete mail-app-POP.AccessAsApp",
            "create mail-app-POP.AccessAsApp",
            "replace mail-app-secret-a",
        ])
            assert.ok(seen.includes(step), `${step} in ${seen.join(", ")}`);
    });
});
