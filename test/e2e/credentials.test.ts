/**
 * The secret slots, the rotation guard, the expiry and the destroy guard under the real Pulumi engine
 * (test/e2e/programs/credentials), asserting on `pulumi preview --json` and on the state.
 */
import * as assert from "assert";
import { EngineProject, requireEngine, urnName } from "./engine";
import { deployedSecret } from "../../tools/review/deployedState";

const stack = "e2e";

function changed(steps: { op: string; urn: string; type: string }[]): string[] {
    return steps.filter((step) => step.op !== "same" && step.type !== "pulumi:pulumi:Stack").map((step) => `${step.op} ${urnName(step.urn)}`);
}

describe("secrets under the real engine", function () {
    this.timeout(600_000);
    let project: EngineProject;

    before(function () {
        project = new EngineProject(requireEngine(this), "credentials");
    });

    after(() => project?.dispose());

    it("a new lifetime previews as no change to any secret, and the update keeps each end date", () => {
        project.initStack(stack, { rotation: "0", lifetimeDays: "90" });
        project.ok(["up", "--stack", stack, "--yes"]);
        const before = project.resources(stack).find((r) => urnName(r.urn) === "mail-app-secret-a")!.outputs.endDate;
        // The offline review reads the deployed secret's end date from the state file the real engine wrote.
        assert.deepStrictEqual(deployedSecret(project.backendUrl, "m365-mail-oauth-credentials", stack), { rotation: 0, expiresAt: before });
        project.writeConfig(stack, { rotation: "0", lifetimeDays: "180" });
        const preview = project.previewJson(stack);
        assert.strictEqual(preview.code, 0, preview.output);
        assert.deepStrictEqual(changed(preview.steps), []);
        project.ok(["up", "--stack", stack, "--yes", "--expect-no-changes"]);
        assert.strictEqual(project.resources(stack).find((r) => urnName(r.urn) === "mail-app-secret-a")!.outputs.endDate, before);
    });

    it("each rotation replaces exactly one secret; a jump is refused in the preview with the project's message", () => {
        for (const rotation of [1, 2, 3]) {
            project.writeConfig(stack, { rotation: String(rotation), lifetimeDays: "180" });
            const preview = project.previewJson(stack);
            assert.strictEqual(preview.code, 0, preview.output);
            const slot = rotation % 2 === 0 ? "a" : "b";
            const secretSteps = changed(preview.steps).filter((step) => /mail-app-secret-[ab]$/.test(step));
            // Rotation 1 creates slot b; later ones replace the older slot.
            assert.deepStrictEqual(secretSteps, rotation === 1 ? [`create mail-app-secret-${slot}`] : [`replace mail-app-secret-${slot}`]);
            project.ok(["up", "--stack", stack, "--yes"]);
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
    });
});
