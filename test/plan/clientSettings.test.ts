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
});
