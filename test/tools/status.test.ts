/**
 * `npm run status`: the decision from one stack's facts (each action, its thresholds from the stack's config, what
 * is not an action), the three formats and the exit code; and the reader over local file backends laid out as
 * Pulumi 3.248 writes them (project and legacy layouts, gzip, history order), with verify's record. The reader on a
 * state the real CLI wrote: test/e2e/stack.test.ts (scenario 7).
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as zlib from "zlib";
import { configChanges, exitCodeOf, stackStatus, statusReport } from "../../tools/status/decide";
import { renderStatus } from "../../tools/status/render";
import { StackFacts } from "../../tools/status/stackFacts";
import { at, config, deployedAt, healthyStack, now } from "./healthyStack";
import { readStackFacts, stackFileFacts } from "../../tools/status/stateReader";
import { main } from "../../tools/status/cli";
import { fleet, writeSyntheticStacks } from "../../tools/bench/syntheticStacks";
import { readVerifyRecord, verifyRecord, writeVerifyRecord } from "../../tools/verify/record";

const healthy = (change: Partial<StackFacts> = {}, deployed: Partial<NonNullable<StackFacts["deployed"]>> = {}) =>
    healthyStack(["edi@contoso.com", "archive@contoso.com"], change, deployed);

describe("npm run status: the decision", () => {
    it("a healthy stack needs nothing, and the report exits 0", () => {
        const status = stackStatus(healthy(), now);
        assert.deepStrictEqual(status.actions, []);
        assert.strictEqual(status.state, "deployed");
        assert.deepStrictEqual(status.secret, {
            rotation: 1,
            createdAt: deployedAt,
            expiresAt: at(140),
            daysLeft: 140,
            previousExpiresAt: at(-1),
            previousDaysLeft: -1,
            retirementDue: false,
        });
        assert.deepStrictEqual(status.mailboxes, { configured: 2, granted: 2, failed: 0 });
        assert.deepStrictEqual(status.configChanges, []);
        assert.strictEqual(exitCodeOf(statusReport([healthy()], now)), 0);
    });

    it("rotate: within secretWarnDays (the stack's own threshold), and once expired, with the next rotation's command", () => {
        const near = healthy({}, { clientSecretExpiresAt: at(20) });
        assert.deepStrictEqual(stackStatus(near, now).actions, ["rotate"]);
        assert.match(stackStatus(near, now).findings[0].reason, /in 20 day\(s\) \(secretWarnDays: 30\)/);
        assert.match(stackStatus(near, now).findings[0].fix, /pulumi config set m365-mail-oauth:secretRotation 2 --stack dev && pulumi up --stack dev/);
        const relaxed = { ...near, stackFile: { ...near.stackFile!, secretWarnDays: 10 } };
        assert.deepStrictEqual(stackStatus(relaxed, now).actions, [], "20 days left is not within a threshold of 10");
        const expired = stackStatus(healthy({}, { clientSecretExpiresAt: at(-2) }), now);
        assert.deepStrictEqual(expired.actions, ["rotate"]);
        assert.match(expired.findings[0].reason, /expired on/);
    });

    it("retire: the previous secret still valid secretHandoverDays after the rotation, or once verify passed with the current one", () => {
        const valid = { previousClientSecretExpiresAt: at(60) };
        const young = healthy({}, { ...valid, currentSecretCreatedAt: at(-5) });
        assert.deepStrictEqual(stackStatus(young, now).actions, [], "5 days after the rotation, within the 14-day handover");
        const old = stackStatus(healthy({}, { ...valid, currentSecretCreatedAt: at(-15) }), now);
        assert.deepStrictEqual(old.actions, ["retire"]);
        assert.match(old.findings[0].reason, /rotation 0\) is still valid until .*15 day\(s\) after rotation 1 \(secretHandoverDays: 14\)/);
        assert.strictEqual(old.secret?.retirementDue, true);
        assert.match(old.findings[0].fix, /pulumi config set m365-mail-oauth:secretRetiredThrough 0 --stack \S+ && pulumi up/, "the retirement step itself");
        const longer = { ...young, stackFile: { ...young.stackFile!, secretHandoverDays: 30 } };
        assert.deepStrictEqual(stackStatus({ ...longer, deployed: { ...longer.deployed!, currentSecretCreatedAt: at(-15) } }, now).actions, []);

        const passed = (secretRotation: number) =>
            verifyRecord("dev", new Date(at(-1)), { clientId: "c", secretRotation }, { results: [{ step: "token", ok: true, detail: "roles" }], rounds: 1 });
        assert.deepStrictEqual(stackStatus({ ...young, verify: passed(1) }, now).actions, ["retire"], "verify passed with rotation 1");
        assert.deepStrictEqual(stackStatus({ ...young, verify: passed(0) }, now).actions, [], "a pass with the old secret confirms nothing");
        // A due rotation retires the previous secret itself: named once.
        assert.deepStrictEqual(stackStatus(healthy({}, { ...valid, clientSecretExpiresAt: at(5), currentSecretCreatedAt: at(-15) }), now).actions, ["rotate"]);
    });

    it("a customer's stack of a provider's multi-tenant app: no rotate or retire of its own; deploy once the provider's current secret is another", () => {
        const provider = healthy({ stack: "provider" }, { clientSecretKeyId: "key-2", clientSecretExpiresAt: at(10), previousClientSecretExpiresAt: at(60) });
        const customer = (keyId: string) =>
            healthy(
                { stack: "fabrikam" },
                { providerStack: "organization/m365-mail-oauth/provider", clientSecretKeyId: keyId, clientSecretExpiresAt: at(10), secretRotation: undefined },
            );
        const current = stackStatus(customer("key-2"), now, provider);
        assert.deepStrictEqual(current.actions, [], "the provider's stack names the rotation, not each customer's");
        assert.strictEqual(current.secret?.daysLeft, 10, "the days left of the secret the mail client holds still show");
        const stale = stackStatus(customer("key-1"), now, provider);
        assert.deepStrictEqual(stale.actions, ["deploy"]);
        assert.match(
            stale.findings[0].reason,
            /the provider's stack \(provider\) has another current secret than the one this stack last handed to the mail client/,
        );
        assert.match(stale.findings[0].fix, /^pulumi up --stack fabrikam, then give the mail client the new clientSecret/);
        const alone = stackStatus(customer("key-1"), now);
        assert.deepStrictEqual(alone.actions, []);
        assert.match(alone.notes.join("\n"), /the secret is the provider's stack's \(organization\/m365-mail-oauth\/provider\)/);
        // The report pairs each customer's stack with its provider's by the stack reference's last part.
        const report = statusReport([provider, customer("key-1")], now);
        assert.deepStrictEqual(
            report.stacks.map((status) => [status.stack, status.actions]),
            [
                ["fabrikam", ["deploy"]],
                ["provider", ["rotate"]],
            ],
        );
    });

    it("fix mailbox: the Exchange step's recorded failures, each named, with the reconcileRun command", () => {
        const status = stackStatus(
            healthy({}, { exchange: { granted: ["edi@contoso.com"], failed: [{ address: "archive@contoso.com", message: "not found" }] } }),
            now,
        );
        assert.deepStrictEqual(status.actions, ["fix mailbox"]);
        assert.deepStrictEqual(status.mailboxes, { configured: 2, granted: 1, failed: 1 });
        assert.match(status.findings[0].reason, /archive@contoso\.com: not found/);
        assert.match(status.findings[0].fix, /exchange\.reconcileRun <a new label> --stack dev && pulumi up --stack dev/);
    });

    it("deploy: a config change not yet deployed (the keys named), a failed last update, an interrupted one, a stack never deployed", () => {
        const edited = healthy({ stackFile: { ...healthy().stackFile!, config: { ...config, "m365-mail-oauth:protect": { value: "true" } } } });
        const status = stackStatus(edited, now);
        assert.deepStrictEqual(status.actions, ["deploy"]);
        assert.deepStrictEqual(status.configChanges, ["m365-mail-oauth:protect"]);
        const failed = stackStatus(healthy({ lastOperation: { kind: "update", result: "failed", startedAt: at(-1), endedAt: at(-1) } }), now);
        assert.deepStrictEqual(failed.actions, ["deploy"]);
        assert.match(failed.findings[0].reason, /the last update .* failed/);
        assert.deepStrictEqual(stackStatus(healthy({}, { pendingOperations: 2 }), now).actions, ["deploy"]);
        const never = stackStatus({ stack: "new", stackFile: healthy().stackFile }, now);
        assert.strictEqual(never.state, "not deployed");
        assert.deepStrictEqual(never.actions, ["deploy"]);
        const destroyed = stackStatus(
            {
                stack: "old",
                stackFile: healthy().stackFile,
                deployed: { resourceCount: 0, pendingOperations: 0 },
                lastOperation: { kind: "destroy", result: "succeeded", startedAt: at(-3) },
            },
            now,
        );
        assert.strictEqual(destroyed.state, "destroyed");
        assert.deepStrictEqual(destroyed.actions, [], "a destroyed stack is not an action");
    });

    it("secret config values: equal ciphertexts are unchanged, another ciphertext is a change, a history without ciphertexts compares presence", () => {
        const secret = (ciphertext?: string) => ({ secret: true as const, ...(ciphertext ? { ciphertext } : {}) });
        assert.deepStrictEqual(configChanges({ k: secret("v1:a") }, { k: secret("v1:a") }), []);
        assert.deepStrictEqual(configChanges({ k: secret("v1:a") }, { k: secret("v1:b") }), ["k"]);
        assert.deepStrictEqual(configChanges({ k: secret("v1:a") }, { k: secret() }), []);
        assert.deepStrictEqual(configChanges({ k: secret("v1:a") }, {}), ["k"]);
        assert.deepStrictEqual(configChanges({ k: { value: "1" } }, { k: secret() }), ["k"]);
    });

    it("renew certificate and fix login; a verify failure from before the last update is stale, not an action", () => {
        const certificate = stackStatus(healthy({}, { certificateExpiresAt: at(7) }), now);
        assert.deepStrictEqual(certificate.actions, ["renew certificate"]);
        const failedVerify = (when: string) =>
            verifyRecord(
                "dev",
                new Date(when),
                { clientId: "c", secretRotation: 1 },
                { results: [{ step: "imap", mailbox: "edi@contoso.com", ok: false, detail: "NO", fix: "grant FullAccess" }], rounds: 1 },
            );
        const login = stackStatus(healthy({ verify: failedVerify(at(-1)) }), now);
        assert.deepStrictEqual(login.actions, ["fix login"]);
        assert.match(login.findings[0].reason, /imap edi@contoso\.com/);
        assert.match(login.findings[0].fix, /grant FullAccess; then npm run -s verify -- --stack dev/);
        const stale = stackStatus(healthy({ verify: failedVerify(at(-41)) }), now);
        assert.deepStrictEqual(stale.actions, []);
        assert.strictEqual(stale.verify?.stale, true);
    });

    it("an invalid stack file is fix config, its problems on one line; an unreadable state is check state", () => {
        const file = stackFileFacts("config:\n  m365-mail-oauth:secretWarnDays: 0\n", "Pulumi.dev.yaml", "m365-mail-oauth");
        assert.ok(file.problems);
        const status = stackStatus(healthy({ stackFile: { ...file, config } }), now);
        assert.deepStrictEqual(status.actions, ["fix config"]);
        assert.doesNotMatch(status.findings[0].reason, /\n/);
        assert.match(status.findings[0].reason, /secretWarnDays/);
        assert.deepStrictEqual(stackStatus({ stack: "dev", readProblem: "bad JSON" }, now).actions, ["check state"]);
    });

    it("renders a table, Markdown and JSON from one report; the action and its fix appear in each", () => {
        const report = statusReport([healthy({ stack: "prod" }), healthy({}, { clientSecretExpiresAt: at(3) })], now);
        assert.strictEqual(exitCodeOf(report), 1);
        const table = renderStatus(report, "table");
        assert.match(table, /1 of 2 stack\(s\) need action/);
        assert.match(table, /^dev +deployed +1 +2027-01-13 \(3 d\)/m);
        assert.match(table, /^dev: rotate: .*Fix: pulumi config set m365-mail-oauth:secretRotation 2 --stack dev/m);
        const markdown = renderStatus(report, "markdown");
        assert.match(markdown, /^\| Stack \| State \| Rotation \|/m);
        assert.match(markdown, /^\| dev \| deployed \| 1 \| 2027-01-13 \(3 d\) \|/m);
        assert.match(markdown, /^- dev: rotate: /m);
        const json = JSON.parse(renderStatus(report, "json"));
        assert.strictEqual(json.needsAction, true);
        assert.deepStrictEqual(
            json.stacks.map((s: { stack: string; actions: string[] }) => [s.stack, s.actions]),
            [
                ["dev", ["rotate"]],
                ["prod", []],
            ],
        );
    });
});

describe("npm run status: the reader over a local file backend", () => {
    let base: string;
    beforeEach(() => (base = fs.mkdtempSync(path.join(os.tmpdir(), "m365-status-test-"))));
    afterEach(() => fs.rmSync(base, { recursive: true, force: true }));
    const env = () => ({ PULUMI_BACKEND_URL: `file://${path.join(base, "state")}` });

    it("reads every stack of the project layout: outputs, the Exchange record, the history's config; a stack file alone is never deployed", async () => {
        const root = path.join(base, "project");
        const stacks = fleet(26);
        writeSyntheticStacks(root, path.join(base, "state"), stacks, now);
        fs.copyFileSync(path.join(root, "Pulumi.customer-003.yaml"), path.join(root, "Pulumi.staging.yaml"));
        const facts = await readStackFacts({ root, env: env() });
        assert.strictEqual(facts.length, 27);
        const first = facts.find((f) => f.stack === "customer-000")!;
        assert.strictEqual(first.deployed?.secretRotation, 0);
        assert.strictEqual(first.deployed?.clientSecretExpiresAt, at(12));
        assert.deepStrictEqual(
            first.deployed?.exchange?.failed.map((f) => f.address),
            ["orders-0@contoso.com"],
        );
        assert.strictEqual(first.lastDeploy?.result, "succeeded");
        const report = statusReport(facts, now);
        const actions = Object.fromEntries(report.stacks.map((s) => [s.stack, s.actions]));
        assert.deepStrictEqual(actions["customer-000"], ["fix mailbox", "rotate"]);
        assert.deepStrictEqual(actions["customer-001"], ["retire"]);
        assert.deepStrictEqual(actions["customer-007"], ["deploy", "retire"]);
        assert.deepStrictEqual(actions["customer-003"], []);
        assert.deepStrictEqual(actions.staging, ["deploy"]);
        assert.strictEqual(report.stacks.find((s) => s.stack === "customer-007")?.configChanges?.join(), "m365-mail-oauth:displayName");

        // --stack and the exit code, through the command's main.
        const out: string[] = [];
        assert.strictEqual(await main(["--stack", "customer-003", "--format", "json"], (t) => out.push(t), assert.fail, { root, env: env(), now }), 0);
        assert.deepStrictEqual(
            JSON.parse(out.join("\n")).stacks.map((s: { stack: string }) => s.stack),
            ["customer-003"],
        );
        assert.strictEqual(await main(["--stack", "customer-000"], () => undefined, assert.fail, { root, env: env(), now }), 1);
        const err: string[] = [];
        assert.strictEqual(await main(["--format", "html"], assert.fail, (t) => err.push(t), { root, env: env(), now }), 2);
        assert.match(err.join(), /expected table, markdown, json/);
    });

    it("takes the newest history entry as the last update and the newest successful update's config as deployed; reads gzip and the legacy layout", async () => {
        const root = path.join(base, "project");
        writeSyntheticStacks(root, path.join(base, "state"), fleet(1), now);
        const history = path.join(base, "state", ".pulumi", "history", "m365-mail-oauth", "customer-000");
        const seconds = Math.floor(now.getTime() / 1000);
        // A later failed update with other config (nanosecond names: a longer number is later).
        fs.writeFileSync(
            path.join(history, `customer-000-${seconds + 10}000000000.history.json.gz`),
            zlib.gzipSync(JSON.stringify({ kind: "update", startTime: seconds + 10, endTime: seconds + 20, result: "failed", config: {} })),
        );
        let [facts] = await readStackFacts({ root, env: env() });
        assert.strictEqual(facts.lastOperation?.result, "failed");
        assert.strictEqual(facts.lastDeploy?.result, "succeeded");
        assert.deepStrictEqual(stackStatus(facts, now).configChanges, [], "compared with the last update that succeeded");

        // The legacy layout: no meta.yaml, stacks and history without the project's folder; the checkpoint gzipped.
        const pulumiDir = path.join(base, "state", ".pulumi");
        fs.rmSync(path.join(pulumiDir, "meta.yaml"));
        const checkpoint = fs.readFileSync(path.join(pulumiDir, "stacks", "m365-mail-oauth", "customer-000.json"));
        fs.writeFileSync(path.join(pulumiDir, "stacks", "customer-000.json.gz"), zlib.gzipSync(checkpoint));
        fs.renameSync(history, path.join(pulumiDir, "history", "customer-000"));
        fs.rmSync(path.join(pulumiDir, "stacks", "m365-mail-oauth"), { recursive: true });
        [facts] = await readStackFacts({ root, env: env() });
        assert.strictEqual(facts.deployed?.clientSecretExpiresAt, at(12));
        assert.strictEqual(facts.lastOperation?.result, "failed");
    });

    it("another backend through the CLI: pulumi stack ls, export and history --json (secret values shown only as secret)", async () => {
        const root = path.join(base, "project");
        writeSyntheticStacks(root, path.join(base, "state"), fleet(1), now);
        fs.appendFileSync(path.join(root, "Pulumi.customer-000.yaml"), "  m365-mail-oauth:exchangeCertificatePassword:\n    secure: v1:abc\n");
        const checkpoint = JSON.parse(fs.readFileSync(path.join(base, "state", ".pulumi", "stacks", "m365-mail-oauth", "customer-000.json"), "utf8"));
        const calls: string[] = [];
        // The shapes `pulumi stack export` and `pulumi stack history --json` print (pkg/cmd/pulumi/stack/stack_history.go at v3.248.0).
        const run = async (args: readonly string[]) => {
            calls.push(args.slice(0, 2).join(" "));
            const stdout =
                args[1] === "ls"
                    ? JSON.stringify([{ name: "organization/m365-mail-oauth/customer-000" }])
                    : args[1] === "export"
                      ? JSON.stringify({ version: 3, deployment: checkpoint.checkpoint.latest })
                      : JSON.stringify([
                            {
                                kind: "update",
                                result: "succeeded",
                                startTime: at(-1),
                                endTime: at(-1),
                                config: {
                                    "m365-mail-oauth:displayName": { value: "Mail OAuth customer-000", secret: false },
                                    "m365-mail-oauth:secretRotation": { value: "0", secret: false },
                                    "m365-mail-oauth:mailboxes": {
                                        value: "[...]",
                                        objectValue: ["edi-0", "orders-0", "archive-0"].map((name) => ({
                                            address: `${name}@contoso.com`,
                                            protocols: ["imap", "smtp"],
                                        })),
                                        secret: false,
                                    },
                                    "m365-mail-oauth:exchange": {
                                        value: "{...}",
                                        objectValue: { organization: "contoso.onmicrosoft.com", auth: "interactive" },
                                        secret: false,
                                    },
                                    "m365-mail-oauth:exchangeCertificatePassword": { secret: true },
                                },
                            },
                        ]);
            return { code: 0, stdout, stderr: "" };
        };
        const [facts] = await readStackFacts({ root, env: { PULUMI_BACKEND_URL: "https://api.pulumi.com" }, run });
        assert.deepStrictEqual(calls, ["stack ls", "stack export", "stack history"]);
        assert.strictEqual(facts.stack, "customer-000");
        assert.strictEqual(facts.deployed?.clientSecretExpiresAt, at(12));
        assert.deepStrictEqual(stackStatus(facts, now).configChanges, [], "objects compared as values, the secret by its presence");
        assert.deepStrictEqual(stackStatus(facts, now).actions, ["fix mailbox", "rotate"]);
    });

    it("verify --stack's record: no secret, read back by status", async () => {
        const root = path.join(base, "project");
        writeSyntheticStacks(root, path.join(base, "state"), fleet(2), now);
        const record = verifyRecord(
            "customer-001",
            // After the stack's last update (an hour ago), so not stale.
            new Date(now.getTime() - 60_000),
            { clientId: "client", secretRotation: 1 },
            {
                results: [
                    { step: "imap", mailbox: "edi-1@contoso.com", ok: false, detail: "NO [AUTHENTICATIONFAILED] token eyJsecret", fix: "grant FullAccess" },
                ],
                rounds: 2,
            },
        );
        const file = writeVerifyRecord(root, record);
        assert.strictEqual(path.relative(root, file), path.join(".m365", "verify", "customer-001.json"));
        assert.doesNotMatch(fs.readFileSync(file, "utf8"), /eyJsecret|AUTHENTICATIONFAILED/, "a check's detail is not kept");
        assert.deepStrictEqual(readVerifyRecord(root, "customer-001"), record);
        const facts = await readStackFacts({ root, env: env(), stack: "customer-001" });
        assert.deepStrictEqual(stackStatus(facts[0], now).actions, ["fix login", "retire"]);
    });
});
