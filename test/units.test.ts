/**
 * The pure pieces: access plan, Exchange environment, secret expiry, client settings, preflight.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { planAccess } from "../plan/accessPlan";
import { clientSettings } from "../plan/clientSettings";
import { encodeStateText, mailboxVariableName, mailboxVariableValue, parseRecordedState, stateMarker, staticExchangeEnvironment } from "../exchange/exchangeEnvironment";
import { checkPublishedIds } from "../resources/entraMailApplication";
import { exchangeOnline } from "../facts/microsoft";
import { findExecutable, missingPwshMessage } from "../exchange/preflight";
import { diffSecretExpiry, expiryFrom, secretExpiryProvider } from "../resources/secretExpiry";
import { StackSettings } from "../config/schema";

const base: Pick<StackSettings, "mailboxes" | "userSignIn" | "smtpAuth"> = { mailboxes: [], smtpAuth: "mailbox" };

describe("planAccess", () => {
    it("asks for one app role per protocol in use, in a stable order", () => {
        const plan = planAccess({
            ...base,
            mailboxes: [
                { address: "a@contoso.com", protocols: ["smtp"] },
                { address: "b@contoso.com", protocols: ["imap", "smtp"] },
            ],
        });
        assert.deepStrictEqual(plan.appRoles.map((role) => role.name), ["IMAP.AccessAsApp", "SMTP.SendAsApp"]);
        assert.ok(plan.appRoles.every((role) => role.type === "Role" && role.resourceAppId === exchangeOnline.appId));
        assert.deepStrictEqual(plan.delegatedScopes, []);
    });

    it("maps protocols to mailbox operations", () => {
        const plan = planAccess({ ...base, mailboxes: [{ address: "p@contoso.com", protocols: ["pop"] }, { address: "s@contoso.com", protocols: ["smtp"] }] });
        assert.deepStrictEqual(plan.mailboxes.map(({ fullAccess, sendAs, smtpClientAuth, imapEnabled, popEnabled }) => ({ fullAccess, sendAs, smtpClientAuth, imapEnabled, popEnabled })), [
            { fullAccess: true, sendAs: false, smtpClientAuth: false, imapEnabled: false, popEnabled: true },
            { fullAccess: true, sendAs: true, smtpClientAuth: true, imapEnabled: false, popEnabled: false },
        ]);
        assert.strictEqual(plan.organizationSmtpAuth, false);
    });

    it("enables org-wide SMTP AUTH only when asked and some SMTP is configured", () => {
        assert.strictEqual(planAccess({ ...base, smtpAuth: "organization", mailboxes: [{ address: "a@contoso.com", protocols: ["imap"] }] }).organizationSmtpAuth, false);
        const plan = planAccess({ ...base, smtpAuth: "organization", mailboxes: [{ address: "a@contoso.com", protocols: ["smtp"] }] });
        assert.strictEqual(plan.organizationSmtpAuth, true);
        assert.strictEqual(plan.mailboxes[0].smtpClientAuth, false);
    });

    it("asks for User.Read and offline_access plus one delegated scope per user protocol", () => {
        const plan = planAccess({ ...base, userSignIn: { redirectUris: ["https://a.b/c"], protocols: ["pop", "smtp"] } });
        assert.deepStrictEqual(plan.delegatedScopes.map((scope) => scope.name), ["User.Read", "offline_access", "POP.AccessAsUser.All", "SMTP.Send"]);
        assert.deepStrictEqual(plan.appRoles, []);
        assert.deepStrictEqual(plan.redirectUris, ["https://a.b/c"]);
    });
});

describe("Exchange environment", () => {
    it("names one variable per mailbox, readable, portable and distinct for look-alike addresses", () => {
        const names = ["o'brien@contoso.com", "o_brien@contoso.com", "O'Brien@Contoso.com", "$x@contoso.com"].map(mailboxVariableName);
        for (const name of names) {
            assert.match(name, /^M365_MAILBOX_[A-Z0-9_]+_[0-9A-F]{8}$/);
        }
        assert.match(names[0], /^M365_MAILBOX_O_BRIEN_CONTOSO_COM_/);
        assert.notStrictEqual(names[0], names[1]);
        assert.strictEqual(names[0], names[2], "addresses compare case-insensitively, so do their variables");
    });

    it("carries the address byte for byte through JSON", () => {
        const address = `o'brien"$(rm -rf)\`@contoso.com`;
        const plan = planAccess({ ...base, mailboxes: [{ address, protocols: ["imap"] }] });
        assert.strictEqual(JSON.parse(mailboxVariableValue(plan.mailboxes[0])).address, address);
    });

    it("is sorted and identical for the same plan", () => {
        const settings = { ...base, mailboxes: [{ address: "b@contoso.com", protocols: ["imap" as const] }, { address: "a@contoso.com", protocols: ["pop" as const] }] };
        const connection = { organization: "contoso.onmicrosoft.com", auth: "interactive" as const, certificatePasswordEnv: "P", pwsh: "pwsh", disableWam: false, reconcile: "changed" as const, reconcileRun: "" };
        const first = staticExchangeEnvironment(planAccess(settings), connection, "d");
        const keys = Object.keys(first);
        assert.deepStrictEqual(keys, [...keys].sort());
        assert.deepStrictEqual(staticExchangeEnvironment(planAccess(settings), connection, "d"), first);
        assert.strictEqual(first.M365_EXO_APP_ID, undefined, "no certificate settings for interactive sign-in");
    });

    it("reads the recorded state from the last marker line of stdout", () => {
        assert.strictEqual(parseRecordedState(undefined), undefined);
        assert.strictEqual(parseRecordedState("noise\nmore"), undefined);
        const state = parseRecordedState(`${stateMarker}{"mailboxes":{},"organization":null}\nnoise\n${stateMarker}{"mailboxes":{"a@contoso.com":{"address":"a@contoso.com","fullAccess":true,"sendAs":false,"before":{}}},"organization":null}\n`);
        assert.deepStrictEqual(Object.keys(state?.mailboxes ?? {}), ["a@contoso.com"]);
    });

    it("reads the gzip form the scripts print, which keeps 1000 mailboxes under Windows' 32 Ki limit", () => {
        const mailboxes: Record<string, unknown> = {};
        for (let i = 0; i < 1000; i++) {
            const address = `mailbox-${i}@contoso.com`;
            mailboxes[address] = { address, fullAccess: true, sendAs: i % 2 === 0, before: { ImapEnabled: false, SmtpClientAuthenticationDisabled: null } };
        }
        const json = JSON.stringify({ version: 1, appId: "a", servicePrincipalId: "b", mailboxes, organization: null });
        const line = stateMarker + encodeStateText(json);
        assert.ok(json.length > 128 * 1024, "plain JSON would not fit in one Linux environment variable");
        assert.ok(line.length < 32 * 1024, `the encoded state is ${line.length} characters`);
        assert.strictEqual(Object.keys(parseRecordedState(`progress\n${line}\n`)?.mailboxes ?? {}).length, 1000);
    });
});

describe("secret expiry", () => {
    it("is the creation time plus the lifetime, to the second", () => {
        assert.strictEqual(expiryFrom(new Date("2026-11-22T10:11:12.345Z"), 180), "2027-05-21T10:11:12Z");
        assert.strictEqual(expiryFrom(new Date("2024-02-28T00:00:00Z"), 1), "2024-02-29T00:00:00Z");
    });

    it("is replaced only when the rotation changes; a new lifetime is an update", () => {
        assert.deepStrictEqual(diffSecretExpiry({ lifetimeDays: 180, rotation: 1 }, { lifetimeDays: 180, rotation: 1 }).changes, false);
        assert.deepStrictEqual(diffSecretExpiry({ lifetimeDays: 180, rotation: 1 }, { lifetimeDays: 90, rotation: 1 }).replaces, []);
        assert.deepStrictEqual(diffSecretExpiry({ lifetimeDays: 180, rotation: 1 }, { lifetimeDays: 180, rotation: 2 }).replaces, ["rotation"]);
    });

    it("computes the date at create and keeps it on update", async () => {
        const before = Date.now();
        const created = await secretExpiryProvider.create({ lifetimeDays: 30, rotation: 3 });
        const expiresAt = Date.parse(created.outs.expiresAt);
        assert.ok(expiresAt >= before - 1000 + 30 * 86400000 && expiresAt <= Date.now() + 30 * 86400000);
        const updated = await secretExpiryProvider.update!(created.id, created.outs, { lifetimeDays: 90, rotation: 3 });
        assert.strictEqual(updated.outs?.expiresAt, created.outs.expiresAt);
    });
});

describe("published IDs check", () => {
    const roles = planAccess({ ...base, mailboxes: [{ address: "a@contoso.com", protocols: ["imap", "pop"] }] }).appRoles;
    it("passes when the tenant defines the roles with Microsoft's IDs", () => {
        checkPublishedIds("Office 365 Exchange Online", roles, { ...exchangeOnline.appRoles });
    });
    it("names every role the tenant lacks", () => {
        assert.throws(() => checkPublishedIds("Office 365 Exchange Online", roles, { "IMAP.AccessAsApp": exchangeOnline.appRoles["IMAP.AccessAsApp"] }), /POP\.AccessAsApp \(cb842b43/);
        assert.throws(() => checkPublishedIds("Office 365 Exchange Online", roles, undefined), /IMAP\.AccessAsApp.*POP\.AccessAsApp/);
    });
});

describe("client settings", () => {
    it("uses the shared organizations endpoint for multi-tenant user sign-in", () => {
        const plan = planAccess({ ...base, userSignIn: { redirectUris: ["https://a.b/c"], protocols: ["imap"] } });
        const settings = clientSettings(plan, "tid", "AzureADMultipleOrgs", ["imap"]);
        assert.strictEqual(settings.userSignIn?.authorizeUrl, "https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize");
        assert.strictEqual(settings.tokenUrl, "https://login.microsoftonline.com/tid/oauth2/v2.0/token", "app-only tokens still come from the home tenant");
    });
});

describe("preflight: finding pwsh", () => {
    let dir: string;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "m365-path-"));
        fs.writeFileSync(path.join(dir, "pwsh"), "#!/bin/sh\n", { mode: 0o755 });
        fs.writeFileSync(path.join(dir, "not-executable"), "", { mode: 0o644 });
        fs.mkdirSync(path.join(dir, "a-directory"));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("finds a bare name on PATH", () => {
        assert.strictEqual(findExecutable("pwsh", { PATH: `/nonexistent:${dir}` }, "linux"), path.join(dir, "pwsh"));
        assert.strictEqual(findExecutable("pwsh", { PATH: "/nonexistent" }, "linux"), undefined);
    });

    it("checks a path as given, and that it is an executable file", () => {
        assert.strictEqual(findExecutable(path.join(dir, "pwsh"), { PATH: "" }, "linux"), path.join(dir, "pwsh"));
        assert.strictEqual(findExecutable(path.join(dir, "not-executable"), { PATH: "" }, "linux"), undefined);
        assert.strictEqual(findExecutable(path.join(dir, "a-directory"), { PATH: "" }, "linux"), undefined);
    });

    it("says how to fix it, naming the config key", () => {
        assert.match(missingPwshMessage("pwsh"), /^m365-mail-oauth:exchange\.pwsh: "pwsh" was not found on PATH/);
        assert.match(missingPwshMessage("pwsh"), /Install-Module ExchangeOnlineManagement/);
    });
});
