/**
 * The lint rules the design relies on: plan/ stays pure (no @pulumi/* imports), checked by ESLint itself.
 */
import * as assert from "assert";
import * as path from "path";
import { projectRoot } from "../facts/projectRoot";

describe("lint rules", function () {
    this.timeout(60_000);

    it("plan/ may not import @pulumi/*; components/ may", async () => {
        const { ESLint } = require("eslint") as typeof import("eslint");
        const eslint = new ESLint({ cwd: projectRoot() });
        const probe = 'import * as pulumi from "@pulumi/pulumi";\nexport const stack = pulumi.getStack;\n';
        const [inPlan] = await eslint.lintText(probe, { filePath: path.join(projectRoot(), "plan", "probe.ts") });
        assert.ok(
            inPlan.messages.some((m) => m.ruleId === "no-restricted-imports" && /plan\/ is pure/.test(m.message)),
            JSON.stringify(inPlan.messages),
        );
        const [inComponents] = await eslint.lintText(probe, { filePath: path.join(projectRoot(), "components", "probe.ts") });
        assert.deepStrictEqual(
            inComponents.messages.filter((m) => m.ruleId === "no-restricted-imports"),
            [],
        );
    });
});
