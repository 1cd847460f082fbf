/**
 * `npm run stacks -- new <customer>`: one more customer's stack file, from a template stack's settings or from the
 * flags, checked as the program checks config before anything is written.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { deployOrder, newStack } from "../../tools/stacks";
import { validateStackConfig } from "../../config/validate";
import { readStackFile } from "../../tools/review/stackFile";
import { projectRoot } from "../../facts/projectRoot";

describe("npm run stacks -- new: a stack per customer tenant", () => {
    let root: string;
    let out: string[];
    let err: string[];
    const run = (...args: string[]) =>
        newStack(
            ["new", ...args],
            root,
            (line: string) => out.push(line),
            (line: string) => err.push(line),
        );
    const tenant = "3c3c3c3c-1111-4222-8333-444444444444";
    beforeEach(() => {
        root = fs.mkdtempSync(path.join(os.tmpdir(), "m365-stacks-"));
        // The project's own example stack as the provider's template.
        fs.copyFileSync(path.join(projectRoot(), "Pulumi.prod.yaml"), path.join(root, "Pulumi.prod.yaml"));
        out = [];
        err = [];
    });
    afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

    it("from a template stack: its settings kept, the customer's tenant, organization, name and mailboxes in, valid as the program reads it", () => {
        const code = run(
            "fabrikam",
            "--tenant",
            tenant,
            "--organization",
            "fabrikam.onmicrosoft.com",
            "--from",
            "prod",
            "--mailbox",
            "edi@fabrikam.com:imap,smtp",
        );
        assert.strictEqual(code, 0, err.join("\n"));
        const file = path.join(root, "Pulumi.fabrikam.yaml");
        const text = fs.readFileSync(file, "utf8");
        const template = parse(fs.readFileSync(path.join(root, "Pulumi.prod.yaml"), "utf8")).config;
        const config = parse(text).config;
        assert.strictEqual(config["azuread:tenantId"], tenant);
        assert.strictEqual(config["m365-mail-oauth:displayName"], "Mail OAuth (fabrikam)");
        assert.strictEqual(config["m365-mail-oauth:exchange"].organization, "fabrikam.onmicrosoft.com");
        assert.deepStrictEqual(config["m365-mail-oauth:mailboxes"], [{ address: "edi@fabrikam.com", protocols: ["imap", "smtp"] }]);
        for (const [name, value] of Object.entries(template))
            if (!["azuread:tenantId", "m365-mail-oauth:displayName", "m365-mail-oauth:exchange", "m365-mail-oauth:mailboxes"].includes(name))
                assert.deepStrictEqual(config[name], value, `${name} as the template has it`);
        assert.doesNotMatch(text, /^encryptionsalt:/m, "the salt is each stack's own (pulumi stack init)");
        assert.match(text, /^# The fabrikam stack: one app in the customer's own tenant, made from the prod stack's settings\./m);
        assert.match(text, /yaml-language-server: \$schema=/, "the schema line stays");
        assert.ok(validateStackConfig(readStackFile(file)).ok);
        assert.match(out.join("\n"), /next: pulumi stack init fabrikam, npm run -s preflight -- --stack fabrikam, pulumi up --stack fabrikam/);
    });

    it("refuses, writing nothing, what the program would refuse, a name Pulumi would, and a stack that exists", () => {
        assert.strictEqual(run("bad name", "--tenant", "not-a-guid", "--organization", "x", "--mailbox", "a@b.com:smtp,fax"), 1);
        assert.match(err.join("\n"), /"bad name" is not a stack name/);
        assert.match(err.join("\n"), /--mailbox a@b\.com:smtp,fax: fax is not one of imap, pop, smtp/);
        err = [];
        assert.strictEqual(run("contoso", "--tenant", "not-a-guid", "--organization", "contoso.onmicrosoft.com", "--mailbox", "edi@contoso.com"), 1);
        assert.match(err.join("\n"), /azuread:tenantId/, "the program's own check names the key");
        assert.ok(!fs.existsSync(path.join(root, "Pulumi.contoso.yaml")));
        err = [];
        assert.strictEqual(run("prod", "--tenant", tenant, "--organization", "contoso.onmicrosoft.com", "--mailbox", "edi@contoso.com"), 1);
        assert.match(err.join("\n"), /Pulumi\.prod\.yaml exists already/);
        err = [];
        assert.strictEqual(run("contoso", "--organization", "contoso.onmicrosoft.com"), 2);
        assert.match(err.join("\n"), /needs --tenant <tenant-id>/);
    });

    it("from the flags alone: needs the mailboxes", () => {
        assert.strictEqual(run("contoso", "--tenant", tenant, "--organization", "contoso.onmicrosoft.com"), 1);
        assert.match(err.join("\n"), /give the customer's mailboxes with --mailbox/);
        err = [];
        assert.strictEqual(run("contoso", "--tenant", tenant, "--organization", "contoso.onmicrosoft.com", "--mailbox", "edi@contoso.com"), 0, err.join("\n"));
        const config = parse(fs.readFileSync(path.join(root, "Pulumi.contoso.yaml"), "utf8")).config;
        assert.deepStrictEqual(config["m365-mail-oauth:exchange"], { auth: "interactive", organization: "contoso.onmicrosoft.com" });
        assert.deepStrictEqual(config["m365-mail-oauth:mailboxes"], [{ address: "edi@contoso.com", protocols: ["imap", "smtp"] }]);
    });

    it("--provider: a customer's stack of the provider's multi-tenant app, and the customer added to the provider's stack file (its comments kept)", () => {
        const providerFile = path.join(root, "Pulumi.provider.yaml");
        fs.writeFileSync(
            providerFile,
            [
                "# The provider's multi-tenant app.",
                "config:",
                "  azuread:tenantId: 9a9a9a9a-0000-4000-8000-0000000009a0",
                "  m365-mail-oauth:displayName: EDI (provider)",
                "  m365-mail-oauth:signInAudience: AzureADMultipleOrgs",
                "  m365-mail-oauth:customerTenants:",
                "    consentRedirectUri: https://provider.example/consented",
                "    protocols: [imap, smtp]",
                "    # one entry per customer",
                "    customers:",
                "      - name: northwind",
                "        tenantId: 00000000-0000-4000-8000-0000000000ee",
                "",
            ].join("\n"),
        );
        const args = [
            "fabrikam",
            "--tenant",
            tenant,
            "--organization",
            "fabrikam.onmicrosoft.com",
            "--provider",
            "provider",
            "--mailbox",
            "edi@fabrikam.com:imap",
        ];
        assert.strictEqual(run(...args), 0, err.join("\n"));
        const customer = parse(fs.readFileSync(path.join(root, "Pulumi.fabrikam.yaml"), "utf8")).config;
        assert.deepStrictEqual(customer["m365-mail-oauth:providerApp"], { stack: "provider" });
        assert.strictEqual(customer["m365-mail-oauth:displayName"], "EDI (provider)", "the app's name in Exchange Online, as the provider's");
        assert.ok(validateStackConfig(readStackFile(path.join(root, "Pulumi.fabrikam.yaml"))).ok);
        const providerText = fs.readFileSync(providerFile, "utf8");
        assert.deepStrictEqual(parse(providerText).config["m365-mail-oauth:customerTenants"].customers, [
            { name: "northwind", tenantId: "00000000-0000-4000-8000-0000000000ee" },
            { name: "fabrikam", tenantId: tenant },
        ]);
        assert.match(providerText, /^# The provider's multi-tenant app\./m, "the provider's comments stay");
        assert.ok(validateStackConfig(readStackFile(providerFile)).ok);
        assert.match(out.join("\n"), /added fabrikam to Pulumi\.provider\.yaml; next: pulumi up --stack provider, send the customer's admin its URL/);

        // The same tenant again, under another name: refused, nothing written.
        err = [];
        assert.strictEqual(
            run("fabrikam2", "--tenant", tenant, "--organization", "fabrikam.onmicrosoft.com", "--provider", "provider", "--mailbox", "a@fabrikam.com"),
            1,
        );
        assert.match(err.join("\n"), /its customerTenants already lists \{"name":"fabrikam"/);
        assert.ok(!fs.existsSync(path.join(root, "Pulumi.fabrikam2.yaml")));
        // deploy.yml deploys the provider's stack first, so a rotation there is deployed before the customers' hand it on.
        assert.deepStrictEqual(deployOrder(["fabrikam", "prod", "provider"], root), ["provider", "fabrikam", "prod"]);
        // A stack that is no provider's of a multi-tenant app.
        err = [];
        assert.strictEqual(
            run(
                "contoso",
                "--tenant",
                "3c3c3c3c-1111-4222-8333-555555555555",
                "--organization",
                "contoso.onmicrosoft.com",
                "--provider",
                "prod",
                "--mailbox",
                "a@contoso.com",
            ),
            1,
        );
        assert.match(err.join("\n"), /--provider prod: Pulumi\.prod\.yaml has no m365-mail-oauth:customerTenants/);
    });
});
