import * as assert from "assert";
import { planAccess } from "../../plan/accessPlan";
import { exchangeOnline } from "../../facts/microsoft";
import { StackSettings } from "../../config/settings";

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
        assert.deepStrictEqual(
            plan.appRoles.map((role) => role.name),
            ["IMAP.AccessAsApp", "SMTP.SendAsApp"],
        );
        assert.ok(plan.appRoles.every((role) => role.type === "Role" && role.resourceAppId === exchangeOnline.appId));
        assert.deepStrictEqual(plan.delegatedScopes, []);
    });

    it("maps protocols to mailbox operations", () => {
        const plan = planAccess({
            ...base,
            mailboxes: [
                { address: "p@contoso.com", protocols: ["pop"] },
                { address: "s@contoso.com", protocols: ["smtp"] },
            ],
        });
        assert.deepStrictEqual(
            plan.mailboxes.map(({ fullAccess, sendAs, smtpClientAuth, imapEnabled, popEnabled }) => ({
                fullAccess,
                sendAs,
                smtpClientAuth,
                imapEnabled,
                popEnabled,
            })),
            [
                { fullAccess: true, sendAs: false, smtpClientAuth: false, imapEnabled: false, popEnabled: true },
                { fullAccess: true, sendAs: true, smtpClientAuth: true, imapEnabled: false, popEnabled: false },
            ],
        );
        assert.strictEqual(plan.organizationSmtpAuth, false);
    });

    it("enables org-wide SMTP AUTH only when asked and some SMTP is configured", () => {
        assert.strictEqual(
            planAccess({ ...base, smtpAuth: "organization", mailboxes: [{ address: "a@contoso.com", protocols: ["imap"] }] }).organizationSmtpAuth,
            false,
        );
        const plan = planAccess({ ...base, smtpAuth: "organization", mailboxes: [{ address: "a@contoso.com", protocols: ["smtp"] }] });
        assert.strictEqual(plan.organizationSmtpAuth, true);
        assert.strictEqual(plan.mailboxes[0].smtpClientAuth, false);
    });

    it("asks for User.Read and offline_access plus one delegated scope per user protocol", () => {
        const plan = planAccess({ ...base, userSignIn: { redirectUris: ["https://a.b/c"], protocols: ["pop", "smtp"] } });
        assert.deepStrictEqual(
            plan.delegatedScopes.map((scope) => scope.name),
            ["User.Read", "offline_access", "POP.AccessAsUser.All", "SMTP.Send"],
        );
        assert.deepStrictEqual(plan.appRoles, []);
        assert.deepStrictEqual(plan.redirectUris, ["https://a.b/c"]);
    });
});
