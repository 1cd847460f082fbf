import * as assert from "assert";
import { planAccess } from "../../../plan/accessPlan";
import { publishedIdsProblem } from "../../../components/entraApplication/entraMailApplication";
import { exchangeOnline } from "../../../facts/microsoft";
import { StackSettings } from "../../../config/settings";

const base: Pick<StackSettings, "mailboxes" | "userSignIn" | "smtpAuth"> = { mailboxes: [], smtpAuth: "mailbox" };

describe("published IDs check", () => {
    const roles = planAccess({ ...base, mailboxes: [{ address: "a@contoso.com", protocols: ["imap", "pop"] }] }).appRoles;
    it("passes when the tenant defines the roles with Microsoft's IDs", () => {
        assert.strictEqual(publishedIdsProblem("Office 365 Exchange Online", roles, { ...exchangeOnline.appRoles }), undefined);
    });
    it("names every role the tenant lacks", () => {
        assert.match(
            publishedIdsProblem("Office 365 Exchange Online", roles, { "IMAP.AccessAsApp": exchangeOnline.appRoles["IMAP.AccessAsApp"] }) ?? "",
            /POP\.AccessAsApp \(cb842b43/,
        );
        assert.match(publishedIdsProblem("Office 365 Exchange Online", roles, undefined) ?? "", /IMAP\.AccessAsApp.*POP\.AccessAsApp/);
    });
});
