/**
 * npm run plan: the real program against the stack files, engine mocked, report for a mail admin.
 */
import * as assert from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { exchangeOnline } from "../facts/microsoft";
import { projectRoot } from "../config/projectRoot";
import { PlanReport, plan, readStackFile } from "../tools/plan";

const root = projectRoot();

describe("npm run plan", function () {
    this.timeout(60_000);

    it("reads a stack file into Pulumi's config map, secure values left encrypted", () => {
        const file = path.join(root, "bin", "Pulumi.readtest.yaml");
        fs.writeFileSync(file, "config:\n  m365-mail-oauth:displayName: X\n  secretLifetimeDays: 30\n  m365-mail-oauth:exchangeCertificatePassword:\n    secure: AAABAxyz\n  m365-mail-oauth:mailboxes:\n    - address: a@contoso.com\n      protocols: [imap]\n");
        try {
            assert.deepStrictEqual(readStackFile(file), {
                "m365-mail-oauth:displayName": "X",
                "m365-mail-oauth:secretLifetimeDays": "30",
                "m365-mail-oauth:exchangeCertificatePassword": "[secret]",
                "m365-mail-oauth:mailboxes": '[{"address":"a@contoso.com","protocols":["imap"]}]',
            });
        } finally {
            fs.rmSync(file);
        }
    });

    it("--format json describes the dev stack: permissions, consents, mailbox operations, credential, client settings", async () => {
        const result = await plan(["--stack", "dev", "--format", "json"]);
        assert.strictEqual(result.exitCode, 0, result.output);
        const report = JSON.parse(result.output) as PlanReport;
        assert.strictEqual(report.application.displayName, "Mail OAuth (dev)");
        assert.deepStrictEqual(report.permissions.map((p) => [p.name, p.id, p.kind]), [
            ["IMAP.AccessAsApp", exchangeOnline.appRoles["IMAP.AccessAsApp"], "application permission (app role)"],
            ["SMTP.SendAsApp", exchangeOnline.appRoles["SMTP.SendAsApp"], "application permission (app role)"],
        ]);
        assert.match(report.permissions[0].consent, /app role assignment/);
        assert.deepStrictEqual(report.mailboxes, [{
            address: "edi-dev@contoso.com",
            protocols: ["imap", "smtp"],
            operations: [
                "Add-MailboxPermission FullAccess (no auto-mapping): the app may use the mailbox",
                "Add-RecipientPermission SendAs: send as the mailbox",
                "Set-CASMailbox -SmtpClientAuthenticationDisabled $false: SMTP AUTH on",
                "Set-CASMailbox -ImapEnabled $true",
            ],
        }]);
        assert.strictEqual(report.exchange?.sessionsPerUpdate, 1);
        assert.strictEqual(report.credential.secret?.lifetimeDays, 90);
        assert.strictEqual((report.clientSettings as any).tokenUrl, "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/oauth2/v2.0/token");
        assert.ok(report.resources.some((r) => r.type === "command:local:Command"));
    });

    it("text and markdown say the same in words", async () => {
        const text = await plan(["--stack", "prod"]);
        assert.strictEqual(text.exitCode, 0, text.output);
        assert.match(text.output, /App registration: Mail OAuth \(prod\)/);
        assert.match(text.output, /POP\.AccessAsApp \(cb842b43-da6e-4506-86fe-bb12199c656d\): application permission/);
        assert.match(text.output, /invoices@contoso\.com \[imap\]\n {4}- Add-MailboxPermission FullAccess/);
        assert.match(text.output, /SMTP: smtp\.office365\.com:587 \(STARTTLS\)/);
        assert.match(text.output, /protected from destroy/);
        const markdown = await plan(["--stack=prod", "--format=markdown"]);
        assert.match(markdown.output, /^## m365-mail-oauth plan: `prod`/);
        assert.match(markdown.output, /\| `edi@contoso\.com` \| pop, smtp \| Add-MailboxPermission FullAccess/);
    });

    it("bad config prints every validation error and exits 1", async () => {
        const file = path.join(root, "Pulumi.plantest-bad.yaml");
        fs.writeFileSync(file, "config:\n  m365-mail-oauth:displayName: X\n  m365-mail-oauth:mailboxes:\n    - address: nobody\n      protocols: [imap, ews]\n");
        try {
            const result = await plan(["--stack", "plantest-bad"]);
            assert.strictEqual(result.exitCode, 1);
            assert.match(result.output, /mailboxes\[0\]\.address: "nobody" is not an e-mail address/);
            assert.match(result.output, /mailboxes\[0\]\.protocols\[1\]: unknown protocol "ews"/);
            assert.match(result.output, /exchange\.organization: missing/);
        } finally {
            fs.rmSync(file);
        }
    });

    it("names an unknown stack and a bad flag", async () => {
        assert.strictEqual((await plan(["--stack", "nope"])).exitCode, 2);
        assert.match((await plan(["--stack", "dev", "--format", "html"])).output, /--format html/);
        assert.match((await plan([])).output, /usage: npm run plan -- --stack/);
    });

    it("runs as the README says, within seconds, from the sources", () => {
        const run = spawnSync("npm", ["run", "plan", "--silent", "--", "--stack", "dev"], { cwd: root, encoding: "utf8" });
        assert.strictEqual(run.status, 0, run.stderr);
        assert.match(run.stdout, /^Plan for stack "dev"/);
        const bad = spawnSync("npm", ["run", "plan", "--silent", "--", "--stack", "missing"], { cwd: root, encoding: "utf8" });
        assert.strictEqual(bad.status, 2);
        assert.ok(execFileSync("node", ["--version"], { encoding: "utf8" }));
    });
});
