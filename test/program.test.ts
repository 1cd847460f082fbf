/**
 * The real program under Pulumi's mock engine: what `pulumi up` would declare for typical configs.
 */
import { stackOutputNames } from "../plan/stackOutputs";
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { projectRoot } from "../facts/projectRoot";
import { encodeStateText, stateMarker } from "../components/exchangeMailboxAccess/exchangeRecord";
import { exchangeOnline, microsoftGraph } from "../facts/microsoft";
import {
    DeclaredResource,
    ProgramRun,
    mockExpiresAt,
    mockSecretValue,
    ofType,
    resolve,
    runProgram,
    stackConfig,
    tenant,
    types,
    withClock,
    fakePwshOnPath,
} from "./harness";

const exchange = { organization: "contoso.onmicrosoft.com", auth: "interactive" };
const allRoleIds = Object.values(exchangeOnline.appRoles);

function single(run: ProgramRun, type: string): DeclaredResource {
    const found = ofType(run, type);
    assert.strictEqual(found.length, 1, `expected one ${type}, found ${found.length}`);
    return found[0];
}

function requiredAccess(run: ProgramRun): { resourceAppId: string; resourceAccesses: { id: string; type: string }[] }[] {
    return single(run, types.application).inputs.requiredResourceAccesses ?? [];
}

function mailboxEnvironment(run: ProgramRun): Record<string, any> {
    const environment: Record<string, string> = single(run, types.command).inputs.environment;
    return Object.fromEntries(
        Object.entries(environment)
            .filter(([key]) => key.startsWith("M365_MAILBOX_"))
            .map(([, value]) => {
                const parsed = JSON.parse(value);
                return [parsed.address, parsed];
            }),
    );
}

async function ok(values: Record<string, unknown>, preview = false): Promise<ProgramRun> {
    const run = await runProgram(stackConfig(values), { preview });
    if (run.error) {
        throw run.error;
    }
    return run;
}

describe("program under the mock engine", function () {
    this.timeout(60_000);

    const fakePwsh = fakePwshOnPath();

    describe("IMAP only, one mailbox", () => {
        let run: ProgramRun;
        before(async () => {
            run = await ok({ displayName: "EDI reader", mailboxes: [{ address: "edi@contoso.com", protocols: ["imap"] }], exchange });
        });

        it("registers a single-tenant app that asks for IMAP.AccessAsApp and nothing else", () => {
            const app = single(run, types.application);
            assert.strictEqual(app.inputs.displayName, "EDI reader");
            assert.strictEqual(app.inputs.signInAudience, "AzureADMyOrg");
            assert.deepStrictEqual(requiredAccess(run), [
                { resourceAppId: exchangeOnline.appId, resourceAccesses: [{ id: exchangeOnline.appRoles["IMAP.AccessAsApp"], type: "Role" }] },
            ]);
            assert.strictEqual(app.inputs.web, undefined, "no redirect URIs without user sign-in");
            assert.deepStrictEqual(app.inputs.owners, [tenant.deployerObjectId]);
        });

        it("creates the enterprise application for the app", () => {
            const sp = single(run, types.servicePrincipal);
            assert.match(sp.inputs.clientId, /^[0-9a-f-]{36}$/);
        });

        it("grants admin consent by an app role assignment on the tenant's Exchange Online service principal", () => {
            const assignment = single(run, types.appRoleAssignment);
            assert.strictEqual(assignment.inputs.appRoleId, exchangeOnline.appRoles["IMAP.AccessAsApp"]);
            assert.strictEqual(assignment.inputs.resourceObjectId, tenant.exchangeSpObjectId);
            assert.ok(run.calls.some((call) => call.token.endsWith("getServicePrincipal") && call.inputs.clientId === exchangeOnline.appId));
            assert.strictEqual(ofType(run, types.delegatedGrant).length, 0, "no delegated consent without user sign-in");
        });

        it("gives the mailbox FullAccess and IMAP, and nothing for SMTP", () => {
            assert.deepStrictEqual(mailboxEnvironment(run), {
                "edi@contoso.com": {
                    address: "edi@contoso.com",
                    fullAccess: true,
                    sendAs: false,
                    groupMember: false,
                    smtpClientAuth: false,
                    smtpClientAuthOrganization: false,
                    imapEnabled: true,
                    popEnabled: false,
                },
            });
        });

        it("exports the client settings of the guides", () => {
            const o = run.outputs;
            assert.strictEqual(o.tenantId, tenant.tenantId);
            assert.strictEqual(o.tokenUrl, `https://login.microsoftonline.com/${tenant.tenantId}/oauth2/v2.0/token`);
            assert.strictEqual(o.scope, "https://outlook.office365.com/.default");
            assert.deepStrictEqual(o.imap, { host: "outlook.office365.com", port: 993, tls: "implicit" });
            assert.deepStrictEqual(o.pop, { host: "outlook.office365.com", port: 995, tls: "implicit" });
            assert.deepStrictEqual(o.smtp, { host: "smtp.office365.com", port: 587, tls: "starttls" });
            assert.deepStrictEqual(o.mailboxes, [{ username: "edi@contoso.com", protocols: ["imap"] }]);
            assert.strictEqual(o.clientSecretExpiresAt, mockExpiresAt);
            assert.match(o.clientId, /^[0-9a-f-]{36}$/);
            assert.match(o.servicePrincipalObjectId, /^[0-9a-f-]{36}$/);
        });

        it("exports only outputs the StackOutputs type names, which plan and verify read", () => {
            assert.deepStrictEqual(
                Object.keys(run.outputs).filter((name) => !(stackOutputNames as string[]).includes(name)),
                [],
            );
        });
    });

    describe("IMAP, POP and SMTP on several mailboxes", () => {
        let run: ProgramRun;
        before(async () => {
            run = await ok({
                displayName: "Document service",
                mailboxes: [
                    { address: "in@contoso.com", protocols: ["imap", "pop"] },
                    { address: "out@contoso.com", protocols: ["smtp"] },
                    { address: "o'brien@contoso.com", protocols: ["imap", "smtp"] },
                    { address: "$x@contoso.com", protocols: ["pop"] },
                ],
                exchange,
            });
        });

        it("asks for exactly the three Exchange app roles, each consented once", () => {
            assert.deepStrictEqual(
                requiredAccess(run)[0]
                    .resourceAccesses.map((access) => access.id)
                    .sort(),
                [...allRoleIds].sort(),
            );
            assert.strictEqual(requiredAccess(run).length, 1, "only Exchange Online, no Microsoft Graph");
            const assignments = ofType(run, types.appRoleAssignment);
            assert.deepStrictEqual(assignments.map((a) => a.inputs.appRoleId).sort(), [...allRoleIds].sort());
        });

        it("asks for no tenant-wide mail permission", () => {
            const ids = requiredAccess(run).flatMap((access) => access.resourceAccesses.map((entry) => entry.id));
            assert.ok(!ids.includes("dc890d15-9560-4a4c-9b7f-a736ec74ec40"), "full_access_as_app");
            assert.ok(requiredAccess(run).every((access) => access.resourceAppId !== microsoftGraph.appId));
        });

        it("grants each mailbox only what its protocols need, addresses untouched", () => {
            assert.deepStrictEqual(mailboxEnvironment(run), {
                "in@contoso.com": {
                    address: "in@contoso.com",
                    fullAccess: true,
                    sendAs: false,
                    groupMember: false,
                    smtpClientAuth: false,
                    smtpClientAuthOrganization: false,
                    imapEnabled: true,
                    popEnabled: true,
                },
                "out@contoso.com": {
                    address: "out@contoso.com",
                    fullAccess: true,
                    sendAs: true,
                    groupMember: false,
                    smtpClientAuth: true,
                    smtpClientAuthOrganization: false,
                    imapEnabled: false,
                    popEnabled: false,
                },
                "o'brien@contoso.com": {
                    address: "o'brien@contoso.com",
                    fullAccess: true,
                    sendAs: true,
                    groupMember: false,
                    smtpClientAuth: true,
                    smtpClientAuthOrganization: false,
                    imapEnabled: true,
                    popEnabled: false,
                },
                "$x@contoso.com": {
                    address: "$x@contoso.com",
                    fullAccess: true,
                    sendAs: false,
                    groupMember: false,
                    smtpClientAuth: false,
                    smtpClientAuthOrganization: false,
                    imapEnabled: false,
                    popEnabled: true,
                },
            });
        });

        it("runs one Exchange command for all mailboxes, from static scripts", () => {
            const cmd = single(run, types.command);
            assert.deepStrictEqual(cmd.inputs.interpreter, ["pwsh", "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-File"]);
            assert.strictEqual(cmd.inputs.create, "scripts/Sync-ExchangeMailAccess.ps1");
            assert.strictEqual(cmd.inputs.update, "scripts/Sync-ExchangeMailAccess.ps1");
            assert.strictEqual(cmd.inputs.delete, "scripts/Remove-ExchangeMailAccess.ps1");
            assert.strictEqual(cmd.inputs.addPreviousOutputInEnv, true);
            assert.strictEqual(cmd.inputs.logging, "stderr", "stdout (the recorded state) is not logged");
            // A replacement deletes the old command (revoking its recorded grants) before the new one grants again,
            // so a late delete can never undo what the replacement made.
            assert.strictEqual(cmd.options?.deleteBeforeReplace, true);
            for (const script of [cmd.inputs.create, cmd.inputs.delete]) {
                assert.ok(fs.existsSync(path.join(__dirname, "..", "..", script)), `${script} exists`);
            }
            const env = cmd.inputs.environment;
            assert.strictEqual(env.M365_EXO_ORGANIZATION, "contoso.onmicrosoft.com");
            assert.strictEqual(env.M365_EXO_AUTH, "interactive");
            assert.strictEqual(env.M365_SP_OBJECT_ID, run.outputs.servicePrincipalObjectId);
            assert.strictEqual(env.M365_APP_ID, run.outputs.clientId);
            assert.strictEqual(env.M365_ORGANIZATION_SMTP_AUTH, "false");
        });

        it("keeps the secret out of every input and marks the output secret", async () => {
            for (const resource of run.resources) {
                assert.ok(!JSON.stringify(resource.inputs).includes(mockSecretValue), `${resource.type} ${resource.name} carries the secret`);
            }
            const secret = await resolve(run.exports.clientSecret);
            assert.strictEqual(secret.value, mockSecretValue);
            assert.strictEqual(secret.secret, true);
            assert.strictEqual((await resolve(run.exports.clientId)).secret, false);
        });
    });

    describe("user sign-in only", () => {
        let run: ProgramRun;
        before(async () => {
            run = await ok({
                displayName: "i-net PDFC",
                userSignIn: { redirectUris: ["https://pdfc.contoso.com/pdfc/oauth"], protocols: ["imap", "smtp"] },
            });
        });

        it("asks for the Graph delegated scopes only, with the web redirect URI", () => {
            const scopes = microsoftGraph.delegatedScopes;
            assert.deepStrictEqual(requiredAccess(run), [
                {
                    resourceAppId: microsoftGraph.appId,
                    resourceAccesses: [
                        { id: scopes["User.Read"], type: "Scope" },
                        { id: scopes.offline_access, type: "Scope" },
                        { id: scopes["IMAP.AccessAsUser.All"], type: "Scope" },
                        { id: scopes["SMTP.Send"], type: "Scope" },
                    ],
                },
            ]);
            assert.deepStrictEqual(single(run, types.application).inputs.web, { redirectUris: ["https://pdfc.contoso.com/pdfc/oauth"] });
        });

        it("consents the scopes tenant-wide on the tenant's Microsoft Graph service principal", () => {
            const grant = single(run, types.delegatedGrant);
            assert.strictEqual(grant.inputs.resourceServicePrincipalObjectId, tenant.graphSpObjectId);
            assert.deepStrictEqual(grant.inputs.claimValues, ["User.Read", "offline_access", "IMAP.AccessAsUser.All", "SMTP.Send"]);
            assert.strictEqual(grant.inputs.userObjectId, undefined, "admin consent covers all users");
        });

        it("declares no app roles and no Exchange step", () => {
            assert.strictEqual(ofType(run, types.appRoleAssignment).length, 0);
            assert.strictEqual(ofType(run, types.command).length, 0);
        });

        it("exports the sign-in endpoints and scope string", () => {
            assert.deepStrictEqual(run.outputs.userSignIn, {
                authorizeUrl: `https://login.microsoftonline.com/${tenant.tenantId}/oauth2/v2.0/authorize`,
                tokenUrl: `https://login.microsoftonline.com/${tenant.tenantId}/oauth2/v2.0/token`,
                scope: "offline_access https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/SMTP.Send",
                redirectUris: ["https://pdfc.contoso.com/pdfc/oauth"],
            });
        });
    });

    describe("organization-wide SMTP AUTH", () => {
        it("switches the Exchange step to Set-TransportConfig and leaves mailboxes' SMTP AUTH alone", async () => {
            const run = await ok({
                displayName: "Sender",
                smtpAuth: "organization",
                mailboxes: [
                    { address: "a@contoso.com", protocols: ["smtp"] },
                    { address: "b@contoso.com", protocols: ["smtp", "pop"] },
                ],
                exchange,
            });
            const env = single(run, types.command).inputs.environment;
            assert.strictEqual(env.M365_ORGANIZATION_SMTP_AUTH, "true");
            for (const mailbox of Object.values(mailboxEnvironment(run))) {
                assert.strictEqual(mailbox.smtpClientAuth, false);
                assert.strictEqual(mailbox.sendAs, true);
            }
        });

        it("with smtpAuth unchanged touches SMTP AUTH nowhere", async () => {
            const run = await ok({ displayName: "Sender", smtpAuth: "unchanged", mailboxes: [{ address: "a@contoso.com", protocols: ["smtp"] }], exchange });
            assert.strictEqual(single(run, types.command).inputs.environment.M365_ORGANIZATION_SMTP_AUTH, "false");
            assert.strictEqual(mailboxEnvironment(run)["a@contoso.com"].smtpClientAuth, false);
        });
    });

    describe("Exchange connection", () => {
        it("passes the certificate password from secret config as a secret, never in plain inputs", async () => {
            const config = stackConfig({
                displayName: "EDI",
                mailboxes: [{ address: "a@contoso.com", protocols: ["imap"] }],
                exchange: {
                    organization: "contoso.onmicrosoft.com",
                    auth: "certificate",
                    appId: "11111111-2222-3333-4444-555555555555",
                    certificatePath: "/secure/exo.pfx",
                },
            });
            config["m365-mail-oauth:exchangeCertificatePassword"] = "pfx-password-123";
            const run = await runProgram(config);
            assert.ifError(run.error);
            const env = single(run, types.command).inputs.environment;
            assert.strictEqual(env.M365_EXO_AUTH, "certificate");
            assert.strictEqual(env.M365_EXO_CERTIFICATE_PATH, "/secure/exo.pfx");
            assert.strictEqual(env.M365_EXO_APP_ID, "11111111-2222-3333-4444-555555555555");
            assert.strictEqual(env.M365_EXO_CERTIFICATE_PASSWORD_STDIN, "true");
            // The password is on stdin, wrapped in Pulumi's secret envelope; nowhere else.
            const { stdin, ...rest } = single(run, types.command).inputs;
            assert.notStrictEqual(stdin, "pfx-password-123");
            assert.strictEqual(stdin?.value, "pfx-password-123");
            assert.ok(!JSON.stringify(rest).includes("pfx-password"));
        });

        it("uses the configured pwsh path", async () => {
            const pwsh = fakePwsh();
            const run = await ok({ displayName: "EDI", mailboxes: [{ address: "a@contoso.com", protocols: ["imap"] }], exchange: { ...exchange, pwsh } });
            assert.strictEqual(single(run, types.command).inputs.interpreter[0], pwsh);
        });

        it("fails an update before declaring anything when pwsh is missing", async () => {
            const run = await runProgram(
                stackConfig({
                    displayName: "EDI",
                    mailboxes: [{ address: "a@contoso.com", protocols: ["imap"] }],
                    exchange: { ...exchange, pwsh: "/nonexistent/pwsh" },
                }),
            );
            assert.ok(run.error);
            assert.match(run.error.message, /exchange\.pwsh: "\/nonexistent\/pwsh" was not found/);
            assert.match(run.error.message, /ExchangeOnlineManagement/);
            assert.strictEqual(run.resources.length, 0);
        });

        it("does not need pwsh for a preview", async () => {
            const run = await ok(
                { displayName: "EDI", mailboxes: [{ address: "a@contoso.com", protocols: ["imap"] }], exchange: { ...exchange, pwsh: "/nonexistent/pwsh" } },
                true,
            );
            assert.strictEqual(ofType(run, types.command).length, 1);
        });
    });

    describe("a GCC High tenant (cloud: usGovGccHigh)", () => {
        const values = {
            displayName: "EDI (GCC High)",
            cloud: "usGovGccHigh",
            mailboxes: [{ address: "edi@contoso.us", protocols: ["imap", "pop", "smtp"] }],
            userSignIn: { redirectUris: ["https://pdfc.contoso.us/cb"], protocols: ["imap"] },
            exchange,
        };
        let run: ProgramRun;
        before(async () => {
            run = await runProgram({ ...stackConfig(values), "azuread:environment": "usgovernmentl4" });
            assert.ifError(run.error);
        });

        it("gives the mail client GCC High's token service, Exchange Online scope and servers", () => {
            const o = run.outputs;
            assert.strictEqual(o.tokenUrl, `https://login.microsoftonline.us/${tenant.tenantId}/oauth2/v2.0/token`);
            assert.strictEqual(o.scope, "https://outlook.office365.us/.default");
            assert.deepStrictEqual(o.imap, { host: "outlook.office365.us", port: 993, tls: "implicit" });
            assert.deepStrictEqual(o.pop, { host: "outlook.office365.us", port: 995, tls: "implicit" });
            assert.deepStrictEqual(o.smtp, { host: "outlook.office365.us", port: 587, tls: "starttls" });
            assert.strictEqual(o.userSignIn.authorizeUrl, `https://login.microsoftonline.us/${tenant.tenantId}/oauth2/v2.0/authorize`);
            assert.strictEqual(o.userSignIn.scope, "offline_access https://outlook.office365.us/IMAP.AccessAsUser.All");
        });

        it("has the Exchange step sign in to GCC High's Exchange Online", () => {
            assert.strictEqual(single(run, types.command).inputs.environment.M365_EXO_ENVIRONMENT_NAME, "O365USGovGCCHigh");
        });

        it("refuses, before declaring anything, when the azuread provider would sign in to another cloud", async () => {
            const refused = await runProgram(stackConfig(values));
            assert.ok(refused.error);
            assert.match(refused.error.message, /azuread:environment: not set.*m365-mail-oauth:cloud is "usGovGccHigh"/);
            assert.strictEqual(refused.resources.length, 0);
        });

        it("leaves a Worldwide stack's Exchange command without the variable, as before the key existed, and asks for the same permissions", async () => {
            const worldwide = await ok({ ...values, cloud: "global" });
            assert.strictEqual(single(worldwide, types.command).inputs.environment.M365_EXO_ENVIRONMENT_NAME, undefined);
            assert.strictEqual(worldwide.outputs.scope, "https://outlook.office365.com/.default");
            // The permissions are the APIs' by their IDs, the same in every cloud: only the endpoints differ.
            assert.deepStrictEqual(requiredAccess(run), requiredAccess(worldwide));
        });
    });

    describe("what a first `pulumi up` runs", () => {
        it("runs the sources: package.json has no main that would send Pulumi to the compiled bin/", () => {
            const manifest = JSON.parse(fs.readFileSync(path.join(projectRoot(), "package.json"), "utf8")) as { main?: string };
            assert.ok(manifest.main === undefined || !manifest.main.startsWith("bin"), `package.json main: ${manifest.main}`);
            assert.doesNotMatch(fs.readFileSync(path.join(projectRoot(), "Pulumi.yaml"), "utf8"), /^main:\s*bin/m);
        });

        it("refuses an interactive Exchange sign-in in a CI update, naming the unattended ways; previews are fine", async () => {
            const values = { displayName: "EDI", mailboxes: [{ address: "a@contoso.com", protocols: ["imap"] }], exchange };
            const update = await runProgram(stackConfig(values), { ci: true });
            assert.match(
                String(update.error),
                /exchange\.auth: "interactive" needs a person at a browser, and this run is in CI[\s\S]*"certificate"[\s\S]*"managedIdentity"/,
            );
            assert.ifError((await runProgram(stackConfig(values), { ci: true, preview: true })).error);
            const unattended = { ...values, exchange: { ...exchange, auth: "managedIdentity" } };
            assert.ifError((await runProgram(stackConfig(unattended), { ci: true })).error);
        });

        it("refuses the example's all-zero tenant in an update and in a preview; only the offline review lets it through", async () => {
            const values = { displayName: "EDI", userSignIn: { redirectUris: ["https://x.contoso.com/cb"] } };
            const zero = "00000000-0000-0000-0000-000000000000";
            for (const preview of [false, true]) {
                const run = await runProgram(stackConfig(values, zero), { tenantId: zero, preview });
                assert.match(String(run.error), /azuread:tenantId: "00000000-0000-0000-0000-000000000000" is the example's placeholder/);
                assert.strictEqual(run.resources.length, 0, "nothing declared");
            }
            const plan = await runProgram(stackConfig(values, zero), { tenantId: zero, preview: true, offlineReview: true });
            assert.ifError(plan.error);
            assert.strictEqual(process.env.M365_OFFLINE_REVIEW, undefined, "the mock engine unsets it after the run");
        });
    });

    describe("an Exchange run that recorded failures", () => {
        const failedStdout =
            stateMarker +
            encodeStateText(
                JSON.stringify({
                    version: 2,
                    mailboxes: {
                        "edi@contoso.com": { address: "edi@contoso.com", want: {}, owns: { fullAccess: true, sendAs: false }, before: {}, failed: "throttled" },
                        "ok@contoso.com": { address: "ok@contoso.com", want: {}, owns: { fullAccess: true, sendAs: false }, before: {}, failed: null },
                    },
                    organization: null,
                    failures: [{ address: "edi@contoso.com", message: "granted SendAs on edi@contoso.com failed: throttled" }],
                }),
            );
        const config = {
            displayName: "x",
            mailboxes: [
                { address: "edi@contoso.com", protocols: ["imap"] },
                { address: "ok@contoso.com", protocols: ["imap"] },
            ],
            exchange,
        };

        it("fails the update on the Exchange resource, naming the mailbox and how to retry", async () => {
            const run = await runProgram(stackConfig(config), { commandStdout: failedStdout });
            assert.ok(run.error, "the update fails");
            assert.match(String(run.error), /edi@contoso\.com: granted SendAs on edi@contoso\.com failed: throttled/);
            assert.match(String(run.error), /exchange\.reconcileRun/);
        });

        it("only warns in a preview, and reports the mailboxes granted as configured", async () => {
            const run = await runProgram(stackConfig(config), { commandStdout: failedStdout, preview: true });
            assert.strictEqual(run.error, undefined);
            assert.deepStrictEqual((await resolve(run.exports.exchangeMailboxesGranted)).value, ["ok@contoso.com"]);
        });
    });

    describe("bad config", () => {
        it("declares nothing and reports every problem", async () => {
            const run = await runProgram(
                stackConfig({
                    displayName: "EDI",
                    mailboxes: [
                        { address: "bad@", protocols: ["imap"] },
                        { address: "a@contoso.com", protocols: ["smtp", "ews"] },
                    ],
                    secretLifetimeDays: 1000,
                }),
            );
            assert.ok(run.error, "the program must fail");
            assert.strictEqual(run.resources.length, 0);
            assert.match(run.error.message, /4 problems/);
            assert.match(run.error.message, /exchange\.organization: missing/);
            assert.match(run.error.message, /mailboxes\[0\]\.address: "bad@"/);
            assert.match(run.error.message, /mailboxes\[1\]\.protocols\[1\]: unknown protocol "ews"/);
            assert.match(run.error.message, /secretLifetimeDays: 1000/);
        });

        it("stops when the tenant's Exchange Online does not define a published role ID", async () => {
            const run = await runProgram(stackConfig({ displayName: "EDI", mailboxes: [{ address: "a@contoso.com", protocols: ["imap"] }], exchange }), {
                exchangeAppRoleIds: { "IMAP.AccessAsApp": "00000000-0000-0000-0000-000000000000" },
            });
            assert.ok(run.error instanceof pulumi.ResourceError, "reported on the resource it belongs to");
            assert.match(run.error.message, /IMAP\.AccessAsApp \(5e5addcd-3e8d-4e90-baf5-964efab2b20a\)/);
        });
    });

    describe("stability", () => {
        const values = {
            displayName: "EDI",
            mailboxes: [
                { address: "b@contoso.com", protocols: ["pop"] },
                { address: "a@contoso.com", protocols: ["imap", "smtp"] },
            ],
            userSignIn: { redirectUris: ["https://x.contoso.com/cb"], protocols: ["pop"] },
            exchange,
        };
        const inputsOf = (run: ProgramRun) =>
            run.resources.map((resource) => ({
                type: resource.type,
                name: resource.name,
                // The dynamic provider's serialised code is not a config-derived input.
                inputs: { ...resource.inputs, __provider: undefined },
                protect: resource.options?.protect,
                deleteBeforeReplace: resource.options?.deleteBeforeReplace,
            }));

        it("declares exactly the same inputs a month later", async () => {
            const first = await ok(values);
            const offset = 31 * 24 * 60 * 60 * 1000;
            const realNow = Date.now();
            // Every clock read of the program (new Date(), Date.now()) is a month ahead during the second run.
            const later = await withClock(
                (real) => real + offset,
                async () => {
                    assert.ok(new Date().getTime() - realNow >= offset - 1000, "the clock is shifted");
                    return ok(values);
                },
            );
            assert.deepStrictEqual(inputsOf(later), inputsOf(first));
        });

        it("never reads the clock for the secret's end date: it comes from the expiry resource", async () => {
            const run = await ok(values);
            const expiry = single(run, types.secretExpiry);
            assert.deepStrictEqual({ lifetimeDays: expiry.inputs.lifetimeDays, rotation: expiry.inputs.rotation }, { lifetimeDays: 180, rotation: 0 });
            assert.strictEqual(single(run, types.password).inputs.endDate, mockExpiresAt);
        });

        it("a mailbox added changes only its own environment entry", async () => {
            const before = single(await ok(values), types.command).inputs.environment;
            const after = single(await ok({ ...values, mailboxes: [...values.mailboxes, { address: "c@contoso.com", protocols: ["imap"] }] }), types.command)
                .inputs.environment;
            const changed = Object.keys({ ...before, ...after }).filter((key) => before[key] !== after[key]);
            assert.deepStrictEqual(changed, [Object.keys(after).find((key) => key.startsWith("M365_MAILBOX_C_CONTOSO_COM_"))]);
        });
    });
    describe("legacySecretsRetired: the hand-made secrets npm run adopt lists", () => {
        const legacy = ["0b0d4a3e-6f0a-4c55-9d1e-2b7f3c8a9e01", "7c1e2d3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f"];

        it("declares one retirement per key ID, on the app, after the stack's own secret, never with the deployer's secret in plain text", async () => {
            const run = await ok({
                displayName: "EDI reader",
                mailboxes: [{ address: "edi@contoso.com", protocols: ["imap"] }],
                exchange,
                legacySecretsRetired: legacy,
            });
            const retirements = ofType(run, types.legacySecretRetirement);
            assert.deepStrictEqual(retirements.map((r) => r.inputs.keyId).sort(), [...legacy].sort());
            for (const retirement of retirements) {
                assert.match(retirement.name, /^mail-app-legacy-secret-/);
                assert.match(String(retirement.inputs.applicationObjectId), /^[0-9a-f-]{36}$/, "the app's object ID, as /applications/{id} wants it");
                assert.ok((retirement.options?.dependsOn as unknown[] | undefined)?.length, "waits for the stack's own secret");
                assert.ok(!JSON.stringify(retirement.inputs).includes(process.env.ARM_CLIENT_SECRET ?? "\u0000never"), "no client secret in plain text");
            }
        });

        it("declares none without the key", async () => {
            const run = await ok({ displayName: "EDI reader", mailboxes: [{ address: "edi@contoso.com", protocols: ["imap"] }], exchange });
            assert.strictEqual(ofType(run, types.legacySecretRetirement).length, 0);
        });
    });
});
