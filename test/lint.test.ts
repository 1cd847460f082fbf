/**
 * The lint rules the design relies on, checked by ESLint itself: plan/ stays pure (no @pulumi/* imports), and no
 * floor imports a higher one (facts/ < config/ < plan/ < components/ < tools/).
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

    it("a lower floor may not import a higher one: config/ from tools/ or plan/, plan/ from components/", async () => {
        const { ESLint } = require("eslint") as typeof import("eslint");
        const eslint = new ESLint({ cwd: projectRoot() });
        const upward = async (file: string, from: string) => {
            const [result] = await eslint.lintText(`import { x } from "${from}";\nexport const y = x;\n`, { filePath: path.join(projectRoot(), file) });
            return result.messages.filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);
        };
        assert.match((await upward("config/probe.ts", "../tools/markdownTable")).join(), /config\/ is a lower floor than tools\//);
        assert.match((await upward("config/probe.ts", "../plan/secretRotation")).join(), /config\/ is a lower floor than plan\//);
        assert.match((await upward("plan/probe.ts", "../components/destroyGuard")).join(), /plan\/ is a lower floor than components\//);
        assert.match((await upward("facts/probe.ts", "../config/choices")).join(), /facts\/ is a lower floor than config\//);
        assert.deepStrictEqual(await upward("tools/probe.ts", "../config/markdownTable"), [], "a higher floor imports a lower one freely");
    });
});
