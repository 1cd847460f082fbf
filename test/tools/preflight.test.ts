/**
 * `npm run preflight`: the decision for each check (pure, no tenant), and the whole command as a user runs it
 * against both stand-ins (Entra ID in this process, Exchange Online under PowerShell 7): a tenant set up the way
 * the vendor guides leave it, with a deployer short of a permission, a taken name and the wrong organization domain,
 * then the same tenant made ready.
 */
import * as assert from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { validateStackConfig } from "../../config/validate";
import { planAccess } from "../../plan/accessPlan";
import { configNamespace } from "../../facts/project";
import { microsoftGraph } from "../../facts/microsoft";
import { projectRoot } from "../../facts/projectRoot";
import { blocks, Finding, ReadinessInput, readinessFindings } from "../../tools/preflight/findings";
import { EntraFacts } from "../../tools/preflight/entraFacts";
import { ExchangeFacts } from "../../tools/preflight/exchangeFacts";
import { renderText } from "../../tools/preflight/cli";
import { makeServerCertificate } from "../fixtures/certificates";
import { StandInEntra } from "../fixtures/entra/standInEntra";
import { TenantState as EntraTenant } from "../fixtures/entra/directory";
import { directoryRoles } from "../../facts/deployerRights";
import { StandInClient } from "../fixtures/entra/graphClient";
import { findPwsh, requirePwsh } from "../scripts/commandProvider";
import { mailbox, organization, StandInTenant, tenantId } from "../scripts/standInTenant";

const edi = "edi@contoso.com";
const shared = "shared@contoso.com";

function settingsOf(extra: Record<string, unknown> = {}) {
    const raw = Object.fromEntries(
        Object.entries({
            displayName: "Mail OAuth (preflight)",
            mailboxes: [
                { address: edi, protocols: ["imap", "smtp"] },
                { address: shared, protocols: ["pop"] },
            ],
            exchange: { organization, auth: "interactive" },
            ...extra,
        }).map(([key, value]) => [`${configNamespace}:${key}`, JSON.stringify(value)]),
    );
    const validated = validateStackConfig({ "azuread:tenantId": tenantId, ...raw });
    assert.ok(validated.ok, JSON.stringify(validated));
    return validated.settings;
}

const readyEntra: EntraFacts = {
    deployer: { value: { permissions: ["AppRoleAssignment.ReadWrite.All", "Application.ReadWrite.All", "DelegatedPermissionGrant.ReadWrite.All"], roles: [] } },
    exchangeOnline: { value: true },
    domains: {
        value: [
            { name: organization, isInitial: true },
            { name: "contoso.com", isInitial: false },
        ],
    },
    sameName: { value: [] },
    credentialPolicy: {
        value: { tenant: { name: "the tenant's default app management policy", isEnabled: false, restrictions: { passwordCredentials: [] } } },
    },
};
/** A tenant default policy allowing secrets of at most 30 days, as the CISA baseline proposes limits. */
const thirtyDays = {
    value: {
        tenant: {
            name: "the tenant's default app management policy",
            isEnabled: true,
            restrictions: { passwordCredentials: [{ restrictionType: "passwordLifetime", state: "enabled", maxLifetime: "P30D" }] },
        },
    },
};
const readyExchange: ExchangeFacts = {
    module: "3.9.0",
    organizationSmtpAuthDisabled: true,
    mailboxes: {
        [edi]: { exists: true, recipientTypeDetails: "UserMailbox", imapEnabled: true, popEnabled: false, smtpClientAuthenticationDisabled: null },
        [shared]: { exists: true, recipientTypeDetails: "SharedMailbox", imapEnabled: false, popEnabled: true, smtpClientAuthenticationDisabled: null },
    },
};

function decide(
    change: { entra?: Partial<EntraFacts>; exchange?: Partial<ExchangeFacts>; settings?: Record<string, unknown>; input?: Partial<ReadinessInput> } = {},
) {
    const settings = settingsOf(change.settings);
    return readinessFindings({
        settings,
        access: planAccess(settings),
        entra: { value: { ...readyEntra, ...change.entra } },
        exchange: { value: { ...readyExchange, ...change.exchange } },
        now: new Date("2026-12-06T00:00:00Z"),
        ...change.input,
    });
}
const named = (findings: Finding[], check: string) => findings.filter((finding) => finding.check === check);

describe("npm run preflight: the readiness check's decision", () => {
    it("a ready tenant: nothing blocks, every check says what it saw", () => {
        const findings = decide();
        assert.ok(!blocks(findings), renderText("dev", findings));
        assert.deepStrictEqual(
            named(findings, "deploying identity").map((f) => f.says),
            [
                "may create the app registration and its service principal (Application.ReadWrite.All)",
                "may grant the Exchange Online application permissions (AppRoleAssignment.ReadWrite.All)",
            ],
            "no delegated grant without user sign-in",
        );
        assert.match(named(findings, "Exchange organization")[0].says, /contoso\.onmicrosoft\.com is the tenant's initial domain/);
        assert.match(named(findings, `mailbox ${shared}`)[0].says, /^a shared mailbox$/);
        assert.strictEqual(named(findings, "SMTP AUTH")[0].severity, "note");
        assert.match(renderText("dev", findings), /Ready for pulumi up\.$/);
    });

    it("a deployer without a permission or role for a step blocks, naming what would allow it; a role counts as much as a permission", () => {
        const short = decide({ entra: { deployer: { value: { permissions: ["Application.ReadWrite.OwnedBy"], roles: [] } } } });
        const [create, consent] = named(short, "deploying identity");
        assert.strictEqual(create.severity, "ok");
        assert.strictEqual(consent.severity, "block");
        assert.match(
            consent.says,
            /may not grant the Exchange Online application permissions: it holds none of AppRoleAssignment\.ReadWrite\.All, Global Administrator/,
        );
        assert.match(consent.fix!, /AppRoleAssignment\.ReadWrite\.All .*Cloud Application Administrator/);
        const byRole = decide({
            entra: { deployer: { value: { permissions: [], roles: ["Cloud Application Administrator"] } } },
            settings: { userSignIn: { redirectUris: ["http://localhost/callback"] } },
        });
        assert.deepStrictEqual(
            named(byRole, "deploying identity").map((f) => f.severity),
            ["ok", "ok", "ok"],
            "user sign-in adds the delegated grant step",
        );
        const unreadable = decide({ entra: { deployer: { unreadable: "GET servicePrincipals: 403 Insufficient privileges" } } });
        assert.strictEqual(named(unreadable, "deploying identity")[0].severity, "unknown");
        assert.ok(!blocks(unreadable), "what could not be read does not block");
    });

    it("blocks a tenant without Exchange Online, an organization that is not the initial domain or not the tenant's, and a name another app has", () => {
        assert.strictEqual(named(decide({ entra: { exchangeOnline: { value: false } } }), "Exchange Online")[0].severity, "block");
        const vanity = named(decide({ settings: { exchange: { organization: "contoso.com", auth: "interactive" } } }), "Exchange organization")[0];
        assert.strictEqual(vanity.severity, "block");
        assert.match(vanity.fix!, /set m365-mail-oauth:exchange\.organization to contoso\.onmicrosoft\.com/);
        const foreign = named(
            decide({ settings: { exchange: { organization: "fabrikam.onmicrosoft.com", auth: "interactive" } } }),
            "Exchange organization",
        )[0];
        assert.match(foreign.says, /is not a domain of this tenant \(its domains: contoso\.onmicrosoft\.com, contoso\.com\)/);
        const taken = { sameName: { value: [{ appId: "11111111-2222-4333-8444-555555555555", id: "x" }] } };
        const name = named(decide({ entra: taken }), "display name")[0];
        assert.strictEqual(name.severity, "block");
        assert.match(name.fix!, /npm run adopt -- --stack <name> --client-id 11111111-2222-4333-8444-555555555555/);
        assert.strictEqual(
            named(decide({ entra: taken, input: { ownClientId: "11111111-2222-4333-8444-555555555555" } }), "display name")[0].severity,
            "ok",
            "the stack's own app is not another's",
        );
    });

    it("the tenant's credential policy: a longer secret than it allows blocks, naming secretLifetimeDays, the maximum and the fixes", () => {
        const [ok] = named(decide(), "credential policy");
        assert.deepStrictEqual([ok.severity, ok.says], ["ok", "no app management policy restricts the app's credentials"]);
        const [refused] = named(decide({ entra: { credentialPolicy: thirtyDays } }), "credential policy");
        assert.strictEqual(refused.severity, "block");
        assert.match(refused.says, /m365-mail-oauth:secretLifetimeDays: 180 is longer than the tenant's default app management policy allows/);
        assert.match(refused.fix!, /30/);
        assert.strictEqual(
            named(decide({ entra: { credentialPolicy: thirtyDays }, settings: { secretLifetimeDays: 30 } }), "credential policy")[0].severity,
            "ok",
        );
        const unread = named(decide({ entra: { credentialPolicy: { unreadable: "GET policies/defaultAppManagementPolicy: 403" } } }), "credential policy")[0];
        assert.deepStrictEqual([unread.severity, /Policy\.Read\.All/.test(unread.fix!)], ["unknown", true]);
    });

    it("Exchange: SMTP AUTH on organisation-wide warns; a missing mailbox or a room blocks; protocols the stack turns on are noted", () => {
        assert.strictEqual(named(decide({ exchange: { organizationSmtpAuthDisabled: false } }), "SMTP AUTH")[0].severity, "warn");
        const findings = decide({
            exchange: {
                mailboxes: {
                    [edi]: { exists: false },
                    [shared]: {
                        exists: true,
                        recipientTypeDetails: "RoomMailbox",
                        imapEnabled: false,
                        popEnabled: false,
                        smtpClientAuthenticationDisabled: null,
                    },
                },
            },
        });
        assert.deepStrictEqual([named(findings, `mailbox ${edi}`)[0].severity, named(findings, `mailbox ${shared}`)[0].severity], ["block", "block"]);
        assert.match(named(findings, `mailbox ${shared}`)[0].says, /is a RoomMailbox: a mail client reads user or shared mailboxes/);
        const off = decide({ exchange: { mailboxes: { ...readyExchange.mailboxes, [shared]: { ...readyExchange.mailboxes[shared], popEnabled: false } } } });
        assert.match(named(off, `mailbox ${shared}`)[0].says, /POP3 off now, the stack turns it on/);
        const signIn = decide({ input: { exchange: { unreadable: "Connect-ExchangeOnline failed for organization contoso.onmicrosoft.com" } } });
        assert.strictEqual(named(signIn, "Exchange Online sign-in")[0].severity, "block");
    });

    it("a customer's stack of a provider's multi-tenant app: reading is all the deployer needs; no consent yet is a note, not a blocker", () => {
        const customer = { providerApp: { stack: "provider", waitMinutes: 10 } };
        const reader = { deployer: { value: { permissions: ["Application.Read.All"], roles: [] } } };
        const before = decide({ settings: customer, entra: { ...reader, consented: { value: false } }, input: { providerStack: "provider" } });
        assert.ok(!blocks(before), renderText("fabrikam", before));
        assert.deepStrictEqual(
            named(before, "deploying identity").map((f) => f.says),
            ["may read the service principal the customer's consent made (Application.Read.All)"],
        );
        const [consent] = named(before, "consent to the provider's app");
        assert.strictEqual(consent.severity, "note");
        assert.match(consent.says, /`pulumi up` waits up to 10 minute\(s\)/);
        assert.match(consent.fix!, /pulumi stack output adminConsentUrls --stack provider/);
        assert.deepStrictEqual(named(before, "display name"), [], "the app's name is the provider's");
        assert.deepStrictEqual(named(before, "credential policy"), [], "the secret is the provider's");
        const after = decide({ settings: customer, entra: { ...reader, consented: { value: true } } });
        assert.strictEqual(named(after, "consent to the provider's app")[0].severity, "ok");
        const unknownApp = decide({ settings: customer, entra: reader });
        assert.match(named(unknownApp, "consent to the provider's app")[0].says, /stack provider has no clientId output here/);
    });

    it("without a Graph sign-in it says the Entra ID checks were skipped and how to run them", () => {
        const findings = decide({ input: { entra: { unreadable: "no client-secret sign-in for Microsoft Graph" } } });
        assert.strictEqual(findings[0].check, "Microsoft Graph");
        assert.match(findings[0].fix!, /ARM_CLIENT_ID and ARM_CLIENT_SECRET/);
        assert.ok(!blocks(findings));
    });
});

describe("npm run preflight against the stand-in Entra ID and Exchange Online", function () {
    this.timeout(300_000);
    let dir: string;
    let entra: StandInEntra;
    let exchange: StandInTenant;
    const deployer = { clientId: "d0d0d0d0-1111-4222-8333-44444444aaaa", clientSecret: "deployer~preflight_secret.1" };
    let client: StandInClient;

    before(async function () {
        requirePwsh(this);
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "m365-preflight-"));
        const tls = makeServerCertificate(dir);
        client = new StandInClient(tls.caFile);
        entra = new StandInEntra({ stateFile: path.join(dir, "tenant.json"), tenantId, deployer, tls });
        await entra.start();
        // As the vendor guides leave a tenant: SMTP AUTH switched on organisation-wide.
        exchange = new StandInTenant({
            organization: { name: organization, tenantId, smtpClientAuthenticationDisabled: false },
            mailboxes: { [edi]: mailbox(edi), [shared]: mailbox(shared, { RecipientTypeDetails: "SharedMailbox", PopEnabled: true }) },
        });
    });
    after(async () => {
        await entra?.stop();
        exchange?.dispose();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    const graph = async (method: string, pathAndQuery: string, json?: unknown) => {
        const token = await client.token(
            `${entra.authority}/${tenantId}/oauth2/v2.0/token`,
            deployer.clientId,
            deployer.clientSecret,
            `${entra.base}/graph/.default`,
        );
        return client.request(method, `${entra.graphBase}/${pathAndQuery}`, { token: token.body.access_token, json });
    };

    /** The compiled command, as a user runs it in a project folder holding the stack file. */
    function preflight(stackConfig: Record<string, unknown>, format = "json"): Promise<{ code: number | null; stdout: string; stderr: string }> {
        const project = fs.mkdtempSync(path.join(dir, "project-"));
        const config = { "azuread:tenantId": tenantId, "azuread:metadataHost": entra.metadataHost, ...stackConfig };
        fs.writeFileSync(path.join(project, "Pulumi.dev.yaml"), stringify({ config }));
        const child = spawn(process.execPath, [path.join(projectRoot(), "bin", "tools", "preflight.js"), "--stack", "dev", "--format", format], {
            cwd: project,
            env: {
                ...process.env,
                ...exchange.machine(),
                ARM_CLIENT_ID: deployer.clientId,
                ARM_CLIENT_SECRET: deployer.clientSecret,
                NODE_EXTRA_CA_CERTS: path.join(dir, "ca.crt"),
                // No stack in any backend: `pulumi stack output` (the stack's own app) finds nothing, offline.
                PULUMI_BACKEND_URL: `file://${dir}`,
                PULUMI_CONFIG_PASSPHRASE: "preflight",
            },
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk) => (stdout += chunk));
        child.stderr.on("data", (chunk) => (stderr += chunk));
        return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
    }

    const configOf = (extra: Record<string, unknown> = {}) =>
        Object.fromEntries(
            Object.entries({
                displayName: "Mail OAuth (preflight)",
                mailboxes: [
                    { address: edi, protocols: ["imap", "smtp"] },
                    { address: shared, protocols: ["pop"] },
                    { address: "nobody@contoso.com", protocols: ["imap"] },
                ],
                exchange: { organization: "contoso.com", auth: "interactive", pwsh: findPwsh() },
                ...extra,
            }).map(([key, value]) => [`${configNamespace}:${key}`, value]),
        );

    it("names every blocker of a guide-made tenant with its fix, changes nothing, and passes once they are fixed", async () => {
        // The deployer lacks the consent permission; another app already has the stack's name.
        const tenant = entra.tenant();
        const deployerSp = tenant.servicePrincipals.find((sp) => sp.appId === deployer.clientId)!;
        const graphSp = tenant.servicePrincipals.find((sp) => sp.appId === microsoftGraph.appId)!;
        const consent = tenant.appRoleAssignments.find(
            (a) => a.principalId === deployerSp.id && graphSp.appRoles.find((r) => r.id === a.appRoleId)?.value === "AppRoleAssignment.ReadWrite.All",
        )!;
        assert.strictEqual((await graph("DELETE", `servicePrincipals/${graphSp.id}/appRoleAssignedTo/${consent.id}`)).status, 204);
        const other = await graph("POST", "applications", { displayName: "Mail OAuth (preflight)" });
        assert.strictEqual(other.status, 201);
        // The tenant allows secrets of at most 30 days; the config asks for the default 180.
        const policy = await graph("PATCH", "policies/defaultAppManagementPolicy", {
            isEnabled: true,
            applicationRestrictions: {
                passwordCredentials: [
                    { restrictionType: "passwordLifetime", state: "enabled", maxLifetime: "P30D", restrictForAppsCreatedAfterDateTime: null },
                ],
                keyCredentials: [],
            },
        });
        assert.strictEqual(policy.status, 204);
        const before = { entra: JSON.stringify(entra.tenant()), exchange: JSON.stringify(exchange.read()) };
        exchange.clearLog();
        const requestsBefore = entra.requests.length;

        const blocked = await preflight(configOf());
        assert.strictEqual(blocked.code, 1, blocked.stderr);
        // One list of the apps of the stack's name serves the name check and the credential policy read.
        const byName = entra.requests
            .slice(requestsBefore)
            .filter((request) => request.method === "GET" && /\/applications\?\$filter=displayName eq /.test(decodeURIComponent(request.path)));
        assert.strictEqual(byName.length, 1, JSON.stringify(byName));
        const report = JSON.parse(blocked.stdout) as { ready: boolean; findings: Finding[] };
        assert.strictEqual(report.ready, false);
        const severities = Object.fromEntries(report.findings.map((f) => [`${f.check}: ${f.says.slice(0, 40)}`, f.severity]));
        const find = (check: string, says: RegExp) => report.findings.find((f) => f.check === check && says.test(f.says));
        assert.strictEqual(find("deploying identity", /may not grant the Exchange Online/)?.severity, "block", JSON.stringify(severities, null, 1));
        assert.strictEqual(find("deploying identity", /may create the app registration/)?.severity, "ok");
        assert.strictEqual(find("Exchange Online", /has Exchange Online/)?.severity, "ok");
        assert.strictEqual(find("credential policy", /secretLifetimeDays: 180 is longer/)?.severity, "block");
        assert.match(find("Exchange organization", /./)!.fix!, /contoso\.onmicrosoft\.com/);
        assert.match(find("display name", /./)!.fix!, new RegExp(`--client-id ${other.body.appId}`));
        assert.strictEqual(find("mailbox nobody@contoso.com", /no mailbox/)?.severity, "block");
        assert.strictEqual(find("SMTP AUTH", /whole organisation/)?.severity, "warn");
        assert.strictEqual(find(`mailbox ${shared}`, /a shared mailbox/)?.severity, "ok");
        assert.match(find(`mailbox ${edi}`, /./)!.says, /a user mailbox; IMAP off now, the stack turns it on/);
        assert.strictEqual(find("Exchange Online module", /ExchangeOnlineManagement 3\.9\.0/)?.severity, "ok");
        // Read only: neither stand-in changed, and Exchange saw only Get- cmdlets (and the sign-in).
        assert.deepStrictEqual({ entra: JSON.stringify(entra.tenant()), exchange: JSON.stringify(exchange.read()) }, before);
        assert.deepStrictEqual(exchange.changingCalls(), []);
        assert.ok(!(blocked.stdout + blocked.stderr).includes(deployer.clientSecret), "the deployer's secret is never printed");

        // Fixed: the deployer made Cloud Application Administrator (the stand-in takes role assignments from its
        // tenant file), another name, the initial domain, only mailboxes that exist.
        await entra.stop();
        const file = path.join(dir, "tenant.json");
        const saved = JSON.parse(fs.readFileSync(file, "utf8")) as EntraTenant;
        saved.directoryRoleAssignments = [
            { id: "r1", principalId: deployerSp.id, roleDefinitionId: directoryRoles["Cloud Application Administrator"], directoryScopeId: "/" },
        ];
        fs.writeFileSync(file, JSON.stringify(saved));
        await entra.start();
        const ready = await preflight(
            configOf({
                displayName: "Mail OAuth (preflight, ready)",
                secretLifetimeDays: 30,
                mailboxes: [
                    { address: edi, protocols: ["imap", "smtp"] },
                    { address: shared, protocols: ["pop"] },
                ],
                exchange: { organization, auth: "interactive", pwsh: findPwsh() },
            }),
            "text",
        );
        assert.strictEqual(ready.code, 0, ready.stdout + ready.stderr);
        assert.match(ready.stdout, /^Readiness of stack dev:$/m);
        assert.match(
            ready.stdout,
            /^ {2}ok {5}deploying identity: may grant the Exchange Online application permissions \(Cloud Application Administrator\)$/m,
        );
        assert.match(ready.stdout, /^ {2}warn {3}SMTP AUTH: SMTP AUTH is on for the whole organisation/m);
        assert.match(
            ready.stdout,
            /^ {2}ok {5}credential policy: the tenant's default app management policy allows what the stack makes \(secrets of at most 30 days\)$/m,
        );
        assert.match(ready.stdout, /^Ready for pulumi up\.$/m);
    });
});
