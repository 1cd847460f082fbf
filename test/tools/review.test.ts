/**
 * npm run review: the real program against the stack files, engine mocked, report for a mail admin.
 */
import * as assert from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { exchangeOnline } from "../../facts/microsoft";
import { projectRoot } from "../../facts/projectRoot";
import { ReviewReport, readStackFile, review } from "../../tools/review";
import { evaluateStack } from "../../tools/review/cli";

const root = projectRoot();

describe("npm run review", function () {
    this.timeout(60_000);

    it("reads a stack file into Pulumi's config map, secure values left encrypted", () => {
        const file = path.join(root, "bin", "Pulumi.readtest.yaml");
        fs.writeFileSync(
            file,
            "config:\n  m365-mail-oauth:displayName: X\n  m365-mail-oauth:owners:\n  secretLifetimeDays: 30\n  m365-mail-oauth:exchangeCertificatePassword:\n    secure: AAABAxyz\n  m365-mail-oauth:mailboxes:\n    - address: a@contoso.com\n      protocols: [imap]\n",
        );
        try {
            // owners has no value: not set (never the text "null").
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
        const result = await review(["--stack", "dev", "--format", "json"]);
        assert.strictEqual(result.exitCode, 0, result.output);
        const report = JSON.parse(result.output) as ReviewReport;
        assert.strictEqual(report.application.displayName, "Mail OAuth (dev)");
        assert.deepStrictEqual(
            report.permissions.map((p) => [p.name, p.id, p.kind]),
            [
                ["IMAP.AccessAsApp", exchangeOnline.appRoles["IMAP.AccessAsApp"], "application permission (app role)"],
                ["SMTP.SendAsApp", exchangeOnline.appRoles["SMTP.SendAsApp"], "application permission (app role)"],
            ],
        );
        assert.match(report.permissions[0].consent, /app role assignment/);
        // Structured fields a tool can filter on, each with its reason in words.
        assert.deepStrictEqual(
            report.mailboxes.map((m) => [m.mailbox, m.protocols, m.operations.map((o) => [o.cmdlet, o.right])]),
            [
                [
                    "edi-dev@contoso.com",
                    ["imap", "smtp"],
                    [
                        ["Add-MailboxPermission", "FullAccess"],
                        ["Add-RecipientPermission", "SendAs"],
                        ["Set-CASMailbox", "SmtpClientAuthenticationDisabled $false"],
                        ["Set-CASMailbox", "ImapEnabled $true"],
                    ],
                ],
            ],
        );
        assert.match(report.mailboxes[0].operations[0].reason, /read and delete every item of the mailbox/);
        assert.ok(report.mailboxes[0].operations.every((o) => o.reason.length > 0));
        assert.strictEqual(report.application.owners, "the deploying identity, at creation");
        assert.strictEqual(report.exchange?.interactiveSignIn, true);
        // Only the protocols in use (dev: IMAP and SMTP), each with who signs in there.
        assert.deepStrictEqual(
            report.clientSettings.servers.map((s) => [s.protocol, s.host, s.port, s.usernames]),
            [
                ["imap", "outlook.office365.com", 993, ["edi-dev@contoso.com"]],
                ["smtp", "smtp.office365.com", 587, ["edi-dev@contoso.com"]],
            ],
        );
        assert.strictEqual(report.exchange?.sessionsPerUpdate, 1);
        assert.strictEqual(report.credential.secret?.lifetimeDays, 90);
        assert.strictEqual(report.clientSettings.tokenUrl, "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/oauth2/v2.0/token");
        assert.ok(report.resources.some((r) => r.type === "command:local:Command"));
    });

    it("shows the appRbac mode and what it creates, without SMTP.SendAsApp or SendAs", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "m365-plan-"));
        try {
            const file = path.join(dir, "Pulumi.rbac.yaml");
            const config = {
                "azuread:tenantId": "7a3c5e1f-0000-4000-8000-00000000aaaa",
                "m365-mail-oauth:displayName": "EDI",
                "m365-mail-oauth:mailboxes": [
                    { address: "edi@contoso.com", protocols: ["imap", "smtp"] },
                    { address: "out@contoso.com", protocols: ["smtp"] },
                ],
                "m365-mail-oauth:exchange": { organization: "contoso.onmicrosoft.com", smtpAuthorization: "appRbac" },
            };
            fs.writeFileSync(
                file,
                `config:\n${Object.entries(config)
                    .map(([key, value]) => `  ${key}: ${JSON.stringify(value)}`)
                    .join("\n")}\n`,
            );
            const json = await evaluateStack("rbac", "json", file);
            assert.strictEqual(json.exitCode, 0, json.output);
            const report = JSON.parse(json.output) as ReviewReport;
            assert.deepStrictEqual(
                report.permissions.map((p) => p.name),
                ["IMAP.AccessAsApp"],
            );
            assert.strictEqual(report.exchange?.smtpAuthorization, "appRbac");
            assert.deepStrictEqual(report.exchange?.appRbac?.members, ["edi@contoso.com", "out@contoso.com"]);
            assert.strictEqual(report.exchange?.appRbac?.group, "edi-smtp-senders");
            assert.ok(report.mailboxes.every((m) => !m.operations.some((o) => o.right === "SendAs")));
            assert.deepStrictEqual(
                report.mailboxes[1].operations.filter((o) => o.right === "FullAccess"),
                [],
                "smtp only: no FullAccess",
            );
            const text = (await evaluateStack("rbac", "text", file)).output;
            assert.match(text, /SMTP authorization: appRbac/);
            assert.match(text, /New-ManagementRoleAssignment -Name edi-smtp-senders-SMTP\.SendAsApp -Role 'Application SMTP\.SendAsApp'/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("one multi-tenant app: the provider's stack lists its customers; a customer's stack shows the provider's app, the consent and no credential of its own", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "m365-review-multitenant-"));
        const write = (name: string, config: Record<string, unknown>) => {
            const file = path.join(dir, `Pulumi.${name}.yaml`);
            fs.writeFileSync(
                file,
                `config:\n${Object.entries(config)
                    .map(([key, value]) => `  ${key}: ${JSON.stringify(value)}`)
                    .join("\n")}\n`,
            );
            return file;
        };
        const customerTenant = "fab00000-0000-4000-8000-0000000000fa";
        try {
            const provider = write("provider", {
                "azuread:tenantId": "9a9a9a9a-0000-4000-8000-0000000009a0",
                "m365-mail-oauth:displayName": "EDI (provider)",
                "m365-mail-oauth:signInAudience": "AzureADMultipleOrgs",
                "m365-mail-oauth:customerTenants": {
                    consentRedirectUri: "https://provider.example/consented",
                    protocols: ["imap"],
                    customers: [{ name: "fabrikam", tenantId: customerTenant }],
                },
            });
            const providerText = (await evaluateStack("provider", "text", provider)).output;
            assert.match(
                providerText,
                new RegExp(
                    `Customers consenting in their own tenants \\(imap\\): fabrikam \\(tenant ${customerTenant}\\); each one's admin-consent URL is in the output adminConsentUrls`,
                ),
            );
            assert.match(providerText, /Web redirect URIs: https:\/\/provider\.example\/consented/);

            const customer = write("fabrikam", {
                "azuread:tenantId": customerTenant,
                "m365-mail-oauth:displayName": "EDI (provider)",
                "m365-mail-oauth:providerApp": { stack: "provider", waitMinutes: 20 },
                "m365-mail-oauth:mailboxes": [{ address: "edi@fabrikam.com", protocols: ["imap"] }],
                "m365-mail-oauth:exchange": { organization: "fabrikam.onmicrosoft.com" },
            });
            const result = await evaluateStack("fabrikam", "json", customer);
            assert.strictEqual(result.exitCode, 0, result.output);
            const report = JSON.parse(result.output) as ReviewReport;
            assert.deepStrictEqual(report.providerApp, { stack: "organization/m365-mail-oauth/provider", waitMinutes: 20 });
            const text = (await evaluateStack("fabrikam", "text", customer)).output;
            assert.match(text, /The provider's app:/);
            assert.match(text, /nothing is made in Entra ID here/);
            assert.match(text, /`pulumi up` waits up to 20 minute\(s\) for the service principal the consent makes/);
            assert.doesNotMatch(text, /App registration:|Credential:/, "no app registration and no credential of its own");
            assert.match(text, /the provider's stack, read \(providerApp\): 1/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("where the stack is deployed (local file backend), the current secret's end date itself; after a rotation, how it is set", async () => {
        const backend = fs.mkdtempSync(path.join(os.tmpdir(), "m365-plan-backend-"));
        const saved = process.env.PULUMI_BACKEND_URL;
        try {
            // The checkpoint as the real engine writes it (its reading is checked against one in test/e2e).
            const stateFile = path.join(backend, ".pulumi", "stacks", "m365-mail-oauth", "dev.json");
            fs.mkdirSync(path.dirname(stateFile), { recursive: true });
            const stackResource = {
                urn: "urn:pulumi:dev::m365-mail-oauth::pulumi:pulumi:Stack::m365-mail-oauth-dev",
                custom: false,
                type: "pulumi:pulumi:Stack",
            };
            const writeState = (outputs: Record<string, unknown>) =>
                fs.writeFileSync(
                    stateFile,
                    JSON.stringify({
                        version: 3,
                        checkpoint: { stack: "organization/m365-mail-oauth/dev", latest: { resources: [{ ...stackResource, outputs }] } },
                    }),
                );
            writeState({ secretRotation: 0, clientSecretExpiresAt: "2027-03-02T10:00:00Z" });
            process.env.PULUMI_BACKEND_URL = `file://${backend}`;
            const report = JSON.parse((await review(["--stack", "dev", "--format", "json"])).output) as ReviewReport;
            assert.strictEqual(report.credential.secret?.expiresAt, "2027-03-02T10:00:00Z");
            assert.match((await review(["--stack", "dev"])).output, /expires 2027-03-02T10:00:00Z \(the deployed secret's end date\)/);
            // The deployed secret is of another rotation: the config's secret is yet to be made.
            writeState({ secretRotation: 1, clientSecretExpiresAt: "2027-03-02T10:00:00Z" });
            const other = JSON.parse((await review(["--stack", "dev", "--format", "json"])).output) as ReviewReport;
            assert.strictEqual(other.credential.secret?.expiresAt, undefined);
            assert.match(other.credential.secret!.expires, /^90 days after it is created/);
        } finally {
            process.env.PULUMI_BACKEND_URL = saved;
            fs.rmSync(backend, { recursive: true, force: true });
        }
    });

    it("the offline review prints no engine warnings (undefined outputs are left out)", () => {
        const run = spawnSync(process.execPath, [path.join(root, "bin", "tools", "review.js"), "--stack", "prod"], { cwd: root, encoding: "utf8" });
        assert.strictEqual(run.status, 0, run.stderr);
        assert.strictEqual(run.stderr, "");
        assert.doesNotMatch(run.stdout, /will not show as a stack output|warning:/i);
    });

    it("text and markdown say the same in words", async () => {
        const text = await review(["--stack", "prod"]);
        assert.strictEqual(text.exitCode, 0, text.output);
        assert.match(text.output, /App registration:\n {2}Mail OAuth \(prod\)/);
        assert.match(text.output, /Permission: POP\.AccessAsApp\n {6}ID: cb842b43-da6e-4506-86fe-bb12199c656d\n {6}Kind: application permission/);
        assert.match(text.output, /- invoices@contoso\.com\n {6}Protocols: imap\n {6}Operations:\n {8}- Add-MailboxPermission FullAccess/);
        assert.match(text.output, /SMTP: smtp\.office365\.com:587 \(STARTTLS\), user name: edi@contoso\.com\n/);
        assert.match(text.output, /IMAP: outlook\.office365\.com:993 \(implicit TLS\), user name: invoices@contoso\.com\n/);
        assert.match(text.output, /POP3: outlook\.office365\.com:995 \(implicit TLS\), user name: edi@contoso\.com\n/);
        assert.match(text.output, /protected from destroy/);
        assert.match(text.output, /Owners: the deploying identity, at creation/);
        assert.match(text.output, /Enterprise application: sign-in enabled, assignment not required; a change made in the portal shows as drift/);
        assert.match(text.output, /pulumi destroy moves the app registration to Entra ID's deleted items for 30 days/);
        assert.doesNotMatch(text.output, /opens a browser/, "prod signs in to Exchange with a certificate");
        // Resource counts by kind in words, not type tokens.
        assert.match(text.output, /\n {2}client secret: 1\n/);
        assert.match(text.output, /\n {2}admin consent to an application permission: 3\n/);
        assert.doesNotMatch(text.output.slice(text.output.indexOf("Resources:")), /azuread:index/);
        const markdown = await review(["--stack=prod", "--format=markdown"]);
        assert.match(markdown.output, /^## Offline review of stack "prod"/);
        assert.match(markdown.output, /\| edi@contoso\.com \| pop, smtp \| Add-MailboxPermission FullAccess/);
    });

    it("text and markdown come from one document: every value of one is in the other", async () => {
        const config = path.join(root, "Pulumi.plantest-signin.yaml");
        fs.writeFileSync(
            config,
            [
                "config:",
                "  azuread:tenantId: 7a3c5e1f-0000-4000-8000-00000000aaaa",
                "  m365-mail-oauth:displayName: Sign-in",
                "  m365-mail-oauth:smtpAuth: organization",
                "  m365-mail-oauth:userSignIn:",
                "    redirectUris: [https://pdfc.contoso.com/oauth]",
                "    protocols: [imap, smtp]",
                "  m365-mail-oauth:mailboxes:",
                "    - address: edi@contoso.com",
                "      protocols: [smtp]",
                "  m365-mail-oauth:exchange:",
                "    organization: contoso.onmicrosoft.com",
                "",
            ].join("\n"),
        );
        try {
            const text = (await review(["--stack", "plantest-signin"])).output;
            const markdown = (await review(["--stack", "plantest-signin", "--format", "markdown"])).output;
            const report = JSON.parse((await review(["--stack", "plantest-signin", "--format", "json"])).output) as ReviewReport;
            for (const shown of [
                "New-ServicePrincipal -AppId",
                "Set-TransportConfig -SmtpClientAuthenticationDisabled $false",
                report.clientSettings.userSignIn!.authorizeUrl,
                report.clientSettings.userSignIn!.scope,
                "admin consent to delegated permissions",
                "users signing in themselves",
            ]) {
                assert.ok(text.includes(shown), `text lacks ${shown}`);
                assert.ok(markdown.includes(shown.replace(/\|/g, "\\|")), `markdown lacks ${shown}`);
            }
            // Counts per type add up to the total.
            const total = Number(/### Resources: (\d+)/.exec(markdown)?.[1]);
            const resourceTable = markdown.slice(markdown.indexOf("### Resources:"));
            const counted = [...resourceTable.matchAll(/^\| [^|-][^|]* \| (\d+) \|$/gm)].reduce((sum, match) => sum + Number(match[1]), 0);
            assert.strictEqual(counted, total);
            assert.strictEqual(total, report.resources.length);
        } finally {
            fs.rmSync(config);
        }
    });

    it("shows the stack's cloud, the azuread provider's environment for it and its mail servers, and says which values are inferred", async () => {
        const config = path.join(root, "Pulumi.plantest-gcchigh.yaml");
        fs.writeFileSync(
            config,
            [
                "config:",
                "  azuread:tenantId: 7a3c5e1f-0000-4000-8000-00000000aaaa",
                "  azuread:environment: usgovernmentl4",
                "  m365-mail-oauth:displayName: GCC High",
                "  m365-mail-oauth:cloud: usGovGccHigh",
                "  m365-mail-oauth:mailboxes:",
                "    - address: edi@contoso.us",
                "      protocols: [imap, smtp]",
                "  m365-mail-oauth:exchange:",
                "    organization: contoso.onmicrosoft.us",
                "",
            ].join("\n"),
        );
        try {
            const report = JSON.parse((await review(["--stack", "plantest-gcchigh", "--format", "json"])).output) as ReviewReport;
            assert.strictEqual(report.cloud.name, "usGovGccHigh");
            assert.strictEqual(report.cloud.azureadEnvironment, "usgovernmentl4");
            assert.strictEqual(report.cloud.exchangeEnvironmentName, "O365USGovGCCHigh");
            assert.deepStrictEqual(
                report.clientSettings.servers.map((server) => [server.protocol, server.host, server.port]),
                [
                    ["imap", "outlook.office365.us", 993],
                    ["smtp", "outlook.office365.us", 587],
                ],
            );
            const text = (await review(["--stack", "plantest-gcchigh"])).output;
            assert.match(
                text,
                /Cloud: Microsoft 365 GCC High \(usGovGccHigh\): the azuread provider's environment usgovernmentl4, Exchange Online PowerShell O365USGovGCCHigh/,
            );
            assert.match(text, /names Worldwide's Exchange Online scopes only.*npm run verify/);
            assert.ok(text.includes("https://login.microsoftonline.us/7a3c5e1f-0000-4000-8000-00000000aaaa/oauth2/v2.0/token"));
        } finally {
            fs.rmSync(config);
        }
    });

    it("names each hand-made secret legacySecretsRetired retires, in text and JSON", async () => {
        const config = path.join(root, "Pulumi.plantest-legacy.yaml");
        const keyId = "0b0d4a3e-6f0a-4c55-9d1e-2b7f3c8a9e01";
        fs.writeFileSync(
            config,
            [
                "config:",
                "  azuread:tenantId: 7a3c5e1f-0000-4000-8000-00000000aaaa",
                "  m365-mail-oauth:displayName: Adopted",
                "  m365-mail-oauth:mailboxes:",
                "    - address: edi@contoso.com",
                "      protocols: [imap]",
                "  m365-mail-oauth:exchange:",
                "    organization: contoso.onmicrosoft.com",
                "  m365-mail-oauth:legacySecretsRetired:",
                `    - ${keyId.toUpperCase()}`,
                "",
            ].join("\n"),
        );
        try {
            const report = JSON.parse((await review(["--stack", "plantest-legacy", "--format", "json"])).output) as ReviewReport;
            assert.deepStrictEqual(report.credential.legacySecretsRetired, [keyId]);
            const text = (await review(["--stack", "plantest-legacy"])).output;
            assert.match(text, new RegExp(`legacy secret ${keyId} retired \\(a client secret made by hand, legacySecretsRetired\\)`));
        } finally {
            fs.rmSync(config);
        }
    });

    it("a YAML syntax error names file, line and column and shows the line, without a stack trace", async () => {
        const file = path.join(root, "Pulumi.plantest-yaml.yaml");
        fs.writeFileSync(file, "config:\n  m365-mail-oauth:displayName: X\n  m365-mail-oauth:mailboxes: [a, b\n  m365-mail-oauth:smtpAuth: mailbox\n");
        try {
            const result = await review(["--stack", "plantest-yaml"]);
            assert.strictEqual(result.exitCode, 1);
            assert.match(result.output, /^Pulumi\.plantest-yaml\.yaml:\d+:\d+: /);
            // The line the parser names and the one before it (where the bracket was left open).
            assert.match(result.output, /\n {4}3: {3}m365-mail-oauth:mailboxes: \[a, b\n {4}4: /);
            assert.match(result.output, /m365-mail-oauth:/);
            assert.doesNotMatch(result.output, /YAMLParseError|\n\s+at /);
        } finally {
            fs.rmSync(file);
        }
    });

    it("an empty file, a comment-only file and keys without config: say exactly that", async () => {
        for (const [text, expected] of [
            ["", /is empty \(or only comments\)/],
            ["# nothing yet\n", /is empty \(or only comments\)/],
            ["m365-mail-oauth:displayName: X\n", /m365-mail-oauth:displayName must be under config:/],
        ] as const) {
            const file = path.join(root, "Pulumi.plantest-empty.yaml");
            fs.writeFileSync(file, text);
            try {
                const result = await review(["--stack", "plantest-empty"]);
                assert.strictEqual(result.exitCode, 1, JSON.stringify(text));
                assert.match(result.output, expected);
            } finally {
                fs.rmSync(file);
            }
        }
    });

    it("bad config prints every validation error and exits 1", async () => {
        const file = path.join(root, "Pulumi.plantest-bad.yaml");
        fs.writeFileSync(
            file,
            "config:\n  m365-mail-oauth:displayName: X\n  m365-mail-oauth:mailboxes:\n    - address: nobody\n      protocols: [imap, ews]\n",
        );
        try {
            const result = await review(["--stack", "plantest-bad"]);
            assert.strictEqual(result.exitCode, 1);
            assert.match(result.output, /mailboxes\[0\]\.address: "nobody" is not an e-mail address/);
            assert.match(result.output, /mailboxes\[0\]\.protocols\[1\]: unknown protocol "ews"/);
            assert.match(result.output, /exchange\.organization: missing/);
        } finally {
            fs.rmSync(file);
        }
    });

    it("names an unknown stack and a bad flag, and prints full usage for --help", async () => {
        const unknown = await review(["--stack", "nope"]);
        assert.strictEqual(unknown.exitCode, 2);
        assert.match(unknown.output, /no stack "nope" in this project; its stacks: dev, prod/);
        assert.match((await review(["--stack", "dev", "--format", "html"])).output, /--format html/);
        // A usage error is one line and says where the usage is.
        assert.strictEqual((await review([])).output, "--stack is required (see npm run -s review -- --help)");
        assert.match((await review(["--colour"])).output, /Unknown option '--colour'/);
        const help = await review(["--help"]);
        assert.strictEqual(help.exitCode, 0);
        for (const flag of ["--stack", "--format", "--out", "--help", "default: text", "default: stdout"]) {
            assert.ok(help.output.includes(flag), flag);
        }
    });

    it("--out writes the plan to a file", async () => {
        const out = path.join(root, "bin", "plan-out.md");
        const result = await review(["--stack", "dev", "--format", "markdown", "--out", out]);
        assert.strictEqual(result.exitCode, 0);
        assert.match(fs.readFileSync(out, "utf8"), /^## Offline review of stack "dev"/);
        fs.rmSync(out);
    });

    it("every offline `npm run -s` command in the README and docs/ works as written, with clean output", () => {
        const pages = ["README.md", ...fs.readdirSync(path.join(root, "docs")).map((name) => `docs/${name}`)].filter((file) => file.endsWith(".md"));
        const text = pages.map((file) => fs.readFileSync(path.join(root, file), "utf8")).join("\n");
        // Commands that need no cloud, no Pulumi CLI and no secret: the offline review, the change review, the stacks, help
        // (not `stacks -- new`, which writes a stack file: test/tools/stacks.test.ts runs it in a folder of its own).
        const commands = [
            ...new Set([...text.matchAll(/^(npm run -s (?:review|stacks(?! -- new)|verify -- --help)\b[^#\n]*?)\s*(#.*)?$/gm)].map((match) => match[1].trim())),
        ];
        assert.ok(commands.length >= 6, `commands: ${commands.join(" / ")}`);
        for (const command of commands) {
            const run = spawnSync("bash", ["-c", command], { cwd: root, encoding: "utf8" });
            assert.strictEqual(run.status, 0, `${command}\n${run.stderr}`);
            assert.doesNotMatch(run.stdout, /^> /m, `${command}: npm's banner in the output`);
            if (command.includes("--format json")) JSON.parse(run.stdout);
            if (command.includes("--format markdown")) assert.match(run.stdout, /^## Offline review of stack/);
            if (command.includes("--compare")) assert.match(run.stdout, /^Change review for stack/);
        }
        assert.ok(execFileSync("node", ["--version"], { encoding: "utf8" }));
    });
});
