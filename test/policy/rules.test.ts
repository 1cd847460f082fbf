/**
 * The policy pack: each rule passing on what the program declares, and failing on what it must not.
 */
import * as assert from "assert";
import { exchangeOnline } from "../../facts/microsoft";
import { policies } from "../../policy/policies";
import { allowOrganizationSmtpAuthTag } from "../../policy/rules";
import { ProgramRun, runProgram, stackConfig } from "../harness";

const noTags = new Map<string, string>();

/** Runs one policy the way the analyzer would: the resource's type and properties, collecting violations. */
async function violations(
    policyName: string,
    type: string,
    props: Record<string, any>,
    stackTags: ReadonlyMap<string, string> = noTags,
    config: object = {},
): Promise<string[]> {
    const policy = policies.find((p) => p.name === policyName);
    assert.ok(policy, `no policy ${policyName}`);
    const found: string[] = [];
    const validations = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource!];
    for (const validate of validations) {
        await validate(
            {
                type,
                props,
                urn: `urn:pulumi:test::m365::${type}::x`,
                name: "x",
                opts: {} as any,
                stackTags,
                isType: () => false,
                asType: () => undefined,
                getConfig: <T>() => config as T,
                notApplicable: () => {
                    throw new Error("n/a");
                },
            } as any,
            (message) => {
                found.push(message);
            },
        );
    }
    return found;
}

/** Runs every policy over what the program declares for a config. */
async function allViolations(run: ProgramRun, stackTags: ReadonlyMap<string, string> = noTags): Promise<string[]> {
    const found: string[] = [];
    for (const resource of run.resources) {
        for (const policy of policies) {
            found.push(...(await violations(policy.name, resource.type, resource.inputs, stackTags)).map((v) => `${policy.name}: ${v}`));
        }
    }
    return found;
}

const exchange = { organization: "contoso.onmicrosoft.com", auth: "interactive" };

describe("policy pack", function () {
    this.timeout(60_000);

    it("passes everything the program declares for a typical stack", async () => {
        const run = await runProgram(stackConfig({ displayName: "EDI", mailboxes: [{ address: "a@contoso.com", protocols: ["imap", "smtp"] }], exchange }), {
            preview: true,
        });
        assert.ifError(run.error);
        assert.deepStrictEqual(await allViolations(run), []);
    });

    it("no-tenant-wide-mail-permissions fails on full_access_as_app and Graph Mail.* roles", async () => {
        const app = (id: string) => ({ requiredResourceAccesses: [{ resourceAppId: exchangeOnline.appId, resourceAccesses: [{ id, type: "Role" }] }] });
        assert.deepStrictEqual(
            await violations("no-tenant-wide-mail-permissions", "azuread:index/application:Application", app(exchangeOnline.appRoles["IMAP.AccessAsApp"])),
            [],
        );
        assert.match(
            (await violations("no-tenant-wide-mail-permissions", "azuread:index/application:Application", app("dc890d15-9560-4a4c-9b7f-a736ec74ec40")))[0],
            /full_access_as_app/,
        );
        assert.match(
            (
                await violations("no-tenant-wide-mail-permissions", "azuread:index/appRoleAssignment:AppRoleAssignment", {
                    appRoleId: "810c84a8-4a9e-49e6-bf7d-12d183f40d01",
                })
            )[0],
            /Mail\.Read/,
        );
    });

    it("secret-lifetime-at-most checks the lifetime against the configured maximum", async () => {
        const expiry = "pulumi-nodejs:dynamic/m365-mail-oauth:SecretExpiry";
        assert.deepStrictEqual(await violations("secret-lifetime-at-most", expiry, { lifetimeDays: 180 }), []);
        assert.match((await violations("secret-lifetime-at-most", expiry, { lifetimeDays: 730 }))[0], /730 days; this policy allows at most 365/);
        assert.match((await violations("secret-lifetime-at-most", expiry, { lifetimeDays: 180 }, noTags, { maxSecretLifetimeDays: 90 }))[0], /at most 90/);
        const password = "azuread:index/applicationPassword:ApplicationPassword";
        assert.match(
            (await violations("secret-lifetime-at-most", password, { startDate: "2026-01-01T00:00:00Z", endDate: "2028-01-01T00:00:00Z" }))[0],
            /730 days after it starts/,
        );
        assert.deepStrictEqual(
            await violations("secret-lifetime-at-most", password, { startDate: "2026-01-01T00:00:00Z", endDate: "2026-07-01T00:00:00Z" }),
            [],
        );
    });

    it("app-only-apps-single-tenant fails a multi-tenant app with app roles", async () => {
        const multi = await runProgram(
            stackConfig({ displayName: "EDI", signInAudience: "AzureADMultipleOrgs", mailboxes: [{ address: "a@contoso.com", protocols: ["pop"] }], exchange }),
            { preview: true },
        );
        assert.match((await allViolations(multi)).join("\n"), /app-only-apps-single-tenant: .*AzureADMultipleOrgs/);
        const userOnly = await runProgram(
            stackConfig({ displayName: "PDFC", signInAudience: "AzureADMultipleOrgs", userSignIn: { redirectUris: ["https://p.contoso.com/cb"] } }),
            { preview: true },
        );
        assert.deepStrictEqual(await allViolations(userOnly), [], "delegated-only apps may be multi-tenant");
    });

    it("exchange-commands-do-not-log-stdout fails a PowerShell command that logs stdout", async () => {
        const command = "command:local:Command";
        assert.deepStrictEqual(
            await violations("exchange-commands-do-not-log-stdout", command, { interpreter: ["pwsh", "-File"], create: "x.ps1", logging: "stderr" }),
            [],
        );
        assert.match(
            (await violations("exchange-commands-do-not-log-stdout", command, { interpreter: ["/usr/bin/pwsh", "-File"], create: "x.ps1" }))[0],
            /logging "stdoutAndStderr"/,
        );
        assert.match(
            (await violations("exchange-commands-do-not-log-stdout", command, { create: "pwsh -File sync.ps1", logging: "stdout" }))[0],
            /logs stdout/,
        );
        assert.deepStrictEqual(await violations("exchange-commands-do-not-log-stdout", command, { create: "echo hi" }), [], "other commands are not concerned");
    });

    it("organization-smtp-auth-only-where-allowed needs the stack tag; the advisory warns even then", async () => {
        const run = await runProgram(
            stackConfig({ displayName: "EDI", smtpAuth: "organization", mailboxes: [{ address: "a@contoso.com", protocols: ["smtp"] }], exchange }),
            { preview: true },
        );
        assert.match(
            (await allViolations(run)).join("\n"),
            /organization-smtp-auth-only-where-allowed: .*pulumi stack tag set m365-mail-oauth:allowOrganizationSmtpAuth true/,
        );
        const allowed = await allViolations(run, new Map([[allowOrganizationSmtpAuthTag, "true"]]));
        assert.strictEqual(allowed.length, 1);
        assert.match(
            allowed[0],
            /^organization-smtp-auth-advisory: .*CIS Microsoft 365 benchmark and CISA's SCuBA baseline \(MS\.EXO\.5\.1\).*prefer smtpAuth mailbox/,
        );
    });

    it("the advisory is silent for per-mailbox SMTP AUTH", async () => {
        const run = await runProgram(stackConfig({ displayName: "EDI", mailboxes: [{ address: "a@contoso.com", protocols: ["smtp"] }], exchange }), {
            preview: true,
        });
        assert.deepStrictEqual(await allViolations(run), []);
    });

    it("every rule is described; all are mandatory but the organisation-wide SMTP AUTH advisory", () => {
        assert.strictEqual(policies.length, 6);
        for (const policy of policies) {
            assert.strictEqual(policy.enforcementLevel, policy.name === "organization-smtp-auth-advisory" ? "advisory" : "mandatory");
            assert.ok(policy.description.length > 10);
        }
    });
});
