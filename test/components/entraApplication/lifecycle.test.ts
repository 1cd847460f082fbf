/**
 * No config change may break a mail client: the program evaluated before and after each change, replayed as the
 * engine applies it (tools/engineReplay.ts), with every replace-forcing input compared per the providers' sources.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { replacingInputs } from "../../../facts/replacement";
import { resourceTypes } from "../../../facts/project";
import { retirementStepProblem, rotationStepProblem, secretSlots, expiryNotice } from "../../../plan/secretRotation";
import { rotationGuardProvider } from "../../../components/entraApplication/secretRotationGuard";
import { diffSecretExpiry } from "../../../components/entraApplication/secretExpiry";
import { EngineReplay, Step } from "../../../tools/engineReplay";
import { makeCertificate } from "../../fixtures/certificates";
import { ofType, resolve, runProgram, stackConfig, types, withClock } from "../../harness";

const exchange = { organization: "contoso.onmicrosoft.com" };
const base = {
    displayName: "EDI",
    secretLifetimeDays: 180,
    mailboxes: [{ address: "edi@contoso.com", protocols: ["imap", "smtp"] }],
    exchange,
    smtpAuth: "mailbox",
};

function secretSteps(steps: readonly Step[]): Step[] {
    return steps.filter((step) => step.type === types.password && step.kind !== "same");
}

async function replayed(values: Record<string, unknown>[], replay = new EngineReplay()): Promise<{ replay: EngineReplay; steps: Step[][] }> {
    const all: Step[][] = [];
    for (const config of values) {
        // Previews: no PowerShell is needed, and the replay commits only updates, so commit by hand below.
        const { run, steps } = await replay.up(stackConfig(config), false);
        assert.ifError(run.error);
        all.push(steps);
    }
    return { replay, steps: all };
}

describe("the replace-forcing inputs, per the providers' sources", () => {
    it("are the ones terraform-provider-azuread marks ForceNew and @pulumi/command marks replaceOnChanges", () => {
        // A copy kept here on purpose: editing the table in facts/ must be a visible, reviewed change.
        assert.deepStrictEqual(replacingInputs[types.password], [
            "applicationId",
            "displayName",
            "startDate",
            "endDate",
            "endDateRelative",
            "rotateWhenChanged",
        ]);
        assert.deepStrictEqual(replacingInputs[types.appRoleAssignment], ["appRoleId", "principalObjectId", "resourceObjectId"]);
        assert.deepStrictEqual(replacingInputs[types.servicePrincipal], ["clientId"]);
        assert.deepStrictEqual(replacingInputs[types.delegatedGrant], ["resourceServicePrincipalObjectId", "servicePrincipalObjectId", "userObjectId"]);
        assert.deepStrictEqual(replacingInputs[types.certificate], [
            "applicationId",
            "encoding",
            "keyId",
            "startDate",
            "endDate",
            "endDateRelative",
            "type",
            "value",
        ]);
        assert.deepStrictEqual(replacingInputs[types.command], ["triggers"]);
        assert.deepStrictEqual(replacingInputs[types.application], ["templateId"]);
    });

    it("the expiry resource replaces on a new rotation only; a new lifetime is no change (an update would preview the date unknown)", () => {
        assert.deepStrictEqual(diffSecretExpiry({ lifetimeDays: 90, rotation: 1 }, { lifetimeDays: 180, rotation: 1 }), {
            changes: false,
            replaces: [],
            deleteBeforeReplace: false,
        });
        assert.deepStrictEqual(diffSecretExpiry({ lifetimeDays: 90, rotation: 1 }, { lifetimeDays: 90, rotation: 2 }).replaces, ["rotation"]);
    });
});

describe("secrets survive every change except an explicit rotation", function () {
    this.timeout(120_000);
    let certificatePath: string;
    let pwshDir: string;
    before(() => {
        pwshDir = fs.mkdtempSync(path.join(os.tmpdir(), "m365-life-"));
        certificatePath = makeCertificate(pwshDir, "cert", 30, "/CN=lifecycle");
        // An update checks pwsh is there; nothing runs it.
        fs.writeFileSync(path.join(pwshDir, "pwsh"), "#!/bin/sh\n", { mode: 0o755 });
        process.env.PATH = `${pwshDir}${path.delimiter}${process.env.PATH}`;
    });
    after(() => fs.rmSync(pwshDir, { recursive: true, force: true }));

    const changes: [string, () => Record<string, unknown>][] = [
        ["renaming the app", () => ({ ...base, displayName: "EDI (renamed)" })],
        ["changing the secret lifetime", () => ({ ...base, secretLifetimeDays: 30 })],
        ["adding a mailbox", () => ({ ...base, mailboxes: [...base.mailboxes, { address: "invoices@contoso.com", protocols: ["pop"] }] })],
        ["switching smtpAuth to organization", () => ({ ...base, smtpAuth: "organization" })],
        ["adding a certificate credential", () => ({ ...base, credential: "both", certificate: { publicCertPath: certificatePath } })],
        ["changing the Exchange sign-in", () => ({ ...base, exchange: { ...exchange, reconcile: "all", reconcileRun: "r1" } })],
        ["setting owners", () => ({ ...base, owners: ["5f0e6a6e-1111-4111-8111-111111111111"] })],
    ];

    for (const [what, changed] of changes) {
        it(`${what}: no secret replaced or deleted, and no consent either`, async () => {
            for (const rotation of [0, 3]) {
                const { steps } = await replayed([
                    { ...base, secretRotation: rotation },
                    { ...changed(), secretRotation: rotation },
                ]);
                assert.deepStrictEqual(secretSteps(steps[1]), [], `rotation ${rotation}`);
                const consents = steps[1].filter(
                    (step) =>
                        [types.appRoleAssignment, types.servicePrincipal, types.application].includes(step.type as never) &&
                        ["replace", "delete"].includes(step.kind),
                );
                assert.deepStrictEqual(consents, [], `rotation ${rotation}`);
            }
        });
    }

    it("one rotation: exactly one secret created and at most one retired, the current one always valid", async () => {
        const { steps, replay } = await replayed([
            { ...base, secretRotation: 0 },
            { ...base, secretRotation: 1 },
        ]);
        assert.deepStrictEqual(
            secretSteps(steps[1]).map((s) => [s.kind, s.name]),
            [["create", "mail-app-secret-b"]],
            "rotation 1: the second slot is made, the first kept",
        );
        const { steps: next } = await replayed([{ ...base, secretRotation: 2 }], replay);
        const retired = secretSteps(next[0]);
        assert.deepStrictEqual(
            retired.map((s) => [s.kind, s.name, s.replacing.includes("rotateWhenChanged")]),
            [["replace", "mail-app-secret-a", true]],
            "rotation 2 replaces rotation 0's slot only",
        );
        const slots = [...replay.resources.values()].filter((entry) => entry.type === types.password).map((entry) => entry.inputs.rotateWhenChanged);
        assert.deepStrictEqual(slots.map((r: any) => r.rotation).sort(), ["1", "2"], "rotations 1 (previous) and 2 (current) are valid");
    });

    it("retiring the previous secret deletes exactly it; the next rotation makes one in the freed slot and deletes nothing", async () => {
        const { steps, replay } = await replayed([
            { ...base, secretRotation: 2 },
            { ...base, secretRotation: 3 },
            { ...base, secretRotation: 3, secretRetiredThrough: 2 },
        ]);
        assert.deepStrictEqual(
            steps[2]
                .filter((step) => step.kind !== "same" && step.kind !== "update")
                .map((s) => [s.kind, s.name])
                .sort(),
            [
                ["delete", "mail-app-secret-a"],
                ["delete", "mail-app-secret-a-expiry"],
            ],
            "only rotation 2's secret (and its expiry) goes; the current one, consents and the app stay",
        );
        const held = () =>
            [...replay.resources.values()]
                .filter((entry) => entry.type === types.password)
                .map((entry) => (entry.inputs.rotateWhenChanged as { rotation: string }).rotation)
                .sort();
        assert.deepStrictEqual(held(), ["3"]);
        const { steps: next } = await replayed([{ ...base, secretRotation: 4, secretRetiredThrough: 2 }], replay);
        assert.deepStrictEqual(
            secretSteps(next[0]).map((s) => [s.kind, s.name]),
            [["create", "mail-app-secret-a"]],
            "rotation 4 makes its secret in the freed slot; rotation 3 stays valid beside it",
        );
        assert.deepStrictEqual(held(), ["3", "4"]);
    });

    it("retiring in the update that rotates is refused before anything changes: clients still use the secret it would retire", async () => {
        const { replay } = await replayed([{ ...base, secretRotation: 4 }]);
        const before = JSON.stringify([...replay.resources.entries()]);
        const both = await replay.up(stackConfig({ ...base, secretRotation: 5, secretRetiredThrough: 4 }));
        assert.match(String(both.run.error), /secretRetiredThrough: 4 retires rotation 4's secret in the same update that makes rotation 5's/);
        assert.strictEqual(JSON.stringify([...replay.resources.entries()]), before, "the stack is as it was");
    });

    it("a jump of more than one, or back, is refused before anything changes", async () => {
        const { replay } = await replayed([{ ...base, secretRotation: 4 }]);
        const before = JSON.stringify([...replay.resources.entries()]);
        const jump = await replay.up(stackConfig({ ...base, secretRotation: 6 }));
        assert.match(String(jump.run.error), /secretRotation: 6 skips 1 rotation\(s\) after 4; rotate one step at a time/);
        const back = await replay.up(stackConfig({ ...base, secretRotation: 3 }));
        assert.match(String(back.run.error), /lower than the deployed 4/);
        assert.strictEqual(JSON.stringify([...replay.resources.entries()]), before, "the stack is as it was");
        assert.deepStrictEqual(secretSteps(jump.steps), [], "no secret step was taken");
    });

    it("the guard's check is what refuses (the engine runs it before any step)", async () => {
        assert.deepStrictEqual(await rotationGuardProvider.check!({ rotation: 1 }, { rotation: 2 }), { inputs: { rotation: 2 } });
        assert.deepStrictEqual(
            await rotationGuardProvider.check!(undefined as never, { rotation: 7 }),
            { inputs: { rotation: 7 } },
            "a new stack may start anywhere",
        );
        const refused = await rotationGuardProvider.check!({ rotation: 1 }, { rotation: 3 });
        assert.strictEqual(refused.failures?.[0].property, "rotation");
        const run = await runProgram(stackConfig({ ...base, secretRotation: 1 }), { preview: true });
        for (const password of ofType(run, types.password)) {
            assert.ok((password.options?.dependsOn as unknown[] | undefined)?.length, `${password.name} waits for the guard`);
        }
    });

    it("slots and steps as pure functions", () => {
        assert.deepStrictEqual(secretSlots(0), { current: { slot: "a", rotation: 0 } });
        assert.deepStrictEqual(secretSlots(5), { current: { slot: "b", rotation: 5 }, previous: { slot: "a", rotation: 4 } });
        assert.deepStrictEqual(secretSlots(5, 3), { current: { slot: "b", rotation: 5 }, previous: { slot: "a", rotation: 4 }, retiredThrough: 3 });
        assert.deepStrictEqual(secretSlots(5, 4), { current: { slot: "b", rotation: 5 }, retiredThrough: 4 }, "the previous retired");
        assert.strictEqual(retirementStepProblem(4, 5, 3), undefined, "an older rotation: nothing the clients use");
        assert.strictEqual(retirementStepProblem(5, 5, 4), undefined, "retiring after the rotation was deployed");
        assert.strictEqual(retirementStepProblem(undefined, 5, 4), undefined, "a new stack");
        assert.ok(retirementStepProblem(4, 5, 4), "retiring the deployed current one while rotating");
        assert.strictEqual(rotationStepProblem(undefined, 9), undefined);
        assert.strictEqual(rotationStepProblem(2, 2), undefined);
        assert.strictEqual(rotationStepProblem(2, 3), undefined);
        assert.ok(rotationStepProblem(2, 4));
        assert.ok(rotationStepProblem(2, 1));
    });
});

describe("the expiry warning reads the current secret itself", function () {
    this.timeout(60_000);
    const now = new Date("2026-11-22T12:00:00Z");
    const signIn = { displayName: "PDFC", userSignIn: { redirectUris: ["https://pdfc.contoso.com/cb"] } };

    it("warns within secretWarnDays with the date and the command, errors once expired", () => {
        const warning = expiryNotice("2026-12-10T00:00:00Z", now, 30, 4, "prod");
        assert.strictEqual(warning?.level, "warning");
        assert.match(warning.message, /expires on 2026-12-10T00:00:00Z \(in 18 days\)/);
        assert.match(warning.message, /pulumi config set m365-mail-oauth:secretRotation 5 --stack prod && pulumi up --stack prod/);
        assert.strictEqual(expiryNotice("2027-03-01T00:00:00Z", now, 30, 0, "prod"), undefined);
        assert.strictEqual(expiryNotice("2026-11-01T00:00:00Z", now, 30, 0, "prod")?.level, "error");
    });

    it("an expired current secret stops the update; the rotating update goes through; no stack reference", async () => {
        const fixed = Date.parse("2026-11-22T12:00:00Z");
        // Rotation 0's secret expires on 2026-11-01, rotation 1's in 2027.
        const replay = new EngineReplay({ expiresAt: (inputs) => (inputs.rotation === 1 ? "2027-05-01T00:00:00Z" : "2026-11-01T00:00:00Z") });
        const made = await withClock(
            () => Date.parse("2026-06-01T00:00:00Z"),
            () => replay.up(stackConfig({ ...signIn, secretRotation: 0 })),
        );
        assert.ifError(made.run.error);
        const stuck = await withClock(
            () => fixed,
            () => replay.up(stackConfig({ ...signIn, secretRotation: 0 }), true),
        );
        assert.match(String(stuck.run.error), /client secret expired on 2026-11-01T00:00:00Z[\s\S]*secretRotation 1/);
        const rotating = await withClock(
            () => fixed,
            () => replay.up(stackConfig({ ...signIn, secretRotation: 1 })),
        );
        assert.ifError(rotating.run.error);
        assert.ok(!rotating.run.resources.some((r) => r.type === "pulumi:pulumi:StackReference"));
    });

    it("with credential certificate there is no secret, so an old expired one can never block", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "m365-cert-"));
        try {
            const certificate = makeCertificate(dir, "c", 30, "/CN=x");
            const replay = new EngineReplay({ expiresAt: () => "2026-11-01T00:00:00Z" });
            const fixed = Date.parse("2026-11-22T12:00:00Z");
            await withClock(
                () => Date.parse("2026-06-01T00:00:00Z"),
                () => replay.up(stackConfig(signIn)),
            );
            const switched = await withClock(
                () => fixed,
                () => replay.up(stackConfig({ ...signIn, credential: "certificate", certificate: { publicCertPath: certificate } })),
            );
            assert.ifError(switched.run.error);
            assert.deepStrictEqual(
                secretSteps(switched.steps).map((s) => s.kind),
                ["delete"],
            );
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("engine behaviour the mocks hide", function () {
    this.timeout(60_000);

    it("owners: from config when set; otherwise the deployer once, never churned by a later deployer", async () => {
        const unset = await runProgram(stackConfig(base), { preview: true });
        for (const type of [types.application, types.servicePrincipal]) {
            assert.deepStrictEqual(ofType(unset, type)[0].options?.ignoreChanges, ["owners"], type);
        }
        const owners = ["5f0e6a6e-1111-4111-8111-111111111111", "5f0e6a6e-2222-4222-8222-222222222222"];
        const set = await runProgram(stackConfig({ ...base, owners }), { preview: true });
        assert.deepStrictEqual(ofType(set, types.application)[0].inputs.owners, owners);
        assert.strictEqual(ofType(set, types.application)[0].options?.ignoreChanges, undefined);
    });

    it("the replay follows ignoreChanges as the engine does: another deployer changes no owners, configured owners do", async () => {
        const replay = new EngineReplay();
        // Deployed as a preview kept (an update would want pwsh on PATH; nothing here runs it).
        await replay.up(stackConfig(base), true, true);
        const changed = (steps: Step[]) => steps.filter((s) => s.kind !== "same").map((s) => `${s.kind} ${s.type}`);
        const other = { deployerObjectId: "d0d0d0d0-0000-4000-8000-000000000002" };
        assert.deepStrictEqual(changed((await replay.up(stackConfig(base), true, false, other)).steps), []);
        assert.deepStrictEqual(changed((await replay.up(stackConfig({ ...base, owners: [other.deployerObjectId] }), true)).steps).sort(), [
            `update ${types.application}`,
            `update ${types.servicePrincipal}`,
        ]);
    });

    it("protect: true protects what no update replaces, plus a destroy guard that depends on every component", async () => {
        const run = await runProgram(stackConfig({ ...base, protect: true, keyVault: { resourceGroupName: "rg", vaultName: "kv-mail", secretName: "s" } }), {
            preview: true,
        });
        assert.ifError(run.error);
        const protectedOnes = run.resources.filter((resource) => resource.options?.protect === true).map((r) => r.type);
        assert.deepStrictEqual(protectedOnes.sort(), [types.application, types.destroyGuard, types.servicePrincipal].sort());
        const [guard] = ofType(run, types.destroyGuard);
        // The Entra application, the Exchange access and the Key Vault delivery: a component stands for its children.
        assert.strictEqual((guard.options?.dependsOn as unknown[]).length, 3);
        const open = await runProgram(stackConfig(base), { preview: true });
        assert.ok(open.resources.every((resource) => resource.options?.protect !== true));
        assert.deepStrictEqual(ofType(open, types.destroyGuard), []);
    });

    it("app role assignments wait for the enterprise application", async () => {
        const run = await runProgram(stackConfig(base), { preview: true });
        for (const assignment of ofType(run, types.appRoleAssignment)) {
            assert.strictEqual((assignment.options?.dependsOn as unknown[]).length, 1, assignment.name);
        }
    });

    it("the Exchange command has no alias to a URN no version had, and is deleted before a replacement", async () => {
        const run = await runProgram(stackConfig(base), { preview: true });
        const [command] = ofType(run, types.command);
        assert.strictEqual(command.options?.deleteBeforeReplace, true);
        assert.strictEqual(command.options?.aliases, undefined);
    });

    it("a secret stdin (the PFX password) does not make the granted mailboxes secret", async () => {
        const config = stackConfig({
            ...base,
            exchange: { ...exchange, auth: "certificate", appId: "11111111-2222-3333-4444-555555555555", certificatePath: "/x.pfx" },
        });
        config["m365-mail-oauth:exchangeCertificatePassword"] = "pfx-password";
        const run = await runProgram(config, { preview: true });
        assert.ifError(run.error);
        assert.strictEqual((await resolve(run.exports.exchangeMailboxesGranted)).secret, false);
    });

    it("the Key Vault subscription can come from config", async () => {
        const subscriptionId = "0b0b0b0b-0000-4000-8000-000000000001";
        const run = await runProgram(stackConfig({ ...base, keyVault: { resourceGroupName: "rg", vaultName: "kv-mail", secretName: "s", subscriptionId } }), {
            preview: true,
        });
        const providers = run.resources.filter((r) => r.type === resourceTypes.azureNativeProvider);
        assert.strictEqual(providers.length, 1);
        assert.strictEqual(providers[0].inputs.subscriptionId, subscriptionId);
    });
});
