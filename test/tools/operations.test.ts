/**
 * `npm run operations` (issue #30 part 2): the decision from a stack's status and the repository's items (one health
 * issue per stack, updated or left alone, closed when green; one pull request per secret step, never a second; retire
 * only after verify confirmed the new secret or after secretHandoverDays), the stack file edit that keeps comments,
 * the CLI against a fake GitHub HTTP layer (--dry-run and doing it), and the scheduled workflow's shape.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { projectRoot } from "../../facts/projectRoot";
import { stackStatus, statusReport } from "../../tools/status/decide";
import { StackFacts } from "../../tools/status/stackFacts";
import { at, healthyStack, now } from "./healthyStack";
import { GitHubItem, marker, markerOf, planOperations, StackFileText, stepBranch } from "../../tools/operations/decide";
import { setStackConfigNumber } from "../../tools/operations/stackFileEdit";
import { changeReviewMarkdown, main } from "../../tools/operations/cli";
import { Fetch } from "../../tools/operations/github";

const facts = (change: Partial<StackFacts> = {}, deployed: Partial<NonNullable<StackFacts["deployed"]>> = {}) =>
    healthyStack(["edi@contoso.com"], change, deployed);

const stackText = `# yaml-language-server: $schema=./config/stack-config.schema.json
# Development environment: the comments stay.
config:
  azuread:tenantId: 00000000-0000-0000-0000-000000000000
  m365-mail-oauth:displayName: Mail OAuth (dev) # the app's name in Entra ID
  m365-mail-oauth:mailboxes:
    - address: edi@contoso.com
      protocols: [imap, smtp]
  # Raised by one per rotation.
  m365-mail-oauth:secretRotation: 1
  m365-mail-oauth:smtpAuth: mailbox
`;
const stackFile: StackFileText = { path: "Pulumi.dev.yaml", text: stackText, secretRotation: 1 };

const failedVerify = {
    verify: {
        stack: "dev",
        at: at(-1),
        ok: false,
        secretRotation: 1,
        clientId: "c",
        rounds: 1,
        checks: [{ step: "imap", mailbox: "edi@contoso.com", ok: false, fix: "Add-MailboxPermission for the service principal" }],
    },
};
const expiring = { clientSecretExpiresAt: at(20) };
const handingOver = { secretRotation: 2, previousClientSecretExpiresAt: at(60), currentSecretCreatedAt: at(-3) };
const fileAt2: StackFileText = { ...stackFile, text: stackText.replace("secretRotation: 1", "secretRotation: 2"), secretRotation: 2 };

function issue(number: number, body: string, change: Partial<GitHubItem> = {}): GitHubItem {
    return { number, title: "t", body, state: "open", labels: ["m365-operations"], pullRequest: false, ...change };
}

describe("npm run operations: the decision", () => {
    it("a green stack with nothing open: nothing to do", () => {
        const plan = planOperations(stackStatus(facts(), now), stackFile, []);
        assert.deepStrictEqual(plan.operations, []);
    });

    it("a failing stack: one issue, labelled, with its marker, the diagnosis and the fix", () => {
        const plan = planOperations(stackStatus(facts(failedVerify), now), stackFile, []);
        assert.strictEqual(plan.operations.length, 1);
        const [open] = plan.operations;
        assert.ok(open?.do === "open issue");
        assert.deepStrictEqual(open.labels, ["m365-operations"]);
        assert.strictEqual(open.title, "Stack dev needs action: fix login");
        assert.deepStrictEqual(markerOf(open.body), { stack: "dev", kind: "health" });
        assert.match(open.body, /verify failed on .*imap edi@contoso\.com/);
        assert.match(open.body, /Add-MailboxPermission for the service principal/);
    });

    it("an open issue that says the same is left alone; one that differs is updated; a duplicate is closed", () => {
        const status = stackStatus(facts(failedVerify), now);
        const [open] = planOperations(status, stackFile, []).operations;
        assert.ok(open?.do === "open issue");
        const same = planOperations(status, stackFile, [issue(4, open.body, { title: open.title })]);
        assert.deepStrictEqual(same.operations, []);
        assert.match(same.notes.join("\n"), /#4 already says this/);
        const changed = planOperations(status, stackFile, [issue(4, `${marker("dev", "health")}\nold diagnosis`), issue(9, marker("dev", "health"))]);
        assert.deepStrictEqual(
            changed.operations.map((o) => [o.do, "number" in o ? o.number : undefined]),
            [
                ["update issue", 4],
                ["close issue", 9],
            ],
        );
        // Another stack's issue, a closed one and one without the marker are not this stack's.
        const others = planOperations(status, stackFile, [
            issue(5, marker("prod", "health")),
            issue(6, marker("dev", "health"), { state: "closed" }),
            issue(7, "no marker"),
        ]);
        assert.deepStrictEqual(
            others.operations.map((o) => o.do),
            ["open issue"],
        );
    });

    it("a green stack closes its open issue with a comment, and only its own", () => {
        const plan = planOperations(stackStatus(facts(), now), stackFile, [issue(4, marker("dev", "health")), issue(5, marker("prod", "health"))]);
        assert.deepStrictEqual(plan.operations.length, 1);
        const [close] = plan.operations;
        assert.ok(close?.do === "close issue");
        assert.strictEqual(close.number, 4);
        assert.match(close.comment, /needs no action/);
    });

    it("within secretWarnDays: one pull request raising secretRotation by one, the change review as its body; the secret step is not a health issue", () => {
        const status = stackStatus(facts({}, expiring), now);
        assert.deepStrictEqual(status.actions, ["rotate"]);
        const branch = stepBranch("dev", "rotate", 2);
        const plan = planOperations(status, stackFile, [], new Map([[branch, '## Change review for stack "dev"\n\n- client secret of rotation 2 created']]));
        assert.strictEqual(plan.operations.length, 1);
        const [pull] = plan.operations;
        assert.ok(pull?.do === "open pull request");
        assert.strictEqual(pull.branch, "m365-operations/dev/secret-rotation-2");
        assert.deepStrictEqual(markerOf(pull.body), { stack: "dev", kind: "rotate", step: 2 });
        assert.match(pull.body, /## Change review for stack "dev"\n\n- client secret of rotation 2 created/);
        assert.match(pull.body, /expires on .*in 20 day\(s\) \(secretWarnDays: 30\)/);
        assert.match(pull.content, /m365-mail-oauth:secretRotation: 2\n/);
        assert.match(pull.title, /secretRotation 1 → 2/);
    });

    it("never a second pull request for the same rotation: open, closed unmerged, or on its branch without the marker", () => {
        const status = stackStatus(facts({}, expiring), now);
        const pr = (change: Partial<GitHubItem>) => issue(12, marker("dev", "rotate", 2), { pullRequest: true, ...change });
        for (const item of [pr({}), pr({ state: "closed" }), pr({ body: "made by hand", headBranch: stepBranch("dev", "rotate", 2), labels: [] })]) {
            const plan = planOperations(status, stackFile, [item]);
            assert.ok(!plan.operations.some((o) => o.do === "open pull request"), JSON.stringify(item));
            assert.match(plan.notes.join("\n"), /#12 .* already proposes secretRotation 2; no second one/);
            // Closed unmerged: no pull request carries the rotation any more, so the health issue names it.
            assert.deepStrictEqual(
                plan.operations.map((o) => o.do),
                item.state === "closed" ? ["open issue"] : [],
            );
            if (item.state === "closed")
                assert.match((plan.operations[0] as { body: string }).body, /\*\*rotate\*\*: .*#12 proposed it and was closed unmerged/);
        }
        // A pull request of an earlier rotation does not stand for this one.
        const earlier = planOperations(status, stackFile, [issue(3, marker("dev", "rotate", 1), { pullRequest: true, state: "closed" })]);
        assert.deepStrictEqual(
            earlier.operations.map((o) => o.do),
            ["open pull request"],
        );
        // Merged but not deployed yet: the stack file is ahead of the state; deploy, not a second step.
        const merged = planOperations(status, fileAt2, []);
        assert.deepStrictEqual(merged.operations, []);
        assert.match(merged.notes.join("\n"), /sets secretRotation 2 while rotation 1 is deployed: deploy it first/);
    });

    it("retires only once verify passed with the new secret or after secretHandoverDays, setting secretRetiredThrough to rotation - 1, once", () => {
        // Three days after rotation 2, no verify with it: the previous secret stays.
        const early = planOperations(stackStatus(facts({}, handingOver), now), fileAt2, []);
        assert.deepStrictEqual(early.operations, []);
        // Verify passed with rotation 1 (the old secret): not a confirmation of rotation 2.
        const old = { verify: { ...failedVerify.verify, at: at(-1), ok: true, secretRotation: 1, checks: [] } };
        assert.deepStrictEqual(planOperations(stackStatus(facts(old, handingOver), now), fileAt2, []).operations, []);
        // Confirmed: verify passed with rotation 2.
        const confirmed = { verify: { ...old.verify, secretRotation: 2 } };
        const plan = planOperations(stackStatus(facts(confirmed, handingOver), now), fileAt2, []);
        assert.strictEqual(plan.operations.length, 1);
        const [pull] = plan.operations;
        assert.ok(pull?.do === "open pull request");
        assert.strictEqual(pull.kind, "retire");
        assert.strictEqual(pull.branch, "m365-operations/dev/secret-retired-through-1");
        assert.match(pull.content, /m365-mail-oauth:secretRotation: 2\n {2}m365-mail-oauth:smtpAuth: mailbox\n {2}m365-mail-oauth:secretRetiredThrough: 1\n$/);
        assert.match(pull.body, /verify passed with rotation 2/);
        // After secretHandoverDays (14) without a verify.
        const handedOver = planOperations(stackStatus(facts({}, { ...handingOver, currentSecretCreatedAt: at(-15) }), now), fileAt2, []);
        assert.deepStrictEqual(
            handedOver.operations.map((o) => o.do),
            ["open pull request"],
        );
        assert.match((handedOver.operations[0] as { body: string }).body, /15 day\(s\) after rotation 2 \(secretHandoverDays: 14\)/);
        // Never twice, and not when the stack file already retires it.
        const twice = planOperations(stackStatus(facts(confirmed, handingOver), now), fileAt2, [
            issue(20, marker("dev", "retire", 1), { pullRequest: true, state: "open" }),
        ]);
        assert.deepStrictEqual(twice.operations, []);
        const done = planOperations(stackStatus(facts(confirmed, handingOver), now), { ...fileAt2, secretRetiredThrough: 1 }, []);
        assert.deepStrictEqual(done.operations, []);
        assert.match(done.notes.join("\n"), /already sets secretRetiredThrough 1/);
    });
});

describe("npm run operations: the stack file edit", () => {
    it("changes only the value: comments, order, flow lists and other values stay", () => {
        const edited = setStackConfigNumber(stackText, "m365-mail-oauth:secretRotation", 2);
        const before = stackText.split("\n");
        const after = edited.split("\n");
        assert.strictEqual(after.length, before.length);
        const differing = before.map((line, i) => [line, after[i]]).filter(([a, b]) => a !== b);
        assert.deepStrictEqual(differing, [["  m365-mail-oauth:secretRotation: 1", "  m365-mail-oauth:secretRotation: 2"]]);
    });

    it("a quoted value stays a string; a missing key is added to config", () => {
        const quoted = setStackConfigNumber('config:\n  # n\n  m365-mail-oauth:secretRotation: "3"\n', "m365-mail-oauth:secretRotation", 4);
        assert.strictEqual(quoted, 'config:\n  # n\n  m365-mail-oauth:secretRotation: "4"\n');
        const added = setStackConfigNumber("# top\nconfig:\n  m365-mail-oauth:displayName: X # name\n", "m365-mail-oauth:secretRotation", 1);
        assert.strictEqual(added, "# top\nconfig:\n  m365-mail-oauth:displayName: X # name\n  m365-mail-oauth:secretRotation: 1\n");
    });

    it("the rotation pull request's review is the offline change review of the edit: the new rotation's secret created, none retired", async function () {
        this.timeout(300_000);
        const base = fs.readFileSync(path.join(projectRoot(), "Pulumi.dev.yaml"), "utf8");
        const markdown = await changeReviewMarkdown("dev", base, setStackConfigNumber(base, "m365-mail-oauth:secretRotation", 1));
        assert.match(markdown, /Change review for stack "dev"/);
        assert.match(markdown, /Created: the client secret of rotation 1/);
        assert.match(markdown, /\| Client secrets retired \| 0 \|/);
    });
});

/** A fake GitHub REST API: answers from a route table, and records every call. */
function fakeGitHub(items: unknown[], files: Record<string, string> = {}) {
    const calls: { method: string; route: string; body?: any }[] = [];
    const fetch: Fetch = async (url, init) => {
        const method = init?.method ?? "GET";
        const route = url.replace("https://api.github.com/repos/contoso/mail", "");
        const body = init?.body !== undefined ? JSON.parse(init.body) : undefined;
        calls.push({ method, route, body });
        const reply = (status: number, value: unknown) => ({ status, ok: status < 300, json: async () => value, text: async () => JSON.stringify(value) });
        if (method === "GET" && route.startsWith("/issues?")) return reply(200, route.includes("page=1") ? items : []);
        if (method === "GET" && route.startsWith("/pulls?")) return reply(200, []);
        if (method === "GET" && route === "") return reply(200, { default_branch: "main" });
        if (method === "GET" && route === "/git/ref/heads/main") return reply(200, { object: { sha: "c0ffee" } });
        const file = /^\/contents\/([^?]+)\?ref=main$/.exec(route);
        if (method === "GET" && file) return reply(200, { sha: "blob1", content: Buffer.from(files[file[1]!] ?? "").toString("base64") });
        if (method === "POST" && route === "/issues") return reply(201, { number: 31 });
        if (method === "POST" && route === "/pulls") return reply(201, { number: 32 });
        if (method === "POST" || method === "PATCH" || method === "PUT") return reply(200, {});
        return reply(404, { message: "Not Found" });
    };
    return { fetch, calls };
}

describe("npm run operations: the command line", () => {
    let root: string;
    let statusFile: string;
    const review = async () => "## Change review (fake)";
    beforeEach(() => {
        root = fs.mkdtempSync(path.join(os.tmpdir(), "m365-operations-"));
        fs.writeFileSync(path.join(root, "Pulumi.dev.yaml"), stackText);
        statusFile = path.join(root, "status.json");
        // A stack whose login fails and whose secret is due: a health issue and a rotation pull request.
        fs.writeFileSync(statusFile, JSON.stringify(statusReport([facts(failedVerify, expiring)], now)));
    });
    afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

    async function run(argv: string[], env: NodeJS.ProcessEnv, fetch?: Fetch) {
        const out: string[] = [];
        const err: string[] = [];
        const code = await main(
            argv,
            (t) => out.push(t),
            (t) => err.push(t),
            { root, env, now, review, ...(fetch ? { fetch } : {}) },
        );
        return { code, out: out.join("\n"), err: err.join("\n") };
    }

    it("--dry-run reads the repository's items and prints what it would do, changing nothing", async () => {
        const github = fakeGitHub([
            { number: 4, title: "old", body: `${marker("dev", "health")}\nold`, state: "open", labels: [{ name: "m365-operations" }] },
            { number: 8, title: "p", body: marker("prod", "health"), state: "open", labels: [{ name: "m365-operations" }] },
        ]);
        const { code, out } = await run(
            ["--stack", "dev", "--dry-run", "--status", statusFile],
            { GITHUB_TOKEN: "t", GITHUB_REPOSITORY: "contoso/mail" },
            github.fetch,
        );
        assert.strictEqual(code, 0);
        assert.match(out, /would update issue #4: "Stack dev needs action: fix login"/);
        assert.match(
            out,
            /would open pull request "Rotate the client secret of stack dev: secretRotation 1 → 2" from branch m365-operations\/dev\/secret-rotation-2/,
        );
        assert.doesNotMatch(out, /#8/);
        assert.deepStrictEqual([...new Set(github.calls.map((c) => c.method))], ["GET"]);
        assert.ok(github.calls.every((c) => /^\/(issues|pulls)\?/.test(c.route)));
    });

    it("--dry-run without a token assumes nothing is open and says so", async () => {
        const { code, out } = await run(["--stack", "dev", "--dry-run", "--status", statusFile], {});
        assert.strictEqual(code, 0);
        assert.match(out, /no GITHUB_TOKEN and GITHUB_REPOSITORY: assuming no open issues or pull requests/);
        assert.match(out, /would open issue "Stack dev needs action: fix login"/);
        assert.match(out, /would open pull request/);
    });

    it("without --dry-run: opens the issue, and the pull request through the refs and contents APIs with the edited file", async () => {
        const github = fakeGitHub([], { "Pulumi.dev.yaml": stackText });
        const { code, out, err } = await run(
            ["--stack", "dev", "--status", statusFile],
            { GITHUB_TOKEN: "t", GITHUB_REPOSITORY: "contoso/mail" },
            github.fetch,
        );
        assert.strictEqual(code, 0, err);
        assert.match(out, /opened issue #31/);
        assert.match(out, /opened pull request #32/);
        const writes = github.calls.filter((c) => c.method !== "GET");
        assert.deepStrictEqual(
            writes.map((c) => `${c.method} ${c.route}`),
            ["POST /issues", "POST /git/refs", "PUT /contents/Pulumi.dev.yaml", "POST /pulls", "POST /issues/32/labels"],
        );
        assert.deepStrictEqual(writes[1]!.body, { ref: "refs/heads/m365-operations/dev/secret-rotation-2", sha: "c0ffee" });
        const put = writes[2]!.body;
        assert.strictEqual(put.branch, "m365-operations/dev/secret-rotation-2");
        assert.strictEqual(put.sha, "blob1");
        assert.strictEqual(Buffer.from(put.content, "base64").toString("utf8"), stackText.replace("secretRotation: 1", "secretRotation: 2"));
        assert.match(writes[3]!.body.body, /## Change review \(fake\)/);
        assert.deepStrictEqual(writes[0]!.body.labels, ["m365-operations"]);
    });

    it("a GitHub call that fails: exit 1 with the route and status, and nothing is written", async () => {
        const calls: string[] = [];
        const failing: Fetch = async (url, init) => {
            calls.push(`${init?.method ?? "GET"} ${url}`);
            return { status: 403, ok: false, json: async () => ({}), text: async () => '{"message":"Resource not accessible by integration"}' };
        };
        const { code, err } = await run(["--stack", "dev", "--status", statusFile], { GITHUB_TOKEN: "t", GITHUB_REPOSITORY: "contoso/mail" }, failing);
        assert.strictEqual(code, 1);
        assert.match(err, /GET \/issues\?labels=m365-operations.*HTTP 403 .*Resource not accessible by integration/);
        assert.deepStrictEqual(calls.length, 1);
    });

    it("without a token and without --dry-run: a usage error, nothing done", async () => {
        const { code, err } = await run(["--stack", "dev", "--status", statusFile], {});
        assert.strictEqual(code, 2);
        assert.match(err, /GITHUB_TOKEN and GITHUB_REPOSITORY are needed/);
    });
});

describe("npm run operations: the scheduled workflow", () => {
    const root = projectRoot();
    const workflow = parse(fs.readFileSync(path.join(root, ".github", "workflows", "operations.yml"), "utf8"));

    it("runs daily and on demand (with a dry-run input)", () => {
        assert.ok(Array.isArray(workflow.on.schedule) && workflow.on.schedule[0].cron);
        assert.strictEqual(workflow.on.workflow_dispatch.inputs["dry-run"].type, "boolean");
    });

    it("one matrix job per stack from npm run stacks, with write access to issues, pull requests and contents there only", () => {
        assert.deepStrictEqual(workflow.permissions, { contents: "read" });
        assert.ok(workflow.jobs.stacks.steps.some((s: any) => /npm run -s stacks -- --json/.test(s.run ?? "")));
        const job = workflow.jobs.stack;
        assert.strictEqual(job.strategy.matrix.stack, "${{ fromJSON(needs.stacks.outputs.stacks) }}");
        assert.strictEqual(job.strategy["fail-fast"], false);
        assert.strictEqual(job.env.STACK, "${{ matrix.stack }}");
        assert.strictEqual(job.permissions.issues, "write");
        assert.strictEqual(job.permissions["pull-requests"], "write");
        assert.strictEqual(job.permissions.contents, "write");
    });

    it("verify --wait (a failure goes on), then status as JSON, then operations with that status and the workflow's token", () => {
        const steps: any[] = workflow.jobs.stack.steps;
        const index = (pattern: RegExp) => steps.findIndex((s) => pattern.test(s.run ?? ""));
        const verify = index(/npm run -s verify -- --stack "\$STACK" --wait/);
        const status = index(/npm run -s status -- --stack "\$STACK" --format json > status\.json/);
        const operations = index(/npm run -s operations -- --stack "\$STACK" --status status\.json/);
        assert.ok(verify >= 0 && verify < status && status < operations, `${verify} ${status} ${operations}`);
        assert.strictEqual(steps[verify]["continue-on-error"], true);
        assert.strictEqual(steps[operations].env.GITHUB_TOKEN, "${{ github.token }}");
        const sdk = JSON.parse(fs.readFileSync(path.join(root, "package-lock.json"), "utf8")).packages["node_modules/@pulumi/pulumi"].version;
        const pulumi = steps.find((s) => String(s.uses).startsWith("pulumi/actions@"));
        assert.strictEqual(String(pulumi.with["pulumi-version"]), sdk);
    });

    it("deploy.yml deploys on push to main, so merging a step's pull request deploys it", () => {
        const deploy = parse(fs.readFileSync(path.join(root, ".github", "workflows", "deploy.yml"), "utf8"));
        assert.deepStrictEqual(deploy.on.push.branches, ["main"]);
        assert.strictEqual(deploy.on.push.paths, undefined);
    });
});
