/**
 * The secret slots, the rotation guard, the expiry and the destroy guard under the real Pulumi engine
 * (test/e2e/programs/credentials, over the stand-in Entra ID's Graph), asserting on `pulumi preview --json`, on the
 * state, and on what each secret can sign in to at the stand-in.
 */
import * as assert from "assert";
import * as path from "path";
import { changedSteps as changed, EngineProject, requireEngine, urnName } from "./engine";
import { deployedSecret } from "../../tools/review/deployedState";
import { EngineStandIn, startStandInEntraForEngine } from "../fixtures/entra/forEngine";

const stack = "e2e";

describe("secrets under the real engine", function () {
    this.timeout(600_000);
    let project: EngineProject;
    let standIn: EngineStandIn;

    before(async function () {
        const engine = requireEngine(this);
        standIn = await startStandInEntraForEngine();
        project = new EngineProject(engine, "credentials", false, standIn.env);
    });

    after(async () => {
        project?.dispose();
        await standIn?.stop();
    });

    /** The app's client ID and each slot's secret, from the state (the secret is a secret output there). */
    function deployed(stack: string): { clientId: string; secrets: Record<string, string> } {
        const resources = project.resources(stack);
        const secrets: Record<string, string> = {};
        for (const slot of ["a", "b"]) {
            const value = resources.find((r) => urnName(r.urn) === `mail-app-secret-${slot}`)?.outputs.value;
            if (value !== undefined) secrets[slot] = value;
        }
        return { clientId: resources.find((r) => urnName(r.urn) === "mail-app")!.outputs.clientId, secrets };
    }

    /** Password calls the stand-in has answered so far. */
    const passwordCalls = () => standIn.requests().filter((r) => /\/(add|remove)Password$/.test(r.path)).length;

    it("a new lifetime previews as no change to any secret, and the update keeps each end date", async () => {
        project.initStack(stack, { rotation: "0", lifetimeDays: "90" });
        project.ok(["up", "--stack", stack, "--yes"]);
        const first = deployed(stack);
        assert.ok(await standIn.signsIn(first.clientId, first.secrets.a), "the deployed secret gets a token at the stand-in");
        assert.ok(!JSON.stringify(project.exportedState(stack)).includes(first.secrets.a), "the secret is encrypted in the state");
        const before = project.resources(stack).find((r) => urnName(r.urn) === "mail-app-secret-a")!.outputs.endDate;
        // The offline review reads the deployed secret's end date from the state file the real engine wrote.
        assert.deepStrictEqual(deployedSecret(project.backendUrl, "m365-mail-oauth-credentials", stack), { rotation: 0, expiresAt: before });
        project.writeConfig(stack, { rotation: "0", lifetimeDays: "180" });
        const preview = project.previewJson(stack);
        assert.strictEqual(preview.code, 0, preview.output);
        assert.deepStrictEqual(changed(preview.steps), []);
        const calls = passwordCalls();
        project.ok(["up", "--stack", stack, "--yes", "--expect-no-changes"]);
        assert.strictEqual(project.resources(stack).find((r) => urnName(r.urn) === "mail-app-secret-a")!.outputs.endDate, before);
        assert.strictEqual(passwordCalls(), calls, "no secret was added or removed at the stand-in");
        assert.ok(await standIn.signsIn(first.clientId, first.secrets.a));
    });

    it("each rotation replaces exactly one secret, the previous one signs in until the next; a jump is refused in the preview", async () => {
        for (const rotation of [1, 2, 3]) {
            const before = deployed(stack);
            project.writeConfig(stack, { rotation: String(rotation), lifetimeDays: "180" });
            const preview = project.previewJson(stack);
            assert.strictEqual(preview.code, 0, preview.output);
            const slot = rotation % 2 === 0 ? "a" : "b";
            const secretSteps = changed(preview.steps).filter((step) => /mail-app-secret-[ab]$/.test(step));
            // Rotation 1 creates slot b; later ones replace the older slot.
            assert.deepStrictEqual(secretSteps, rotation === 1 ? [`create mail-app-secret-${slot}`] : [`replace mail-app-secret-${slot}`]);
            project.ok(["up", "--stack", stack, "--yes"]);
            const after = deployed(stack);
            const previous = slot === "a" ? "b" : "a";
            assert.strictEqual(after.clientId, before.clientId, "the app is the same");
            assert.notStrictEqual(after.secrets[slot], before.secrets[slot], `slot ${slot} has a new secret`);
            assert.ok(await standIn.signsIn(after.clientId, after.secrets[slot]), `rotation ${rotation}: the new secret signs in`);
            assert.ok(await standIn.signsIn(after.clientId, after.secrets[previous]), `rotation ${rotation}: the previous secret still signs in`);
            if (before.secrets[slot] !== undefined)
                assert.ok(!(await standIn.signsIn(after.clientId, before.secrets[slot])), `rotation ${rotation}: the secret two rotations old is removed`);
            const app = standIn.tenant().applications.find((a) => a.appId === after.clientId)!;
            assert.strictEqual(app.passwordCredentials.length, 2, "exactly two secrets on the app");
        }
        project.writeConfig(stack, { rotation: "5", lifetimeDays: "180" });
        const jump = project.previewJson(stack);
        assert.notStrictEqual(jump.code, 0);
        assert.match(jump.output, /m365-mail-oauth:secretRotation: 5 skips 1 rotation\(s\) after 3/);
    });

    it("protect: rotations and replacements still apply, and destroy stops before deleting anything", () => {
        const protectedStack = "e2e-protected";
        project.initStack(protectedStack, { rotation: "0", lifetimeDays: "30", protect: "true" });
        project.ok(["up", "--stack", protectedStack, "--yes"]);
        for (const rotation of [1, 2, 3]) {
            project.writeConfig(protectedStack, { rotation: String(rotation), lifetimeDays: "30", protect: "true" });
            const up = project.pulumi(["up", "--stack", protectedStack, "--yes"]);
            assert.strictEqual(up.code, 0, up.output);
        }
        const before = project
            .resources(protectedStack)
            .map((r) => r.urn)
            .sort();
        assert.deepStrictEqual(
            project
                .resources(protectedStack)
                .filter((r) => r.protect)
                .map((r) => urnName(r.urn))
                .sort(),
            ["destroy-guard", "mail-app"],
        );
        const held = JSON.stringify(standIn.tenant().applications.find((a) => a.appId === deployed(protectedStack).clientId));
        const destroy = project.pulumi(["destroy", "--stack", protectedStack, "--yes"]);
        assert.notStrictEqual(destroy.code, 0, "destroy of a protected stack must fail");
        assert.match(destroy.output, /destroy-guard.*protected|protected.*destroy-guard/s);
        assert.deepStrictEqual(
            project
                .resources(protectedStack)
                .map((r) => r.urn)
                .sort(),
            before,
            "nothing was deleted",
        );
        assert.strictEqual(
            JSON.stringify(standIn.tenant().applications.find((a) => a.appId === deployed(protectedStack).clientId)),
            held,
            "the stand-in Entra ID still holds the app and both secrets",
        );
    });

    it("pulumi preview --policy-pack policy reports a secret lifetime the pack refuses, and passes one it allows", () => {
        const policyStack = "e2e-policy";
        const pack = path.join(project.root, "policy");
        project.initStack(policyStack, { rotation: "0", lifetimeDays: "400" });
        const refused = project.pulumi(["preview", "--stack", policyStack, "--policy-pack", pack]);
        assert.notStrictEqual(refused.code, 0, "a mandatory violation fails the preview");
        assert.match(refused.output, /secret-lifetime-at-most/);
        assert.match(refused.output, /the client secret lives 400 days; this policy allows at most 365/);
        project.writeConfig(policyStack, { rotation: "0", lifetimeDays: "90" });
        const allowed = project.pulumi(["preview", "--stack", policyStack, "--policy-pack", pack]);
        assert.strictEqual(allowed.code, 0, allowed.output);
        assert.doesNotMatch(allowed.output, /secret-lifetime-at-most.*mandatory/s);
    });

    it("destroy of the unprotected stack leaves nothing of it in the stand-in Entra ID, and what the stack did not make stays", async () => {
        const { clientId, secrets } = deployed(stack);
        const others = standIn
            .tenant()
            .applications.filter((a) => a.appId !== clientId)
            .map((a) => a.appId);
        project.ok(["destroy", "--stack", stack, "--yes"]);
        assert.ok(!standIn.tenant().applications.some((a) => a.appId === clientId), "the app is gone");
        assert.ok(!standIn.tenant().servicePrincipals.some((sp) => sp.appId === clientId), "its service principal went with it");
        assert.deepStrictEqual(
            standIn
                .tenant()
                .applications.map((a) => a.appId)
                .sort(),
            others.sort(),
            "the deployer's app and the protected stack's app stay",
        );
        for (const secret of Object.values(secrets)) assert.ok(!(await standIn.signsIn(clientId, secret)));
    });
});
