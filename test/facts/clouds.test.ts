/**
 * The cloud table (facts/clouds.ts): Worldwide keeps exactly the values the project had before it, and every cloud's
 * names are ones the consumers accept (the azuread provider's environments, Connect-ExchangeOnline's environments).
 */
import * as assert from "assert";
import { authorizeUrl, cloudNames, clouds, defaultCloud, tokenUrl } from "../../facts/clouds";

/** hashicorp/terraform-provider-azuread v3.8.0 internal/provider/provider.go lines 119-124. */
const azureadEnvironments = ["global", "usgovernmentl4", "usgovernmentl5", "china"];
/** Connect-ExchangeOnline -ExchangeEnvironmentName, as its page lists them (Germany's cloud is closed). */
const exchangeEnvironments = ["O365Default", "O365China", "O365USGovGCCHigh", "O365USGovDoD"];

describe("cloud table", () => {
    it("defaults to Worldwide, with the endpoints the vendor guides and Microsoft's OAuth page give", () => {
        assert.strictEqual(defaultCloud, "global");
        const global = clouds.global;
        assert.strictEqual(global.azureadEnvironment, "global");
        assert.strictEqual(global.loginAuthority, "https://login.microsoftonline.com");
        assert.strictEqual(global.graphEndpoint, "https://graph.microsoft.com");
        assert.strictEqual(global.exchange.clientCredentialsScope, "https://outlook.office365.com/.default");
        assert.strictEqual(global.exchange.delegatedMailResource, "https://outlook.office.com");
        assert.strictEqual(global.exchange.environmentName, "O365Default");
        assert.deepStrictEqual(global.mail, {
            imap: { host: "outlook.office365.com", port: 993, tls: "implicit" },
            pop: { host: "outlook.office365.com", port: 995, tls: "implicit" },
            smtp: { host: "smtp.office365.com", port: 587, tls: "starttls" },
        });
        assert.ok(global.appRbacSmtp);
        assert.deepStrictEqual(global.inferred, []);
        assert.strictEqual(tokenUrl("t"), "https://login.microsoftonline.com/t/oauth2/v2.0/token");
        assert.strictEqual(authorizeUrl("organizations"), "https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize");
    });

    it("gives each cloud names its consumers accept, and one row per cloud name", () => {
        assert.deepStrictEqual(Object.keys(clouds).sort(), [...cloudNames].sort());
        const seen = new Set<string>();
        for (const name of cloudNames) {
            const cloud = clouds[name];
            assert.ok(azureadEnvironments.includes(cloud.azureadEnvironment), `${name}: ${cloud.azureadEnvironment}`);
            assert.ok(exchangeEnvironments.includes(cloud.exchange.environmentName), `${name}: ${cloud.exchange.environmentName}`);
            assert.ok(!seen.has(cloud.azureadEnvironment), `${name} shares the provider's environment with another cloud`);
            seen.add(cloud.azureadEnvironment);
            for (const url of [cloud.loginAuthority, cloud.graphEndpoint, cloud.exchange.delegatedMailResource]) {
                assert.match(url, /^https:\/\/[a-z0-9.-]+$/, `${name}: ${url} is an origin without a trailing slash`);
            }
            assert.match(cloud.exchange.clientCredentialsScope, /^https:\/\/[a-z0-9.-]+\/\.default$/);
        }
    });

    it("separates GCC High from DoD as Microsoft Graph and the provider do, and sends both to login.microsoftonline.us", () => {
        assert.strictEqual(clouds.usGovGccHigh.azureadEnvironment, "usgovernmentl4");
        assert.strictEqual(clouds.usGovDod.azureadEnvironment, "usgovernmentl5");
        assert.strictEqual(clouds.usGovGccHigh.graphEndpoint, "https://graph.microsoft.us");
        assert.strictEqual(clouds.usGovDod.graphEndpoint, "https://dod-graph.microsoft.us");
        assert.strictEqual(clouds.usGovGccHigh.loginAuthority, "https://login.microsoftonline.us");
        assert.strictEqual(clouds.usGovDod.loginAuthority, "https://login.microsoftonline.us");
        assert.strictEqual(clouds.usGovGccHigh.exchange.environmentName, "O365USGovGCCHigh");
        assert.strictEqual(clouds.usGovDod.exchange.environmentName, "O365USGovDoD");
        assert.strictEqual(clouds.usGovGccHigh.mail?.imap.host, "outlook.office365.us");
        assert.strictEqual(clouds.usGovGccHigh.mail?.smtp.host, "outlook.office365.us");
        assert.strictEqual(clouds.usGovDod.mail?.imap.host, "webmail.apps.mil");
    });

    it("says which values are inferred, and where a cloud offers no mail server or no SMTP through RBAC, why", () => {
        for (const name of cloudNames.filter((cloud) => cloud !== "global")) {
            const cloud = clouds[name];
            assert.ok(cloud.inferred.includes("exchange.clientCredentialsScope"), `${name}: Microsoft's OAuth page names Worldwide's scope only`);
            assert.strictEqual(cloud.appRbacSmtp, false, `${name}: the App RBAC onboarding page names no sovereign cloud`);
            assert.strictEqual(cloud.mail === undefined, cloud.noMailBecause !== undefined, `${name}: no mail servers exactly when a reason is given`);
        }
        assert.strictEqual(clouds.china.mail, undefined);
        assert.match(clouds.china.noMailBecause ?? "", /21Vianet.*no IMAP, POP or SMTP host/);
    });
});
