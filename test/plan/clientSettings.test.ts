import * as assert from "assert";
import { planAccess } from "../../plan/accessPlan";
import { clientSettings } from "../../plan/clientSettings";
import { StackSettings } from "../../config/settings";

const base: Pick<StackSettings, "mailboxes" | "userSignIn" | "smtpAuth"> = { mailboxes: [], smtpAuth: "mailbox" };

describe("client settings", () => {
    it("uses the shared organizations endpoint for multi-tenant user sign-in", () => {
        const plan = planAccess({ ...base, userSignIn: { redirectUris: ["https://a.b/c"], protocols: ["imap"] } });
        const settings = clientSettings(plan, "tid", "AzureADMultipleOrgs", ["imap"]);
        assert.strictEqual(settings.userSignIn?.authorizeUrl, "https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize");
        assert.strictEqual(settings.tokenUrl, "https://login.microsoftonline.com/tid/oauth2/v2.0/token", "app-only tokens still come from the home tenant");
    });

    it("takes the token service, Exchange Online's scopes and the servers from the stack's cloud", () => {
        const plan = planAccess({ ...base, userSignIn: { redirectUris: ["https://a.b/c"], protocols: ["imap", "smtp"] } });
        const settings = clientSettings(plan, "tid", "AzureADMyOrg", ["imap", "smtp"], "usGovGccHigh");
        assert.strictEqual(settings.tokenUrl, "https://login.microsoftonline.us/tid/oauth2/v2.0/token");
        assert.strictEqual(settings.scope, "https://outlook.office365.us/.default");
        assert.deepStrictEqual(
            [settings.imap.host, settings.pop.host, settings.smtp.host],
            ["outlook.office365.us", "outlook.office365.us", "outlook.office365.us"],
        );
        assert.strictEqual(settings.userSignIn?.authorizeUrl, "https://login.microsoftonline.us/tid/oauth2/v2.0/authorize");
        assert.strictEqual(
            settings.userSignIn?.scope,
            "offline_access https://outlook.office365.us/IMAP.AccessAsUser.All https://outlook.office365.us/SMTP.Send",
        );
        assert.throws(() => clientSettings(plan, "tid", "AzureADMyOrg", undefined, "china"), /21Vianet/, "the config refuses it first");
    });
});
