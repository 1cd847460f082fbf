/**
 * `npm run adopt`'s halves: the Graph reading of a hand-made app against the stand-in Entra ID (by client ID, by
 * display name, several apps of one name refused with the list, never a secret's value), the Exchange reading
 * under PowerShell against the stand-in Exchange Online (both guides' tenants, the registration mistake, SendAs,
 * SMTP AUTH, role assignments, Application Access Policies; nothing changed), and the decisions from both: the
 * stack config, the objects to import with the provider's IDs, legacy credentials and the findings with their fix.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { exchangeOnline } from "../../facts/microsoft";
import { configNamespace, mailApplicationName, resourceTypes } from "../../facts/project";
import { validateStackConfig } from "../../config/validate";
import { makeServerCertificate } from "../fixtures/certificates";
import { StandInClient } from "../fixtures/entra/graphClient";
import { StandInEntra } from "../fixtures/entra/standInEntra";
import { mailbox, organization, StandInTenant, tenantId as exchangeTenantId } from "../scripts/standInTenant";
import { findPwsh, requirePwsh } from "../scripts/commandProvider";
import { readApp } from "../../tools/tenant/graphApp";
import { AppReading } from "../../tools/tenant/appReading";
import { ExchangeReading, readExchange } from "../../tools/tenant/exchangeApp";
import { adopt, impliedProtocols } from "../../tools/adopt/adoption";
import { main } from "../../tools/adopt/cli";
import { importFileWithComponent } from "../../tools/repair/lostObjects";
import { AdminGraph, ebissPortal, guidePowerShell, HandMadeApp, pdfcPortal } from "./handMadeSetups";

const tenantId = "0e7d7c4a-5b8f-4d0e-9f3a-6c2b1a9d8e72";
const deployer = { clientId: "d0d0d0d0-1111-4222-8333-444444444445", clientSecret: "deployer~secret.value_2" };
const key = (name: string) => `${configNamespace}:${name}`;
const options = { now: new Date(), secretWarnDays: 30, azuread: { "azuread:tenantId": tenantId } };

describe("npm run adopt: reading a hand-made setup and deciding the stack", function () {
    this.timeout(120_000);
    let dir: string;
    let entra: StandInEntra;
    let admin: AdminGraph;
    let get: (pathAndQuery: string) => Promise<Record<string, any>>;
    let ebiss: HandMadeApp;
    let pdfc: HandMadeApp;
    let ebissReading: AppReading;
    let pdfcReading: AppReading;

    before(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "m365-adopt-"));
        const tls = makeServerCertificate(dir);
        entra = new StandInEntra({ stateFile: path.join(dir, "tenant.json"), tenantId, deployer, tls });
        await entra.start();
        const client = new StandInClient(tls.caFile);
        const token = await client.token(
            `${entra.authority}/${tenantId}/oauth2/v2.0/token`,
            deployer.clientId,
            deployer.clientSecret,
            `${entra.base}/graph/.default`,
        );
        admin = async (method, pathAndQuery, json) => {
            const answer = await client.request(method, `${entra.graphBase}/${pathAndQuery}`, { token: token.body.access_token, json });
            return { status: answer.status, body: answer.body };
        };
        get = async (pathAndQuery) => (await admin("GET", pathAndQuery)).body;
        ebiss = await ebissPortal(admin, "eBiss OAuth", 36);
        pdfc = await pdfcPortal(admin);
        ebissReading = await readApp(get, { clientId: ebiss.appId });
        pdfcReading = await readApp(get, { displayName: "i-net PDFC" });
    });
    after(async () => {
        await entra?.stop();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    describe("Graph", () => {
        it("reads the app, its enterprise application, consents, grant and secret by client ID, never a secret's value", () => {
            assert.strictEqual(ebissReading.application.objectId, ebiss.objectId);
            assert.strictEqual(ebissReading.servicePrincipal?.objectId, ebiss.servicePrincipalId);
            assert.deepStrictEqual(ebissReading.appRoleAssignments.map((a) => a.roleName).sort(), ["POP.AccessAsApp", "SMTP.SendAsApp"]);
            assert.ok(ebissReading.appRoleAssignments.every((a) => a.resourceAppId === exchangeOnline.appId));
            assert.deepStrictEqual(
                ebissReading.delegatedGrants.map((g) => [g.consentType, g.scopes]),
                [["AllPrincipals", ["User.Read"]]],
            );
            assert.deepStrictEqual(
                ebissReading.application.passwordCredentials.map((c) => c.keyId),
                [ebiss.secretKeyId],
            );
            assert.ok(!JSON.stringify(ebissReading).includes(ebiss.secret), "the secret's value is never read");
            assert.ok(!JSON.stringify(ebissReading).includes('"hint"'));
        });

        it("reads by display name, redirect URIs included", () => {
            assert.strictEqual(pdfcReading.application.clientId, pdfc.appId);
            assert.deepStrictEqual(pdfcReading.application.webRedirectUris, ["https://pdfc.contoso.com/oauth"]);
        });

        it("refuses a display name that names several apps, listing each with its client ID", async () => {
            const twin = await ebissPortal(admin, "i-net PDFC");
            await assert.rejects(readApp(get, { displayName: "i-net PDFC" }), (error: Error) => {
                assert.match(error.message, /2 app registrations have display name "i-net PDFC"; choose one with --client-id/);
                assert.ok(error.message.includes(pdfc.appId) && error.message.includes(twin.appId));
                return true;
            });
            await assert.rejects(readApp(get, { clientId: "00000000-0000-4000-8000-00000000dead" }), /no app registration with client ID/);
        });
    });

    describe("Exchange Online (PowerShell, the stand-in)", () => {
        let exchange: StandInTenant;
        let ebissIdentity: string;
        let pdfcIdentity: string;
        const read = (app: HandMadeApp, mailboxes: string[] = []): ExchangeReading =>
            readExchange(
                {
                    cloud: "global",
                    organization,
                    auth: "interactive",
                    disableWam: false,
                    pwsh: findPwsh()!,
                    reconcile: "changed",
                    reconcileRun: "",
                    smtpAuthorization: "mailboxPermission",
                },
                exchangeTenantId,
                { appId: app.appId, servicePrincipalObjectId: app.servicePrincipalId, applicationObjectId: app.objectId, mailboxes },
                { ...process.env, ...exchange.machine() },
            );

        before(function () {
            requirePwsh(this);
            exchange = new StandInTenant({
                mailboxes: Object.fromEntries(
                    ["edi@contoso.com", "scan@contoso.com", "other@contoso.com"].map((address) => [
                        address,
                        mailbox(address, address.startsWith("scan") ? { RecipientTypeDetails: "SharedMailbox" } : {}),
                    ]),
                ),
            });
            // eBiss: the registration mistake, Option B (organisation-wide SMTP AUTH), FullAccess and SendAs.
            ebissIdentity = guidePowerShell(exchange, ebiss, ["edi@contoso.com"], {
                registeredWithAppObjectId: true,
                smtpAuthOrganizationWide: true,
                sendAs: true,
            });
            // i-net PDFC: the enterprise application's object ID, FullAccess only.
            pdfcIdentity = guidePowerShell(exchange, pdfc, ["scan@contoso.com"], {});
            exchange.update((state) => {
                state.applicationAccessPolicies = [
                    { Identity: "policy-1", AppId: [ebiss.appId], AccessRight: "RestrictAccess", ScopeName: "EDI", Description: "by hand" },
                ];
                state.roleAssignments.push({ Name: "eBiss Mail.Send", Role: "Application Mail.Send", App: ebissIdentity, CustomResourceScope: null });
            });
        });
        after(() => exchange?.dispose());

        it("reads the eBiss tenant: the registration made with the app registration's object ID, its grants, the organisation's SMTP AUTH, the role assignment and the policy; changes nothing", () => {
            const before = fs.readFileSync(exchange.statePath, "utf8");
            const reading = read(ebiss);
            assert.deepStrictEqual(
                reading.servicePrincipals.map((sp) => [sp.identity, sp.objectIdIs]),
                [[ebissIdentity, "appRegistration"]],
            );
            assert.deepStrictEqual(
                reading.mailboxes.map((m) => [m.address, m.fullAccess, m.sendAs, m.recipientTypeDetails]),
                [["edi@contoso.com", [ebissIdentity], [ebissIdentity], "UserMailbox"]],
            );
            assert.strictEqual(reading.organizationSmtpClientAuthenticationDisabled, false);
            assert.deepStrictEqual(
                reading.managementRoleAssignments.map((a) => a.name),
                ["eBiss Mail.Send"],
            );
            assert.deepStrictEqual(
                reading.applicationAccessPolicies?.map((p) => p.identity),
                ["policy-1"],
            );
            assert.strictEqual(fs.readFileSync(exchange.statePath, "utf8"), before, "the tenant is unchanged");
            assert.ok(
                exchange.calls().every((call) => call.cmdlet.startsWith("Get-") || /onnect/.test(call.cmdlet)),
                "only reads",
            );
        });

        it("reads the i-net PDFC tenant (the registration as Microsoft documents it), and only the mailboxes asked for", () => {
            const reading = read(pdfc);
            assert.deepStrictEqual(
                reading.servicePrincipals.map((sp) => [sp.identity, sp.objectIdIs]),
                [[pdfcIdentity, "enterpriseApplication"]],
            );
            assert.deepStrictEqual(
                reading.mailboxes.map((m) => [m.address, m.fullAccess.length, m.sendAs.length, m.recipientTypeDetails]),
                [["scan@contoso.com", 1, 0, "SharedMailbox"]],
            );
            assert.deepStrictEqual(reading.applicationAccessPolicies, []);
            const only = read(pdfc, ["other@contoso.com"]);
            assert.deepStrictEqual(
                only.mailboxes.map((m) => [m.address, m.fullAccess.length]),
                [["other@contoso.com", 0]],
            );
        });

        it("decides the eBiss stack: pop and smtp on the mailbox, SMTP AUTH as found, the objects under the program's names, the legacy secret and every finding with its fix", () => {
            const adoption = adopt(ebissReading, read(ebiss), { ...options, exchange: { organization, auth: "interactive" } });
            assert.deepStrictEqual(adoption.config[key("mailboxes")], [{ address: "edi@contoso.com", protocols: ["pop", "smtp"] }]);
            assert.strictEqual(adoption.config[key("smtpAuth")], "organization");
            assert.strictEqual(adoption.config[key("displayName")], "eBiss OAuth");
            assert.ok(!(key("signInAudience") in adoption.config), "the default audience is not written");
            const validated = validateStackConfig(
                Object.fromEntries(Object.entries(adoption.config).map(([name, value]) => [name, typeof value === "string" ? value : JSON.stringify(value)])),
            );
            assert.ok(validated.ok, JSON.stringify(validated));
            assert.deepStrictEqual(
                adoption.imports.map((o) => [o.type, o.name, o.id]),
                [
                    [resourceTypes.application, mailApplicationName, `/applications/${ebiss.objectId}`],
                    [resourceTypes.servicePrincipal, mailApplicationName, `/servicePrincipals/${ebiss.servicePrincipalId}`],
                    ...["POP.AccessAsApp", "SMTP.SendAsApp"].map((role) => {
                        const held = ebissReading.appRoleAssignments.find((a) => a.roleName === role)!;
                        return [
                            resourceTypes.appRoleAssignment,
                            `${mailApplicationName}-${role}`,
                            `/servicePrincipals/${held.resourceId}/appRoleAssignedTo/${held.id}`,
                        ];
                    }),
                ],
            );
            assert.deepStrictEqual(
                adoption.legacyCredentials.map((c) => [c.kind, c.keyId]),
                [["password", ebiss.secretKeyId]],
            );
            const found = adoption.findings.map((f) => `${f.what} => ${f.fix}`).join("\n");
            assert.match(found, /registered with the app registration's object ID/);
            assert.match(found, /SMTP AUTH is enabled for the whole organisation.*=> set smtpAuth: mailbox/);
            assert.match(
                found,
                /lives 1\d\d\d days .* longer than two years => once the mail client uses the stack's secret: pulumi config set --plaintext --path 'm365-mail-oauth:legacySecretsRetired\[0\]' [0-9a-f-]{36} --stack <stack> && pulumi up/,
            );
            assert.match(adoption.legacyCredentials[0].retire!, new RegExp(`legacySecretsRetired\\[0\\]' ${ebiss.secretKeyId.toLowerCase()} `));
            assert.match(found, /delegated permission User.Read .* => az rest --method DELETE --url .*oauth2PermissionGrants\//);
            assert.match(found, /Application Access Policy policy-1 .* => Remove-ApplicationAccessPolicy -Identity "policy-1"/);
            assert.match(found, /role assignment eBiss Mail.Send \(Application Mail.Send\) .* => Remove-ManagementRoleAssignment -Identity "eBiss Mail.Send"/);
            const document = importFileWithComponent(adoption.imports, "6.9.1") as { resources: { name: string; parent?: string; component?: boolean }[] };
            assert.strictEqual(document.resources[0].component, true);
            assert.ok(document.resources.slice(1).every((r) => r.parent === "entra"));
        });

        it("decides the i-net PDFC stack: imap and smtp from FullAccess, the redirect URI as userSignIn, SMTP AUTH organisation-wide as the guide requires", () => {
            const adoption = adopt(pdfcReading, read(pdfc), { ...options, exchange: { organization, auth: "interactive" } });
            assert.deepStrictEqual(adoption.config[key("mailboxes")], [{ address: "scan@contoso.com", protocols: ["imap", "smtp"] }]);
            assert.deepStrictEqual(adoption.config[key("userSignIn")], { redirectUris: ["https://pdfc.contoso.com/oauth"], protocols: [] });
            assert.strictEqual(adoption.config[key("smtpAuth")], "organization", "the i-net guide: SMTP AUTH protocol must be enabled for your organization");
            assert.ok(!adoption.findings.some((f) => /registered with the app registration/.test(f.what)), "registered as Microsoft documents it");
        });
    });

    describe("the command line", () => {
        const run = async (argv: string[]) => {
            const lines: string[] = [];
            const code = await main(
                argv,
                (text) => lines.push(text),
                (text) => lines.push(text),
            );
            return { code, text: lines.join("\n") };
        };

        it("needs a stack and exactly one of --client-id and --display-name; bad usage exits 2 and names the fix", async () => {
            assert.deepStrictEqual(await run(["--client-id", "x"]), {
                code: 2,
                text: "--stack <name> is required: letters, digits, - _ . (see npm run adopt -- --help)",
            });
            for (const argv of [
                ["--stack", "s"],
                ["--stack", "s", "--client-id", "x", "--display-name", "y"],
            ])
                assert.match((await run(argv)).text, /give exactly one of --client-id <appId> and --display-name <name>/);
            assert.match(
                (await run(["--stack", "s", "--client-id", "x", "--secret-warn-days", "0"])).text,
                /--secret-warn-days 0: give a whole number of days from 1 to 365/,
            );
            assert.strictEqual((await run(["--bogus"])).code, 2);
            assert.match((await run(["--help"])).text, /--take-ownership/);
        });

        it("names the missing Graph sign-in without reading anything", async () => {
            const saved = { ...process.env };
            try {
                delete process.env.ARM_CLIENT_ID;
                delete process.env.ARM_CLIENT_SECRET;
                const answer = await run(["--stack", "nosignin", "--client-id", "x", "--out", dir]);
                assert.strictEqual(answer.code, 1);
                assert.match(answer.text, /no Microsoft Graph sign-in: set ARM_CLIENT_ID and ARM_CLIENT_SECRET/);
                assert.ok(!fs.existsSync(path.join(dir, "Pulumi.nosignin.yaml")), "nothing written");
            } finally {
                process.env = saved;
            }
        });
    });

    describe("decisions", () => {
        it("implies a protocol only where a role and a grant meet", () => {
            const roles = new Set(["imap", "smtp"] as const);
            assert.deepStrictEqual(impliedProtocols(roles, { fullAccess: ["x"], sendAs: [] }), ["imap", "smtp"]);
            assert.deepStrictEqual(impliedProtocols(roles, { fullAccess: [], sendAs: ["x"] }), ["smtp"]);
            assert.deepStrictEqual(impliedProtocols(new Set(["pop"] as const), { fullAccess: [], sendAs: ["x"] }), []);
        });

        it("names other application permissions and unused grants, and a secret about to expire, each with its fix", () => {
            const soon = new Date(Date.now() + 5 * 86400_000).toISOString();
            const reading: AppReading = {
                ...ebissReading,
                application: {
                    ...ebissReading.application,
                    passwordCredentials: [{ keyId: "k", displayName: "old", startDateTime: new Date().toISOString(), endDateTime: soon }],
                },
                appRoleAssignments: [
                    ...ebissReading.appRoleAssignments.filter((a) => a.roleName === "SMTP.SendAsApp"),
                    {
                        id: "ms",
                        appRoleId: "b633e1c5-b582-4048-a93e-9f11b44c7e96",
                        roleName: "Mail.Send",
                        resourceId: "graph-sp",
                        resourceAppId: "00000003-0000-0000-c000-000000000000",
                        resourceDisplayName: "Microsoft Graph",
                    },
                ],
            };
            const exchangeReading: ExchangeReading = {
                appId: ebiss.appId,
                servicePrincipals: [],
                organizationSmtpClientAuthenticationDisabled: true,
                managementRoleAssignments: [],
                applicationAccessPolicies: null,
                mailboxes: [
                    {
                        address: "a@contoso.com",
                        recipientTypeDetails: "UserMailbox",
                        fullAccess: [],
                        sendAs: ["t"],
                        imapEnabled: false,
                        popEnabled: false,
                        smtpClientAuthenticationDisabled: null,
                    },
                ],
            };
            const found = adopt(reading, exchangeReading, options)
                .findings.map((f) => `${f.what} => ${f.fix}`)
                .join("\n");
            assert.match(
                found,
                /application permission Microsoft Graph Mail.Send, which IMAP, POP and SMTP do not need => az rest --method DELETE --url .*servicePrincipals\/graph-sp\/appRoleAssignedTo\/ms/,
            );
            assert.match(found, /expires on .* within secretWarnDays \(30\)/);
            assert.doesNotMatch(found, /SMTP AUTH is enabled/);
        });
    });
});
