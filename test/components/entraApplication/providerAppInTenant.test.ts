/**
 * One multi-tenant app for many customers, under Pulumi's mock engine: the provider's stack makes the app and one
 * admin-consent URL per customer; a customer's stack reads the app through a stack reference, declares nothing in
 * Entra ID, runs only its own tenant's Exchange step on the service principal the consent made, and refuses what it
 * cannot do (a protocol the customers never consented to, a tenant the provider does not list, the provider's keys).
 */
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { exchangeOnline } from "../../../facts/microsoft";
import { fakePwshOnPath, mockProviderClientId, mockProviderStack, ofType, ProgramRun, runProgram, stackConfig, tenant, types } from "../../harness";
import { customerConsentUrls } from "../../../plan/multiTenant";

const fabrikam = "fab00000-0000-4000-8000-0000000000fa";
const northwind = "00000000-0000-4000-8000-0000000000ee";
const consentRedirectUri = "https://provider.example/consented";
const exchange = { organization: "fabrikam.onmicrosoft.com", auth: "interactive" };

const providerConfig = {
    displayName: "EDI (provider)",
    signInAudience: "AzureADMultipleOrgs",
    customerTenants: {
        consentRedirectUri,
        protocols: ["smtp", "imap"],
        customers: [
            { name: "fabrikam", tenantId: fabrikam },
            { name: "northwind", tenantId: northwind },
        ],
    },
};

const customerConfig = {
    displayName: "EDI (provider)",
    providerApp: { stack: "provider" },
    mailboxes: [{ address: "edi@fabrikam.com", protocols: ["imap", "smtp"] }],
    exchange,
};

function commandEnvironment(run: ProgramRun): Record<string, unknown> {
    const [command] = ofType(run, types.command);
    assert.ok(command, "the Exchange step is declared");
    return command.inputs.environment as Record<string, unknown>;
}

describe("one multi-tenant app for many customers (mock engine)", function () {
    this.timeout(60_000);
    fakePwshOnPath();

    describe("the provider's stack", () => {
        it("makes a multi-tenant app asking for the customers' protocols, with the consent page among its redirect URIs", async () => {
            const run = await runProgram(stackConfig(providerConfig));
            assert.ifError(run.error);
            const [app] = ofType(run, types.application);
            assert.strictEqual(app.inputs.signInAudience, "AzureADMultipleOrgs");
            assert.deepStrictEqual(app.inputs.web.redirectUris, [consentRedirectUri]);
            const roles = (app.inputs.requiredResourceAccesses as { resourceAppId: string; resourceAccesses: { id: string }[] }[]).flatMap((api) =>
                api.resourceAccesses.map((access) => access.id),
            );
            assert.deepStrictEqual(roles.sort(), [exchangeOnline.appRoles["IMAP.AccessAsApp"], exchangeOnline.appRoles["SMTP.SendAsApp"]].sort());
            // No mailbox in the provider's own tenant: no Exchange step there.
            assert.strictEqual(ofType(run, types.command).length, 0);
            assert.deepStrictEqual(run.outputs.customerProtocols, ["imap", "smtp"]);
        });

        it("outputs one admin-consent URL per customer, in that customer's tenant, for the app's client ID", async () => {
            const run = await runProgram(stackConfig(providerConfig));
            const urls = run.outputs.adminConsentUrls as Record<string, string>;
            assert.deepStrictEqual(Object.keys(urls), ["fabrikam", "northwind"]);
            const url = new URL(urls.fabrikam);
            assert.strictEqual(`${url.origin}${url.pathname}`, `https://login.microsoftonline.com/${fabrikam}/v2.0/adminconsent`);
            assert.strictEqual(url.searchParams.get("client_id"), run.outputs.clientId);
            assert.strictEqual(url.searchParams.get("scope"), "https://outlook.office365.com/.default");
            assert.strictEqual(url.searchParams.get("redirect_uri"), consentRedirectUri);
            assert.strictEqual(url.searchParams.get("state"), "fabrikam");
            assert.ok(urls.northwind.includes(`/${northwind}/v2.0/adminconsent?`));
        });

        it("names the GCC High authority and scope for a customer there", () => {
            const urls = customerConsentUrls(
                { consentRedirectUri, protocols: ["imap"], customers: [{ name: "agency", tenantId: fabrikam }] },
                mockProviderClientId,
                "usGovGccHigh",
            );
            assert.ok(urls.agency.startsWith(`https://login.microsoftonline.us/${fabrikam}/v2.0/adminconsent?`));
            assert.strictEqual(new URL(urls.agency).searchParams.get("scope"), "https://outlook.office365.us/.default");
        });

        it("refuses customerTenants on a single-tenant app, and a customer listed twice", async () => {
            const run = await runProgram(
                stackConfig({
                    ...providerConfig,
                    signInAudience: "AzureADMyOrg",
                    customerTenants: {
                        ...providerConfig.customerTenants,
                        customers: [...providerConfig.customerTenants.customers, { name: "FABRIKAM", tenantId: fabrikam }],
                    },
                }),
            );
            const message = String(run.error?.message);
            assert.match(message, /m365-mail-oauth:signInAudience: "AzureADMyOrg", but customerTenants is set/);
            assert.match(message, /customerTenants\.customers\[2\]\.name: "FABRIKAM" duplicates customers\[0\]\.name/);
            assert.match(message, /customerTenants\.customers\[2\]\.tenantId: ".*" duplicates customers\[0\]\.tenantId/);
            assert.strictEqual(run.resources.length, 0, "nothing declared");
        });
    });

    describe("a customer's stack", () => {
        it("reads the provider's stack and declares nothing in Entra ID, only this tenant's Exchange step", async () => {
            const run = await runProgram(stackConfig(customerConfig, fabrikam), { tenantId: fabrikam });
            assert.ifError(run.error);
            const [reference] = ofType(run, types.stackReference);
            assert.strictEqual(reference.inputs.name, "organization/m365-mail-oauth/provider");
            assert.deepStrictEqual(
                run.resources.filter((resource) => resource.type.startsWith("azuread:")),
                [],
                "no app, secret, consent or service principal of its own",
            );
            const environment = commandEnvironment(run);
            assert.strictEqual(environment.M365_APP_ID, mockProviderClientId);
            assert.strictEqual(environment.M365_SP_OBJECT_ID, tenant.consentedSpObjectId);
            assert.strictEqual(environment.M365_TENANT_ID, fabrikam);
        });

        it("outputs the mail client's settings: the provider's client ID and secret (a secret), this tenant's token URL", async () => {
            const run = await runProgram(stackConfig(customerConfig, fabrikam), { tenantId: fabrikam });
            assert.strictEqual(run.outputs.clientId, mockProviderClientId);
            assert.strictEqual(run.outputs.clientSecret, mockProviderStack(fabrikam).outputs.clientSecret);
            assert.ok(await pulumi.isSecret(run.exports.clientSecret), "the secret stays a secret");
            assert.strictEqual(run.outputs.tokenUrl, `https://login.microsoftonline.com/${fabrikam}/oauth2/v2.0/token`);
            assert.strictEqual(run.outputs.servicePrincipalObjectId, tenant.consentedSpObjectId);
            assert.strictEqual(run.outputs.providerStack, "organization/m365-mail-oauth/provider");
            assert.strictEqual(run.outputs.secretRotation, undefined, "rotation is the provider's stack's");
            assert.strictEqual(run.outputs.adminConsentUrls, undefined);
        });

        it("in a preview before consent, goes on with the service principal unknown instead of failing", async () => {
            const run = await runProgram(stackConfig(customerConfig, fabrikam), {
                tenantId: fabrikam,
                preview: true,
                providerStack: { ...mockProviderStack(fabrikam), consented: false },
            });
            assert.ifError(run.error);
            const environment = commandEnvironment(run);
            assert.notStrictEqual(environment.M365_SP_OBJECT_ID, tenant.consentedSpObjectId);
            assert.ok(
                run.calls.some((call) => call.token.endsWith("getServicePrincipal") && call.inputs.clientId === mockProviderClientId),
                "asked once",
            );
        });

        it("refuses a mailbox protocol the customers never consented to, naming the key and the fix", async () => {
            const provider = mockProviderStack(fabrikam);
            const run = await runProgram(
                stackConfig({ ...customerConfig, mailboxes: [{ address: "edi@fabrikam.com", protocols: ["imap", "pop"] }] }, fabrikam),
                { tenantId: fabrikam, providerStack: { outputs: { ...provider.outputs, customerProtocols: ["imap", "smtp"] } } },
            );
            assert.match(
                String(run.error?.message),
                /m365-mail-oauth:mailboxes\[0\]\.protocols: \["pop"\] for edi@fabrikam\.com, but the provider's app .* consent to \["imap","smtp"\] only; add pop to customerTenants\.protocols there/,
            );
        });

        it("refuses a provider's stack that does not list this tenant, and one that is no multi-tenant provider", async () => {
            const notListed = await runProgram(stackConfig(customerConfig, fabrikam), { tenantId: fabrikam, providerStack: mockProviderStack(northwind) });
            assert.match(
                String(notListed.error?.message),
                new RegExp(`lists no customer with tenant ${fabrikam}; add it to m365-mail-oauth:customerTenants.customers`),
            );
            const single = await runProgram(stackConfig(customerConfig, fabrikam), {
                tenantId: fabrikam,
                providerStack: { outputs: { clientId: mockProviderClientId, clientSecret: "x" } },
            });
            assert.match(String(single.error?.message), /is not a provider's stack of a multi-tenant app \(no customerProtocols output\)/);
        });

        it("refuses the keys of the provider's stack, each named, before anything is declared", async () => {
            const run = await runProgram(
                stackConfig({
                    ...customerConfig,
                    secretRotation: 2,
                    keyVault: { resourceGroupName: "rg", vaultName: "kv-edi", secretName: "edi" },
                    userSignIn: { redirectUris: ["https://app.example/callback"] },
                }),
            );
            const message = String(run.error?.message);
            for (const key of ["secretRotation", "keyVault", "userSignIn"]) {
                assert.match(message, new RegExp(`m365-mail-oauth:${key}: .* is set, but providerApp is set`));
            }
            assert.strictEqual(run.resources.length, 0);
        });
    });
});
