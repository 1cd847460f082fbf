import * as assert from "assert";
import { planAccess } from "../../../plan/accessPlan";
import { mailboxVariableName, mailboxVariableValue, staticExchangeEnvironment } from "../../../components/exchangeMailboxAccess/exchangeEnvironment";
import { StackSettings } from "../../../config/settings";

const base: Pick<StackSettings, "mailboxes" | "userSignIn" | "smtpAuth"> = { mailboxes: [], smtpAuth: "mailbox" };

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
        const settings = {
            ...base,
            mailboxes: [
                { address: "b@contoso.com", protocols: ["imap" as const] },
                { address: "a@contoso.com", protocols: ["pop" as const] },
            ],
        };
        const connection = {
            cloud: "global" as const,
            organization: "contoso.onmicrosoft.com",
            auth: "interactive" as const,
            pwsh: "pwsh",
            disableWam: false,
            reconcile: "changed" as const,
            reconcileRun: "",
            smtpAuthorization: "mailboxPermission" as const,
        };
        const first = staticExchangeEnvironment(planAccess(settings), connection, "d");
        const keys = Object.keys(first);
        assert.deepStrictEqual(keys, [...keys].sort());
        assert.deepStrictEqual(staticExchangeEnvironment(planAccess(settings), connection, "d"), first);
        assert.strictEqual(first.M365_EXO_APP_ID, undefined, "no certificate settings for interactive sign-in");
    });

    it("names the cloud's Exchange Online environment for a sovereign cloud, and nothing for Worldwide", () => {
        const settings = { ...base, mailboxes: [{ address: "a@contoso.com", protocols: ["imap" as const] }] };
        const connection = {
            organization: "contoso.onmicrosoft.com",
            auth: "interactive" as const,
            pwsh: "pwsh",
            disableWam: false,
            reconcile: "changed" as const,
            reconcileRun: "",
            smtpAuthorization: "mailboxPermission" as const,
        };
        const expected = { global: undefined, usGovGccHigh: "O365USGovGCCHigh", usGovDod: "O365USGovDoD", china: "O365China" } as const;
        for (const [cloud, name] of Object.entries(expected)) {
            const environment = staticExchangeEnvironment(planAccess(settings), { ...connection, cloud: cloud as keyof typeof expected }, "d");
            assert.strictEqual(environment.M365_EXO_ENVIRONMENT_NAME, name, cloud);
        }
        // Worldwide: exactly the variables a stack had before `cloud` existed, so its Exchange command does not change.
        const worldwide = staticExchangeEnvironment(planAccess(settings), { ...connection, cloud: "global" }, "d");
        assert.deepStrictEqual(
            Object.keys(worldwide).filter((name) => !name.startsWith("M365_MAILBOX_")),
            [
                "M365_EXO_AUTH",
                "M365_EXO_ORGANIZATION",
                "M365_EXO_RBAC_ASSIGNMENT",
                "M365_EXO_RBAC_GROUP",
                "M365_EXO_RBAC_SCOPE",
                "M365_EXO_SMTP_AUTHORIZATION",
                "M365_ORGANIZATION_SMTP_AUTH",
                "M365_SCRIPTS_DIGEST",
            ],
        );
    });
});
