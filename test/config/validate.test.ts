import * as assert from "assert";
import { isMailAddress } from "../../config/formats";
import { StackSettings } from "../../config/settings";
import { placeholderTenantProblem, validateStackConfig, ValidationResult } from "../../config/validate";
import { stackConfig } from "../harness";

const exchange = { organization: "contoso.onmicrosoft.com", auth: "interactive" };
const signIn = { displayName: "PDFC", userSignIn: { redirectUris: ["https://pdfc.contoso.com/cb"] } };

function valid(values: Record<string, unknown>): StackSettings {
    const result = validateStackConfig(stackConfig(values));
    if (!result.ok) {
        assert.fail(`expected valid config, got:\n${result.problems.join("\n")}`);
    }
    return result.settings;
}

function problems(values: Record<string, unknown>): readonly string[] {
    const result: ValidationResult = validateStackConfig(stackConfig(values));
    assert.strictEqual(result.ok, false, "expected the config to be rejected");
    return result.ok ? [] : result.problems;
}

function assertProblem(list: readonly string[], key: string, ...fragments: string[]): void {
    const match = list.find((problem) => problem.startsWith(`m365-mail-oauth:${key}: `) && fragments.every((f) => problem.includes(f)));
    assert.ok(match, `no problem for ${key} containing ${JSON.stringify(fragments)} in:\n${list.join("\n")}`);
}

describe("stack config validation", () => {
    it("fills in the documented defaults", () => {
        const settings = valid({ displayName: "EDI", mailboxes: [{ address: "edi@contoso.com", protocols: ["pop"] }], exchange });
        assert.strictEqual(settings.signInAudience, "AzureADMyOrg");
        assert.strictEqual(settings.smtpAuth, "mailbox");
        assert.strictEqual(settings.secretLifetimeDays, 180);
        assert.strictEqual(settings.exchange?.pwsh, "pwsh");
        assert.strictEqual(settings.exchange?.auth, "interactive");
        assert.strictEqual(settings.userSignIn, undefined);
    });

    it("reads exchange.adoptedGrants as lower-case addresses and refuses what is not one, naming the key", () => {
        const base = { displayName: "EDI", mailboxes: [{ address: "edi@contoso.com", protocols: ["imap"] }] };
        const settings = valid({ ...base, exchange: { ...exchange, adoptedGrants: ["EDI@contoso.com", "edi@contoso.com"] } });
        assert.deepStrictEqual(settings.exchange?.adoptedGrants, ["edi@contoso.com"]);
        assertProblem(
            problems({ ...base, exchange: { ...exchange, adoptedGrants: ["not an address"] } }),
            "exchange.adoptedGrants[0]",
            "is not an e-mail address",
        );
    });

    it("refuses every redirect URI the azuread provider would refuse, naming the key, the value and what to write", () => {
        const list = problems({
            displayName: "PDFC",
            userSignIn: {
                redirectUris: ["http://localhost", "https://pdfc.contoso.com", "https://pdfc.contoso.com?x=1", `https://pdfc.contoso.com/${"a".repeat(240)}`],
            },
        });
        assertProblem(list, "userSignIn.redirectUris[0]", '"http://localhost"', "no path segment", 'write "http://localhost/"');
        assertProblem(list, "userSignIn.redirectUris[1]", '"https://pdfc.contoso.com"', 'write "https://pdfc.contoso.com/"');
        assertProblem(list, "userSignIn.redirectUris[2]", 'write "https://pdfc.contoso.com/?x=1"');
        assertProblem(list, "userSignIn.redirectUris[3]", "265 characters", "at most 256");
        assert.strictEqual(list.length, 4, list.join("\n"));
        const settings = valid({ displayName: "PDFC", userSignIn: { redirectUris: ["http://localhost/", "https://pdfc.contoso.com/"] } });
        assert.deepStrictEqual(settings.userSignIn?.redirectUris, ["http://localhost/", "https://pdfc.contoso.com/"], "a bare slash is a path");
    });

    it("lower-cases owner object IDs, as Graph returns them, so the provider never sees a change that is none", () => {
        const settings = valid({ ...signIn, owners: ["0A1B2C3D-0000-4000-8000-00000000ABCD"] });
        assert.deepStrictEqual(settings.owners, ["0a1b2c3d-0000-4000-8000-00000000abcd"]);
    });

    it("declares the enterprise application's switches: Entra's defaults, or as configured", () => {
        assert.deepStrictEqual(valid(signIn).enterpriseApplication, { accountEnabled: true, appRoleAssignmentRequired: false });
        assert.deepStrictEqual(valid({ ...signIn, enterpriseApplication: { accountEnabled: false } }).enterpriseApplication, {
            accountEnabled: false,
            appRoleAssignmentRequired: false,
        });
        assertProblem(
            problems({ ...signIn, enterpriseApplication: { accountEnabled: "no" } }),
            "enterpriseApplication.accountEnabled",
            '"no"',
            "true or false",
        );
    });

    it("normalises protocol lists (sorted, without duplicates)", () => {
        const settings = valid({ displayName: "EDI", mailboxes: [{ address: "a@contoso.com", protocols: ["smtp", "imap", "smtp"] }], exchange });
        assert.deepStrictEqual(settings.mailboxes[0].protocols, ["imap", "smtp"]);
    });

    it("passes addresses that are legal but dangerous in a shell through untouched", () => {
        const addresses = ["o'brien@contoso.com", "$x@contoso.com", "a+b&c|d`e@contoso.com", "{x}@sub.contoso.co.uk"];
        const settings = valid({
            displayName: "EDI",
            mailboxes: addresses.map((address) => ({ address, protocols: ["imap"] })),
            exchange,
        });
        assert.deepStrictEqual(
            settings.mailboxes.map((m) => m.address),
            addresses,
        );
    });

    it("accepts user sign-in alone, with https and localhost redirect URIs", () => {
        const settings = valid({
            displayName: "PDFC",
            userSignIn: { redirectUris: ["https://pdfc.contoso.com/oauth", "http://localhost:9900/cb"], protocols: ["imap"] },
        });
        assert.deepStrictEqual(settings.userSignIn?.redirectUris, ["https://pdfc.contoso.com/oauth", "http://localhost:9900/cb"]);
        assert.strictEqual(settings.exchange, undefined, "no Exchange step without mailboxes");
    });

    it("needs exchange.organization for org-wide SMTP AUTH of signed-in users", () => {
        const list = problems({
            displayName: "PDFC",
            smtpAuth: "organization",
            userSignIn: { redirectUris: ["https://x.contoso.com/cb"], protocols: ["smtp"] },
        });
        assertProblem(list, "exchange.organization", "missing");
    });

    it("requires certificate settings for certificate auth", () => {
        const list = problems({
            displayName: "EDI",
            mailboxes: [{ address: "a@contoso.com", protocols: ["imap"] }],
            exchange: { organization: "contoso.onmicrosoft.com", auth: "certificate" },
        });
        assertProblem(list, "exchange.certificatePath", "missing", "certificate");
        assertProblem(list, "exchange.appId", "missing");
    });

    it("accepts complete certificate and managed identity connections", () => {
        const cert = valid({
            displayName: "EDI",
            mailboxes: [{ address: "a@contoso.com", protocols: ["imap"] }],
            exchange: {
                organization: "contoso.onmicrosoft.com",
                auth: "certificate",
                appId: "11111111-2222-3333-4444-555555555555",
                certificatePath: "/secure/exo.pfx",
            },
        });
        assert.deepStrictEqual(
            cert.exchange && { ...cert.exchange },
            {
                cloud: "global",
                organization: "contoso.onmicrosoft.com",
                auth: "certificate",
                appId: "11111111-2222-3333-4444-555555555555",
                certificatePath: "/secure/exo.pfx",
                certificatePasswordEnv: "M365_EXO_CERTIFICATE_PASSWORD",
                pwsh: "pwsh",
                reconcile: "changed",
                reconcileRun: "",
                smtpAuthorization: "mailboxPermission",
            },
            "a certificate connection carries exactly its own keys",
        );
        const mi = valid({
            displayName: "EDI",
            mailboxes: [{ address: "a@contoso.com", protocols: ["imap"] }],
            exchange: { organization: "contoso.onmicrosoft.com", auth: "managedIdentity", pwsh: "/opt/microsoft/powershell/7/pwsh" },
        });
        assert.strictEqual(mi.exchange?.pwsh, "/opt/microsoft/powershell/7/pwsh");
    });

    it("keeps only the sign-in mode's own keys of the exchange block", () => {
        const connection = (exchange: Record<string, unknown>) =>
            valid({ displayName: "EDI", mailboxes: [{ address: "a@contoso.com", protocols: ["imap"] }], exchange }).exchange;
        const everything = {
            organization: "contoso.onmicrosoft.com",
            appId: "11111111-2222-3333-4444-555555555555",
            certificatePath: "/secure/exo.pfx",
            managedIdentityAccountId: "22222222-2222-3333-4444-555555555555",
            userPrincipalName: "admin@contoso.com",
            disableWam: true,
        };
        const keysOf = (auth: string) => Object.keys(connection({ ...everything, auth }) ?? {}).filter((key) => key in everything);
        assert.deepStrictEqual(keysOf("interactive").sort(), ["disableWam", "organization", "userPrincipalName"]);
        assert.deepStrictEqual(keysOf("certificate").sort(), ["appId", "certificatePath", "organization"]);
        assert.deepStrictEqual(keysOf("managedIdentity").sort(), ["managedIdentityAccountId", "organization"]);
    });

    it("reports every problem at once, each naming the key and the bad value", () => {
        const list = problems({
            signInAudience: "PersonalMicrosoftAccount",
            mailboxes: [
                { address: "not-an-address", protocols: ["imap"] },
                { address: "a@contoso.com", protocols: [] },
                { address: "b@contoso.com", protocols: ["imap", "exchange"] },
                { address: "B@Contoso.com", protocols: ["pop"] },
                { address: "b@contoso.com", protocols: ["pop"] },
                { adress: "c@contoso.com", protocols: ["pop"] },
            ],
            userSignIn: { redirectUris: ["http://pdfc.contoso.com/cb", "ftp://x"], protocols: ["imap"] },
            smtpAuth: "tenant",
            secretLifetimeDays: 731,
            exchange: { auth: "password" },
            colour: "blue",
        });
        assertProblem(list, "displayName", "missing");
        assertProblem(list, "signInAudience", '"PersonalMicrosoftAccount"', "AzureADMyOrg");
        assertProblem(list, "mailboxes[0].address", '"not-an-address"', "not an e-mail address");
        assertProblem(list, "mailboxes[1].protocols", "empty");
        assertProblem(list, "mailboxes[2].protocols[1]", '"exchange"');
        assertProblem(list, "mailboxes[3].address", '"B@Contoso.com"', "duplicates mailboxes[2]");
        assertProblem(list, "mailboxes[4].address", '"b@contoso.com"', "duplicates mailboxes[2]");
        assertProblem(list, "mailboxes[5].adress", "unknown setting");
        assertProblem(list, "mailboxes[5].address", "missing");
        assertProblem(list, "userSignIn.redirectUris[0]", '"http://pdfc.contoso.com/cb"', "https://");
        assertProblem(list, "userSignIn.redirectUris[1]", '"ftp://x"');
        assertProblem(list, "smtpAuth", '"tenant"', "mailbox, organization, unchanged");
        assertProblem(list, "secretLifetimeDays", "731", "1 to 730");
        assertProblem(list, "exchange.auth", '"password"', "interactive, certificate, managedIdentity");
        assertProblem(list, "exchange.organization", "missing");
        assertProblem(list, "colour", "unknown config key");
        assert.strictEqual(list.length, 16, list.join("\n"));
    });

    it("rejects a lifetime that is not a whole number, and zero", () => {
        assertProblem(problems({ displayName: "x", userSignIn: { redirectUris: ["https://a.b/c"] }, secretLifetimeDays: 1.5 }), "secretLifetimeDays", "1.5");
        assertProblem(problems({ displayName: "x", userSignIn: { redirectUris: ["https://a.b/c"] }, secretLifetimeDays: 0 }), "secretLifetimeDays", "0");
        assertProblem(
            problems({ displayName: "x", userSignIn: { redirectUris: ["https://a.b/c"] }, secretLifetimeDays: "soon" }),
            "secretLifetimeDays",
            '"soon"',
        );
    });

    it("retires only a previous secret: secretRetiredThrough below secretRotation, a whole number", () => {
        const signIn = { displayName: "x", userSignIn: { redirectUris: ["https://a.b/c"] } };
        assertProblem(
            problems({ ...signIn, secretRotation: 3, secretRetiredThrough: 3 }),
            "secretRetiredThrough",
            "3",
            "only a previous secret can be retired, so at most 2",
        );
        assertProblem(problems({ ...signIn, secretRetiredThrough: 0 }), "secretRetiredThrough", "0", "nothing before the first rotation");
        assertProblem(problems({ ...signIn, secretRotation: 3, secretRetiredThrough: 1.5 }), "secretRetiredThrough", "1.5");
        assert.strictEqual(valid({ ...signIn, secretRotation: 3, secretRetiredThrough: 2 }).secretRetiredThrough, 2);
    });

    it("legacySecretsRetired: a list of key IDs, each once, kept in lower case", () => {
        const signIn = { displayName: "x", userSignIn: { redirectUris: ["https://a.b/c"] } };
        const keyId = "0B0D4A3E-6F0A-4C55-9D1E-2B7F3C8A9E01";
        assertProblem(problems({ ...signIn, legacySecretsRetired: ["my secret"] }), "legacySecretsRetired[0]", '"my secret"', "key ID GUID");
        assertProblem(problems({ ...signIn, legacySecretsRetired: keyId }), "legacySecretsRetired", "must be a list of key IDs");
        assertProblem(problems({ ...signIn, legacySecretsRetired: [keyId, keyId.toLowerCase()] }), "legacySecretsRetired", "names a key ID twice");
        assert.deepStrictEqual(valid({ ...signIn, legacySecretsRetired: [keyId] }).legacySecretsRetired, [keyId.toLowerCase()]);
        assert.strictEqual(valid({ ...signIn, legacySecretsRetired: [] }).legacySecretsRetired, undefined);
    });

    it("requires something to set up", () => {
        assertProblem(problems({ displayName: "x" }), "mailboxes", "nothing to set up");
    });

    it("rejects a malformed exchange.organization", () => {
        const list = problems({ displayName: "x", mailboxes: [{ address: "a@contoso.com", protocols: ["smtp"] }], exchange: { organization: "contoso" } });
        assertProblem(list, "exchange.organization", '"contoso"', "domain name");
    });

    it("never shows the certificate password in an error", () => {
        const config = stackConfig({ displayName: "x", mailboxes: [{ address: "bad", protocols: ["imap"] }], exchange });
        config["m365-mail-oauth:exchangeCertificatePassword"] = "hunter2-very-secret";
        const result = validateStackConfig(config);
        assert.strictEqual(result.ok, false);
        assert.ok(!JSON.stringify(result).includes("hunter2"));
    });

    it("ignores other namespaces such as the azuread provider's", () => {
        const settings = valid({ displayName: "x", userSignIn: { redirectUris: ["https://a.b/c"] } });
        assert.strictEqual(settings.displayName, "x");
    });
});

describe("isMailAddress", () => {
    for (const good of ["a@b.co", "first.last@contoso.com", "o'brien@contoso.com", "x@mail.contoso-eu.com"]) {
        it(`accepts ${good}`, () => assert.ok(isMailAddress(good)));
    }
    for (const bad of [
        "",
        "a",
        "a@b",
        "@contoso.com",
        "a@@contoso.com",
        "a..b@contoso.com",
        ".a@contoso.com",
        "a b@contoso.com",
        "a@contoso..com",
        "a@-contoso.com",
        "a@contoso.c0m",
    ]) {
        it(`rejects ${JSON.stringify(bad)}`, () => assert.ok(!isMailAddress(bad)));
    }
});

describe("stack config: what a new user gets wrong", () => {
    const base = { displayName: "EDI", mailboxes: [{ address: "edi@contoso.com", protocols: ["imap"] }], exchange };

    it("reports a key in a misspelt namespace instead of ignoring it", () => {
        const config = stackConfig(base);
        config["m365-mail-oaut:displayName"] = "typo";
        const result = validateStackConfig(config);
        assert.strictEqual(result.ok, false);
        assert.match(
            result.ok ? "" : result.problems.join("\n"),
            /m365-mail-oaut:displayName: unknown namespace "m365-mail-oaut".*did you mean m365-mail-oauth:displayName/,
        );
        // Other providers' namespaces are theirs.
        const fine = stackConfig(base);
        fine["azure-native:subscriptionId"] = "x";
        assert.ok(validateStackConfig(fine).ok);
    });

    it("checks the azuread namespace against the provider's keys, and wants a GUID for azuread:tenantId", () => {
        const config = stackConfig(base);
        config["azuread:tennantId"] = "7a3c5e1f-0000-4000-8000-00000000aaaa";
        config["azureAD:clientId"] = "x";
        config["azuread:tenantId"] = "contoso.onmicrosoft.com";
        const result = validateStackConfig(config);
        const text = result.ok ? "" : result.problems.join("\n");
        assert.match(text, /azuread:tennantId: not a setting of the azuread provider.*did you mean azuread:tenantId\?/);
        assert.match(text, /azureAD:clientId: unknown namespace "azureAD".*did you mean azuread:clientId\?/);
        assert.match(text, /azuread:tenantId: "contoso\.onmicrosoft\.com" is not a tenant ID/);
        const fine = stackConfig(base);
        fine["azuread:useCli"] = "true";
        assert.ok(validateStackConfig(fine).ok);
    });

    it("says 'did you mean' for a misspelt key, at the top and in the exchange block, instead of listing them all", () => {
        const config = stackConfig(base);
        config["m365-mail-oauth:secretLifetimeDay"] = "90";
        config["m365-mail-oauth:exchange"] = JSON.stringify({ ...exchange, smtpAuthorisation: "appRbac" });
        const text = (validateStackConfig(config) as { problems: readonly string[] }).problems.join("\n");
        assert.match(text, /m365-mail-oauth:secretLifetimeDay: unknown config key; did you mean secretLifetimeDays\?/);
        assert.match(text, /m365-mail-oauth:exchange\.smtpAuthorisation: unknown config key; did you mean smtpAuthorization\?/);
        assert.doesNotMatch(text, /expected one of/);
    });

    it('reads a key with an empty value as missing, never as the text "null"', () => {
        const config = stackConfig(base);
        config["m365-mail-oauth:displayName"] = "";
        assertProblem((validateStackConfig(config) as { problems: readonly string[] }).problems, "displayName", "missing");
    });

    it("warns when secretWarnDays is not below secretLifetimeDays", () => {
        const result = validateStackConfig(stackConfig({ ...base, secretLifetimeDays: 30, secretWarnDays: 30 }));
        assert.ok(result.ok);
        assert.match(result.warnings.join("\n"), /secretWarnDays: 30 is not less than secretLifetimeDays \(30\)/);
    });

    it("wants a GUID for exchange.managedIdentityAccountId", () => {
        assertProblem(
            problems({ ...base, exchange: { ...exchange, auth: "managedIdentity", managedIdentityAccountId: "nope" } }),
            "exchange.managedIdentityAccountId",
            '"nope"',
            "GUID",
        );
    });

    it("warns when exchange.organization is not the *.onmicrosoft.com domain", () => {
        const result = validateStackConfig(stackConfig({ ...base, exchange: { organization: "contoso.com" } }));
        assert.ok(result.ok);
        assert.match(result.ok ? result.warnings.join() : "", /exchange\.organization: "contoso\.com" is not a \*\.onmicrosoft\.com domain/);
        const clean = validateStackConfig(stackConfig(base));
        assert.deepStrictEqual(clean.ok ? clean.warnings : ["?"], []);
    });

    it("says missing, not undefined, and reports a mailbox list given as a string once", () => {
        assertProblem(problems({ ...base, mailboxes: [{ address: "a@contoso.com" }] }), "mailboxes[0].protocols", "missing; give a list of imap, pop, smtp");
        const list = problems({ displayName: "x", mailboxes: "edi@contoso.com" });
        assert.deepStrictEqual(list, ['m365-mail-oauth:mailboxes: "edi@contoso.com" must be a list of { address, protocols }']);
        assert.ok(!list.join("\n").includes("undefined"));
    });

    it("refuses the all-zero placeholder tenant for an update, naming the fix", () => {
        assert.match(
            placeholderTenantProblem({ "azuread:tenantId": "00000000-0000-0000-0000-000000000000" }, {}) ?? "",
            /placeholder.*pulumi config set azuread:tenantId/,
        );
        assert.strictEqual(placeholderTenantProblem({ "azuread:tenantId": "7a3c5e1f-0000-4000-8000-00000000aaaa" }, {}), undefined);
        assert.ok(placeholderTenantProblem({}, { ARM_TENANT_ID: "00000000-0000-0000-0000-000000000000" }));
    });
});

describe("stack config: cloud", () => {
    const gccHigh = { displayName: "EDI", cloud: "usGovGccHigh", mailboxes: [{ address: "a@contoso.com", protocols: ["imap", "smtp"] }], exchange };
    const withProvider = (values: Record<string, unknown>, environment?: string) => ({
        ...stackConfig(values),
        ...(environment !== undefined ? { "azuread:environment": environment } : {}),
    });

    it("defaults to global, which needs no azuread:environment", () => {
        assert.strictEqual(valid({ displayName: "EDI", mailboxes: [{ address: "a@contoso.com", protocols: ["imap"] }], exchange }).cloud, "global");
    });

    it("takes a sovereign cloud when the azuread provider names the same one, by its name or an alias it reads", () => {
        for (const name of ["usgovernmentl4", "usgovernment", "USGovernmentL4"]) {
            const result = validateStackConfig(withProvider(gccHigh, name));
            assert.ok(result.ok, `${name}: ${result.ok ? "" : result.problems.join("\n")}`);
            assert.strictEqual(result.settings.cloud, "usGovGccHigh");
            assert.strictEqual(result.settings.exchange?.cloud, "usGovGccHigh");
        }
        assert.ok(validateStackConfig(withProvider({ ...gccHigh, cloud: "usGovDod" }, "dod")).ok);
        assert.ok(validateStackConfig(stackConfig(gccHigh), { ARM_ENVIRONMENT: "usgovernmentl4" }).ok, "ARM_ENVIRONMENT, as the provider reads it");
    });

    it("refuses a cloud the azuread provider does not sign in to, naming both keys and the command that fixes it", () => {
        const unset = validateStackConfig(stackConfig(gccHigh));
        assert.ok(!unset.ok);
        const message = unset.problems.find((problem) => problem.startsWith("azuread:environment: not set"));
        assert.ok(message, unset.problems.join("\n"));
        assert.match(
            message,
            /signs in to the global cloud, but m365-mail-oauth:cloud is "usGovGccHigh".*"usgovernmentl4".*pulumi config set azuread:environment usgovernmentl4/,
        );

        const wrong = validateStackConfig(withProvider({ ...gccHigh, cloud: "usGovDod" }, "usgovernmentl4"));
        assert.ok(!wrong.ok);
        assert.match(
            wrong.problems.join("\n"),
            /azuread:environment: "usgovernmentl4", but m365-mail-oauth:cloud is "usGovDod" \(Microsoft 365 DoD\).*"usgovernmentl5"/,
        );

        const global = validateStackConfig(withProvider({ ...gccHigh, cloud: "global" }, "china"));
        assert.ok(!global.ok, "a global stack whose provider signs in to China is refused too");

        const fromShell = validateStackConfig(stackConfig(gccHigh), { ARM_ENVIRONMENT: "global" });
        assert.ok(!fromShell.ok);
        assert.match(fromShell.problems.join("\n"), /azuread:environment: not set, and ARM_ENVIRONMENT is "global"/);
    });

    it("leaves the provider's cloud to azuread:metadataHost where one is set (the provider then ignores environment)", () => {
        assert.ok(validateStackConfig({ ...stackConfig(gccHigh), "azuread:metadataHost": "localhost:8443" }).ok);
        assert.ok(validateStackConfig(stackConfig(gccHigh), { ARM_METADATA_HOSTNAME: "localhost:8443" }).ok);
    });

    it("refuses SMTP through RBAC for Applications outside Worldwide, naming cloud and exchange.smtpAuthorization", () => {
        const list = validateStackConfig(withProvider({ ...gccHigh, exchange: { ...exchange, smtpAuthorization: "appRbac" } }, "usgovernmentl4"));
        assert.ok(!list.ok);
        assertProblem(list.problems, "exchange.smtpAuthorization", '"appRbac", but cloud is "usGovGccHigh"', "Worldwide cloud only", "mailboxPermission");
    });

    it("refuses 21Vianet, for which Microsoft names no mail server, with every other problem at once", () => {
        const list = problems({ ...gccHigh, cloud: "china", secretLifetimeDays: 0 });
        assertProblem(list, "cloud", '"china" (Microsoft 365 operated by 21Vianet) is refused', "no IMAP, POP or SMTP host");
        assertProblem(list, "secretLifetimeDays");
    });

    it("refuses an unknown cloud, listing the four", () => {
        assertProblem(problems({ ...gccHigh, cloud: "usGov" }), "cloud", "global", "usGovGccHigh", "usGovDod", "china");
    });
});
