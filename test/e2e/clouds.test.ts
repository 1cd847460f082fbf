/**
 * A stack in a sovereign cloud (issue #29 part 4) under the real Pulumi CLI: `cloud: usGovGccHigh` with the azuread
 * provider's `environment` set to match, against the stand-in Entra ID (reached through azuread:metadataHost, which
 * the provider prefers to `environment`: TPA internal/provider/provider.go lines 302-318 at v3.8.0, so the program's
 * own check of `environment` stands aside here, as test/config/validate.test.ts shows) and a stand-in
 * Exchange Online whose tenant lives in GCC High (it accepts only Connect-ExchangeOnline -ExchangeEnvironmentName
 * O365USGovGCCHigh).
 */
import * as assert from "assert";
import { Mailboxes, edi, onStandIns } from "./standInWorld";
import { tenantId } from "../scripts/standInTenant";

describe("the project's program under the real engine: a GCC High stack", function () {
    this.timeout(900_000);
    const { world, config } = onStandIns(this);
    const stack = "gcchigh";
    const mailboxes: Mailboxes = [{ address: edi, protocols: ["imap", "smtp"] }];
    const gccHigh = { "azuread:environment": "usgovernmentl4", "m365-mail-oauth:cloud": "usGovGccHigh" };

    it("refuses SMTP through RBAC for Applications in GCC High in the preview, before anything is made", () => {
        const { project, entra, exchange } = world;
        exchange.update((state) => (state.organization.exchangeEnvironment = "O365USGovGCCHigh"));
        const settings: Record<string, unknown> = config(mailboxes, gccHigh);
        project.initStack(stack, {
            ...settings,
            "m365-mail-oauth:exchange": { ...(settings["m365-mail-oauth:exchange"] as object), smtpAuthorization: "appRbac" },
        });
        const applications = entra.tenant().applications.length;
        const preview = project.pulumi(["preview", "--stack", stack]);
        assert.notStrictEqual(preview.code, 0);
        assert.match(preview.output, /m365-mail-oauth:exchange\.smtpAuthorization: "appRbac", but cloud is "usGovGccHigh"/);
        assert.strictEqual(entra.tenant().applications.length, applications);
        assert.deepStrictEqual(exchange.calls(), []);
    });

    it("deploys with GCC High's endpoints in the outputs and signs the Exchange step in to GCC High", async () => {
        const { project, entra, exchange } = world;
        project.writeConfig(stack, config(mailboxes, gccHigh));
        const up = project.pulumi(["up", "--yes", "--stack", stack]);
        assert.strictEqual(up.code, 0, up.output);

        const out = project.stackOutputs(stack);
        assert.strictEqual(out.tokenUrl, `https://login.microsoftonline.us/${tenantId}/oauth2/v2.0/token`);
        assert.strictEqual(out.scope, "https://outlook.office365.us/.default");
        assert.deepStrictEqual(out.imap, { host: "outlook.office365.us", port: 993, tls: "implicit" });
        assert.deepStrictEqual(out.smtp, { host: "outlook.office365.us", port: 587, tls: "starttls" });
        assert.ok(await entra.signsIn(out.clientId, out.clientSecret), "the stack's secret signs in at the (stand-in) token service");

        const connect = exchange.calls().find((call) => call.cmdlet === "Connect-ExchangeOnline");
        assert.strictEqual(connect?.parameters.ExchangeEnvironmentName, "O365USGovGCCHigh");
        const identity = exchange.servicePrincipalIdentity(out.clientId);
        assert.ok(
            exchange.mailboxState(edi).permissions.some((p) => p.User === identity && p.AccessRights.includes("FullAccess")),
            "FullAccess granted in the GCC High tenant",
        );

        const again = project.pulumi(["preview", "--expect-no-changes", "--stack", stack]);
        assert.strictEqual(again.code, 0, again.output);
    });

    it("destroys what it made in the GCC High tenant", () => {
        const { project, exchange } = world;
        const identity = exchange.servicePrincipalIdentity(project.stackOutputs(stack).clientId);
        const down = project.pulumi(["destroy", "--yes", "--stack", stack]);
        assert.strictEqual(down.code, 0, down.output);
        assert.ok(!exchange.mailboxState(edi).permissions.some((p) => p.User === identity), "no grant left");
    });
});
