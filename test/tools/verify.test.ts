/**
 * npm run verify against a real Dovecot (see fixtures/mailLab.ts): the compiled command, run as a user runs it,
 * with the lab's CA trusted through NODE_EXTRA_CA_CERTS.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as https from "https";
import * as nodemailer from "nodemailer";
import { explainMailError, explainTokenError, main, parseArgs, parseDuration, saslXoauth2, targetFromStack, tokenRoles } from "../../tools/verify";
import { MailLab, requireDovecot } from "../fixtures/mailLab";
import { assertAllPassed, result, verifyRunner, VerifyRun } from "./verifyRun";

const tenant = "11111111-2222-3333-4444-555555555555";
const fullClient = "aaaaaaaa-0000-4000-8000-000000000001";
const imapOnlyClient = "aaaaaaaa-0000-4000-8000-000000000002";
/** An appRbac app: Entra consent for IMAP only; SMTP is authorised by Exchange's RBAC for Applications. */
const rbacClient = "aaaaaaaa-0000-4000-8000-000000000003";
const secret = "s3cret~Value.With-Chars_123";
const runVerify = verifyRunner(tenant, secret);
function assertNothingSecret(run: VerifyRun): void {
    const all = run.stdout + run.stderr;
    assert.ok(!all.includes(secret), "the client secret was printed");
    assert.ok(!/eyJ[A-Za-z0-9_-]{10,}\./.test(all), "a token was printed");
}

describe("npm run verify against Dovecot", function () {
    this.timeout(120_000);
    const lab = new MailLab({
        tenant,
        clients: {
            [fullClient]: { secret, roles: ["IMAP.AccessAsApp", "POP.AccessAsApp", "SMTP.SendAsApp"] },
            [imapOnlyClient]: { secret, roles: ["IMAP.AccessAsApp"] },
            [rbacClient]: { secret, roles: ["IMAP.AccessAsApp"] },
        },
        grants: [
            { service: "imap", user: "edi@contoso.com" },
            { service: "pop3", user: "edi@contoso.com" },
            { service: "submission", user: "edi@contoso.com" },
            { service: "imap", user: "nosmtp@contoso.com" },
        ],
    });

    before(async function () {
        requireDovecot(this);
        await lab.start();
        await lab.startDovecot();
    });
    after(async () => {
        await lab.stop();
    });

    it("passes IMAP, POP3 and SMTP for a fully set-up mailbox, through Entra's paths", async () => {
        const run = await runVerify(lab, ["--client-id", fullClient, "--mailbox", "edi@contoso.com:imap,pop,smtp"]);
        assert.strictEqual(run.code, 0, `${run.stdout}\n${run.stderr}\n${lab.log()}`);
        assert.strictEqual(run.json?.ok, true);
        assertAllPassed(run, ["imap", "pop", "smtp"]);
        assert.match(result(run, "imap").detail, /INBOX selected/);
        assert.match(result(run, "pop").detail, /^STAT 0 0/);
        assert.ok(lab.requests.includes(`GET /${tenant}/v2.0/.well-known/openid-configuration`));
        assert.ok(lab.requests.includes(`POST /${tenant}/oauth2/v2.0/token`));
        assert.ok(lab.requests.includes("POST /introspect"), "Dovecot's oauth2 passdb introspected the token");
        assert.match(run.stderr, /\.\.\. imap: edi@contoso\.com/, "progress is shown");
        assertNothingSecret(run);
    });

    it("--send delivers a test message from the mailbox to itself", async () => {
        const run = await runVerify(lab, ["--client-id", fullClient, "--mailbox", "edi@contoso.com:smtp", "--send"]);
        assert.strictEqual(run.code, 0, `${run.stdout}\n${run.stderr}`);
        assert.match(result(run, "smtp").detail, /test message accepted/);
    });

    it("appRbac: SMTP passes without an SMTP.SendAsApp role in the token; a mailbox outside the group points at the group", async () => {
        const run = await runVerify(lab, ["--client-id", rbacClient, "--smtp-authorization", "appRbac", "--mailbox", "edi@contoso.com:imap,smtp"]);
        assert.strictEqual(run.code, 0, `${run.stdout}\n${run.stderr}`);
        assertAllPassed(run, ["imap", "smtp"]);
        const outside = await runVerify(lab, ["--client-id", rbacClient, "--smtp-authorization", "appRbac", "--mailbox", "nosmtp@contoso.com:smtp"]);
        assert.strictEqual(outside.code, 1);
        assert.match(result(outside, "smtp").fix ?? "", /not in the stack's appRbac group.*Test-ServicePrincipalAuthorization/);
        const plain = await runVerify(lab, ["--client-id", rbacClient, "--mailbox", "edi@contoso.com:smtp"]);
        assert.match(result(plain, "smtp").detail, /no SMTP\.SendAsApp role/, "without appRbac the role is still asked for");
    });

    it("a wrong secret: the token is refused and the fix names the secret", async () => {
        const run = await runVerify(lab, ["--client-id", fullClient, "--mailbox", "edi@contoso.com:imap"], { M365_CLIENT_SECRET: "wrong-secret-value" });
        assert.strictEqual(run.code, 1);
        const token = result(run, "token");
        assert.strictEqual(token.ok, false);
        assert.match(token.fix ?? "", /client secret is wrong/);
        assert.strictEqual(run.json?.results.length, 1, "no mail server is tried without a token");
        assert.ok(!(run.stdout + run.stderr).includes("wrong-secret-value"));
    });

    it("a token lacking a role is reported as missing consent before touching the server", async () => {
        const run = await runVerify(lab, ["--client-id", imapOnlyClient, "--mailbox", "edi@contoso.com:imap,smtp"]);
        assert.strictEqual(run.code, 1);
        assert.strictEqual(result(run, "imap").ok, true);
        const smtp = result(run, "smtp");
        assert.strictEqual(smtp.ok, false);
        assert.match(smtp.detail, /no SMTP\.SendAsApp role/);
        assert.match(smtp.fix ?? "", /admin consent for SMTP\.SendAsApp/);
        assert.doesNotMatch(run.stderr, /\.\.\. smtp:/, "the SMTP server was not contacted");
    });

    it("a mailbox not granted to the app fails alone, pointing at FullAccess", async () => {
        const run = await runVerify(lab, ["--client-id", fullClient, "--mailbox", "edi@contoso.com:imap", "--mailbox", "other@contoso.com:imap"]);
        assert.strictEqual(run.code, 1);
        assert.strictEqual(result(run, "imap", "edi@contoso.com").ok, true);
        const other = result(run, "imap", "other@contoso.com");
        assert.strictEqual(other.ok, false);
        assert.match(other.fix ?? "", /FullAccess/);
        assertNothingSecret(run);
    });

    it("SMTP AUTH refused for a mailbox points at SMTP AUTH and SendAs", async () => {
        const run = await runVerify(lab, ["--client-id", fullClient, "--mailbox", "nosmtp@contoso.com:imap,smtp"]);
        assert.strictEqual(run.code, 1);
        assert.strictEqual(result(run, "imap").ok, true);
        const smtp = result(run, "smtp");
        assert.strictEqual(smtp.ok, false);
        assert.match(smtp.fix ?? "", /SMTP AUTH disabled/);
        assertNothingSecret(run);
    });

    it("a token service that cannot be reached is named, with the cause", async () => {
        const run = await runVerify(lab, [
            "--client-id",
            fullClient,
            "--mailbox",
            "edi@contoso.com:imap",
            "--authority",
            `https://127.0.0.1:${lab.closedPort}`,
        ]);
        assert.strictEqual(run.code, 1);
        assert.match(result(run, "token").fix ?? "", new RegExp(`token service at 127\\.0\\.0\\.1:${lab.closedPort} could not be reached`));
    });

    it("a server that is down is reported within a bound", async () => {
        const run = await runVerify(lab, [
            "--client-id",
            fullClient,
            "--mailbox",
            "edi@contoso.com:imap",
            "--imap-host",
            "127.0.0.1",
            "--imap-port",
            String(lab.closedPort),
        ]);
        assert.strictEqual(run.code, 1);
        assert.match(result(run, "imap").fix ?? "", /cannot be reached/);
        assert.ok(run.ms < 15_000, `took ${run.ms} ms`);
    });

    it("a server that accepts and then stalls times out", async () => {
        const run = await runVerify(lab, [
            "--client-id",
            fullClient,
            "--mailbox",
            "edi@contoso.com:pop,imap",
            "--imap-host",
            "127.0.0.1",
            "--imap-port",
            String(lab.stallPort),
            "--pop-host",
            "127.0.0.1",
            "--pop-port",
            String(lab.stallPort),
            "--timeout",
            "2s",
        ]);
        assert.strictEqual(run.code, 1);
        for (const step of ["imap", "pop"]) {
            assert.match(result(run, step).fix ?? "", /stopped answering \(timed out\)/, JSON.stringify(result(run, step)));
        }
        assert.ok(run.ms < 20_000, `took ${run.ms} ms`);
    });
});

describe("npm run verify: long tokens and the documented XOAUTH2 exchange", function () {
    this.timeout(120_000);
    // As Exchange Online may: no SASL-IR, so IMAP needs the "+" continuation too.
    const lab = new MailLab({
        tenant,
        clients: { [fullClient]: { secret, roles: ["IMAP.AccessAsApp", "POP.AccessAsApp", "SMTP.SendAsApp"] } },
        grants: [
            { service: "imap", user: "edi@contoso.com" },
            { service: "pop3", user: "edi@contoso.com" },
            { service: "submission", user: "edi@contoso.com" },
        ],
        saslIr: false,
    });
    before(async function () {
        requireDovecot(this);
        await lab.start();
        await lab.startDovecot();
    });
    after(() => lab.stop());

    /** A token from the lab's token service, over HTTPS trusting the lab's own CA (as verify does). */
    function labToken(): Promise<string> {
        const body = new URLSearchParams({
            client_id: fullClient,
            client_secret: secret,
            grant_type: "client_credentials",
            scope: "https://outlook.office365.com/.default",
        }).toString();
        return new Promise((resolve, reject) => {
            const request = https.request(
                `${lab.authority}/${tenant}/oauth2/v2.0/token`,
                { method: "POST", ca: fs.readFileSync(lab.caFile), headers: { "content-type": "application/x-www-form-urlencoded" } },
                (response) => {
                    let text = "";
                    response.on("data", (chunk) => (text += chunk));
                    response.on("end", () => resolve((JSON.parse(text) as { access_token: string }).access_token));
                },
            );
            request.on("error", reject);
            request.end(body);
        });
    }

    it("the lab issues tokens as long as Entra's", async () => {
        const token = await labToken();
        assert.ok(token.length >= 1500 && token.length <= 3000, `token of ${token.length} characters`);
        assert.ok(`AUTH XOAUTH2 ${saslXoauth2("edi@contoso.com", token)}`.length > 512, "the inline AUTH line would exceed SMTP's 512 octets");
    });

    it("IMAP without SASL-IR, POP3 and SMTP pass with the command alone, the continuation, then the token", async () => {
        const run = await runVerify(lab, ["--client-id", fullClient, "--mailbox", "edi@contoso.com:imap,pop,smtp"]);
        assert.strictEqual(run.code, 0, `${run.stdout}\n${run.stderr}\n${lab.log()}`);
        assertAllPassed(run, ["imap", "pop", "smtp"]);
        assertNothingSecret(run);
    });

    it("the same token sent inline on the SMTP AUTH line, as nodemailer does, is diagnosed as a line problem", async () => {
        let message = "";
        const token = await labToken();
        const transport = nodemailer.createTransport({
            host: "127.0.0.2",
            port: lab.smtpPort,
            secure: false,
            requireTLS: true,
            tls: { ca: [fs.readFileSync(lab.caFile)], servername: "localhost" },
            auth: { type: "OAuth2", user: "edi@contoso.com", accessToken: token },
        });
        await transport.verify().then(
            () => (message = "accepted"),
            (error: Error & { response?: string }) => (message = `${error.message}: ${error.response ?? ""}`),
        );
        transport.close();
        // Dovecot, like an RFC-strict server, refuses a command line that long.
        assert.match(message, /too long|5\.5\.2|line/i, message);
        const fix = explainMailError("smtp", message);
        assert.match(fix, /AUTH line as too long/);
        assert.doesNotMatch(fix, /SMTP AUTH is disabled/);
    });
});

describe("npm run verify --wait", function () {
    this.timeout(120_000);
    const lab = new MailLab({
        tenant,
        clients: { [fullClient]: { secret, roles: ["IMAP.AccessAsApp", "POP.AccessAsApp"] } },
        grants: [
            { service: "imap", user: "edi@contoso.com" },
            { service: "pop3", user: "edi@contoso.com" },
        ],
    });
    before(async function () {
        requireDovecot(this);
        await lab.start();
    });
    after(() => lab.stop());

    it("retries until the server starts accepting partway through", async () => {
        const pending = runVerify(lab, [
            "--client-id",
            fullClient,
            "--mailbox",
            "edi@contoso.com:imap,pop",
            "--wait",
            "60s",
            "--retry-delay",
            "1s",
            "--timeout",
            "3s",
        ]);
        await new Promise((r) => setTimeout(r, 2500));
        await lab.startDovecot();
        const run = await pending;
        assert.strictEqual(run.code, 0, `${run.stdout}\n${run.stderr}`);
        assert.ok((run.json?.rounds ?? 0) > 1, "more than one round");
        assert.match(run.stderr, /round 1: 2 check\(s\) still failing/);
    });
});

describe("verify: pure parts", () => {
    it("builds the SASL XOAUTH2 string", () => {
        assert.strictEqual(Buffer.from(saslXoauth2("a@b.c", "T"), "base64").toString(), "user=a@b.c\x01auth=Bearer T\x01\x01");
    });
    it("reads the roles claim", () => {
        const token = `x.${Buffer.from(JSON.stringify({ roles: ["IMAP.AccessAsApp"] })).toString("base64url")}.y`;
        assert.deepStrictEqual(tokenRoles(token), ["IMAP.AccessAsApp"]);
        assert.deepStrictEqual(tokenRoles("garbage"), []);
    });
    it("maps Exchange Online's answers to the step that fixes them", () => {
        assert.match(
            explainMailError("smtp", "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox"),
            /SMTP AUTH is disabled/,
        );
        assert.match(explainMailError("imap", "User is authenticated but not connected."), /IMAP is disabled on the mailbox/);
        assert.match(explainMailError("pop", "-ERR Logon failure: unknown user name or bad password."), /FullAccess/);
    });
    it("parses durations and refuses the secret as a flag", () => {
        assert.strictEqual(parseDuration("30m"), 1_800_000);
        assert.strictEqual(parseDuration("90"), 90_000);
        assert.throws(() => parseDuration("soon"), /not a duration/);
        assert.throws(() => parseArgs(["--client-secret", "x"], {}), /only from the environment variable M365_CLIENT_SECRET/);
        assert.throws(() => parseArgs(["--tenant", "t", "--client-id", "c", "--mailbox", "a@b.c:imap"], {}), /M365_CLIENT_SECRET/);
        assert.throws(() => parseArgs(["--tenant", "t", "--client-id", "c", "--mailbox", "a@b.c:ews"], { M365_CLIENT_SECRET: "s" }), /unknown protocol "ews"/);
    });
    it("prints full usage for --help, every flag with its default", async () => {
        const out: string[] = [];
        const code = await main(
            ["--help"],
            (text) => out.push(text),
            () => undefined,
        );
        assert.strictEqual(code, 0);
        for (const flag of [
            "--stack",
            "--tenant",
            "--client-id",
            "--mailbox",
            "--authority",
            "--imap-host",
            "--imap-port",
            "--pop-host",
            "--pop-port",
            "--smtp-host",
            "--smtp-port",
            "--timeout",
            "--wait",
            "--retry-delay",
            "--send",
            "--json",
            "--help",
        ]) {
            assert.ok(out.join("\n").includes(flag), flag);
        }
        assert.match(out.join("\n"), /default: 15s/);
        const err: string[] = [];
        assert.strictEqual(
            await main(
                ["--colour"],
                () => undefined,
                (text) => err.push(text),
            ),
            2,
        );
        assert.match(err.join("\n"), /Unknown option '--colour'[\s\S]*Usage:/);
    });

    it("says the Pulumi CLI is needed for --stack when there is none", () => {
        const noPulumi = (() => ({
            error: Object.assign(new Error("spawnSync pulumi ENOENT"), { code: "ENOENT" }),
            status: null,
            stdout: "",
            stderr: "",
        })) as unknown as typeof import("child_process").spawnSync;
        assert.throws(() => targetFromStack("dev", noPulumi), /needs the Pulumi CLI \(pulumi\)[\s\S]*--tenant, --client-id and --mailbox/);
    });

    it("an expired secret: the fix is the project's rotate command, not a label", () => {
        const fix = explainTokenError("AADSTS7000222: The provided client secret keys for app are expired.", "login.microsoftonline.com");
        assert.match(fix, /pulumi config set m365-mail-oauth:secretRotation <the stack's secretRotation \+ 1> --stack <stack> && pulumi up --stack <stack>/);
        assert.doesNotMatch(fix, /label/);
    });

    it("a secret deleted in the portal and a disabled enterprise application: each named with its fix", () => {
        const deleted = explainTokenError("AADSTS7000215: Invalid client secret provided.", "login.microsoftonline.com");
        assert.match(deleted, /deleted in the portal.*clientSecretKeyId.*pulumi up --refresh/);
        const disabled = explainTokenError("unauthorized_client: AADSTS7000112: Application 'x'(PDFC) is disabled.", "login.microsoftonline.com");
        assert.match(disabled, /enterprise application is disabled.*enterpriseApplication\.accountEnabled/);
    });

    it("names the token service's host and the cause when it cannot be reached", () => {
        const fix = explainTokenError(
            "ClientAuthError: network_error: Network request failed: getaddrinfo ENOTFOUND login.microsoftonline.com",
            "login.microsoftonline.com",
        );
        assert.match(fix, /token service at login\.microsoftonline\.com could not be reached \(ENOTFOUND\)/);
        assert.doesNotMatch(fix, /check tenant, client ID and secret/);
    });

    it("takes the SMTP authorization mode from the stack outputs or --smtp-authorization, and refuses an unknown one", () => {
        const outputs = { tenantId: "t", clientId: "c", clientSecret: "s", smtpAuthorization: "appRbac", mailboxes: [] };
        const run = (() => ({ status: 0, stdout: JSON.stringify(outputs), stderr: "" })) as unknown as typeof import("child_process").spawnSync;
        assert.strictEqual(targetFromStack("dev", run).smtpAuthorization, "appRbac");
        const flags = ["--tenant", "t", "--client-id", "c", "--mailbox", "a@b.c:smtp"];
        const env = { M365_CLIENT_SECRET: "x" };
        assert.strictEqual((parseArgs(flags, env) as { target: { smtpAuthorization: string } }).target.smtpAuthorization, "mailboxPermission");
        assert.strictEqual(
            (parseArgs([...flags, "--smtp-authorization", "appRbac"], env) as { target: { smtpAuthorization: string } }).target.smtpAuthorization,
            "appRbac",
        );
        assert.throws(() => parseArgs([...flags, "--smtp-authorization", "rbac"], env), /--smtp-authorization rbac is not one of mailboxPermission, appRbac/);
    });

    it("reads the target from the stack outputs", () => {
        const parsed = parseArgs(["--stack", "dev"], {}, () => ({
            tenant: "t",
            clientId: "c",
            clientSecret: "s",
            scope: "https://outlook.office365.com/.default",
            smtpAuthorization: "mailboxPermission",
            mailboxes: [{ address: "a@b.c", protocols: ["pop"] }],
            servers: {
                imap: { host: "outlook.office365.com", port: 993 },
                pop: { host: "outlook.office365.com", port: 995 },
                smtp: { host: "smtp.office365.com", port: 587 },
            },
        }));
        assert.ok(parsed !== "help");
        assert.strictEqual(parsed.target.authority, "https://login.microsoftonline.com");
        assert.deepStrictEqual(parsed.target.mailboxes, [{ address: "a@b.c", protocols: ["pop"] }]);
    });

    it("signs in where the stack's token URL points, and takes a cloud's authority, scope and servers with --cloud", () => {
        const gccHigh = { tenantId: "t", clientId: "c", clientSecret: "s", tokenUrl: "https://login.microsoftonline.us/t/oauth2/v2.0/token", mailboxes: [] };
        const run = (() => ({ status: 0, stdout: JSON.stringify(gccHigh), stderr: "" })) as unknown as typeof import("child_process").spawnSync;
        const fromStack = parseArgs(["--stack", "gov"], {}, (stack) => targetFromStack(stack, run));
        assert.ok(fromStack !== "help");
        assert.strictEqual(fromStack.target.authority, "https://login.microsoftonline.us");

        const flags = ["--tenant", "t", "--client-id", "c", "--mailbox", "a@b.c:imap"];
        const env = { M365_CLIENT_SECRET: "x" };
        const dod = parseArgs([...flags, "--cloud", "usGovDod"], env);
        assert.ok(dod !== "help");
        assert.strictEqual(dod.target.authority, "https://login.microsoftonline.us");
        assert.strictEqual(dod.target.scope, "https://webmail.apps.mil/.default");
        assert.deepStrictEqual(dod.target.servers.imap, { host: "webmail.apps.mil", port: 993 });
        const worldwide = parseArgs(flags, env);
        assert.ok(worldwide !== "help");
        assert.strictEqual(worldwide.target.scope, "https://outlook.office365.com/.default", "global stays the default");
        assert.throws(() => parseArgs([...flags, "--cloud", "china"], env), /--cloud china: .*21Vianet/);
        assert.throws(() => parseArgs([...flags, "--cloud", "gov"], env), /--cloud gov is not one of global, usGovGccHigh, usGovDod, china/);
        assert.throws(() => parseArgs(["--stack", "gov", "--cloud", "usGovDod"], {}, (stack) => targetFromStack(stack, run)), /--cloud goes without --stack/);
    });
});
