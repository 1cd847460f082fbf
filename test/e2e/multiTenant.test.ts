/**
 * One multi-tenant app in the provider's tenant, consented in a customer's tenant (issue #30 part 3), under the real
 * Pulumi CLI: one stand-in Entra ID serving both tenants (test/fixtures/entra, `otherTenants`), the customer's
 * Exchange Online as the stand-in module, and with Dovecot the mail lab, so `npm run verify` logs in as the
 * customer's mail client will. The provider's stack makes the app and the consent URL; the customer's stack reads
 * it through a stack reference, previews and waits (bounded) for the consent, makes only its own tenant's Exchange
 * side, and its destroy revokes only that. The other shape, an app in the customer's own tenant made from
 * `npm run stacks -- new`, runs in the same world last.
 */
import * as assert from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parseDocument } from "yaml";
import { EngineProject, requireEngine } from "./engine";
import { projectOnStandIns } from "./standInWorld";
import { EngineStandIn, startStandInEntraForEngine } from "../fixtures/entra/forEngine";
import { findDovecot, MailLab } from "../fixtures/mailLab";
import { mailbox, StandInTenant } from "../scripts/standInTenant";
import { findPwsh, requirePwsh } from "../scripts/commandProvider";
import { labGrants } from "../scripts/scenarioHelpers";
import { assertLoggedInEverywhere, verifyRunner } from "../tools/verifyRun";
import { configNamespace } from "../../facts/project";
import { newStack } from "../../tools/stacks";

const providerTenant = "9a9a9a9a-0000-4000-8000-0000000009a0";
const customerTenant = "fab00000-0000-4000-8000-0000000000fa";
const customerDomain = "fabrikam.onmicrosoft.com";
const edi = "edi@fabrikam.com";
const bystander = "ceo@fabrikam.com";
const consentRedirectUri = "https://provider.example/consented";
const statusScript = path.join(__dirname, "..", "..", "tools", "status.js");
const ns = (values: Record<string, unknown>) => Object.fromEntries(Object.entries(values).map(([key, value]) => [`${configNamespace}:${key}`, value]));

/** The admin's browser, later: a process of its own opens the consent URL while the CLI (synchronous here) waits. */
function consentLater(entra: EngineStandIn, url: string, seconds: number): Promise<string> {
    const asked = new URL(url);
    const target = `${entra.authority}${asked.pathname}${asked.search}`;
    const script = `setTimeout(() => require("https").get(process.argv[1], (res) => { console.log(res.statusCode + " " + res.headers.location); res.resume(); }), ${seconds * 1000});`;
    const child = spawn(process.execPath, ["-e", script, target], { env: { ...process.env, NODE_EXTRA_CA_CERTS: entra.env.NODE_EXTRA_CA_CERTS } });
    let printed = "";
    child.stdout.on("data", (chunk: Buffer) => (printed += chunk.toString()));
    return new Promise((resolve) => child.on("close", () => resolve(printed.trim())));
}

describe("one multi-tenant app consented in a customer's tenant, under the real engine", function () {
    this.timeout(900_000);
    const world = {} as { project: EngineProject; entra: EngineStandIn; exchange: StandInTenant; lab?: MailLab; customerEnv: Record<string, string> };
    const mailboxes = [{ address: edi, protocols: ["imap", "smtp"] }];

    before(async function () {
        const engineDir = requireEngine(this);
        requirePwsh(this);
        // With Dovecot, verify logs in over IMAP and SMTP; without it the token sign-in is still checked.
        if (findDovecot()) {
            world.lab = new MailLab({ tenant: customerTenant, clients: {}, grants: [] });
            await world.lab.start();
        }
        world.entra = await startStandInEntraForEngine(providerTenant, world.lab?.tls, {
            otherTenants: [{ tenantId: customerTenant, initialDomain: customerDomain }],
        });
        if (world.lab) {
            world.lab.useEntra(world.entra);
            await world.lab.startDovecot();
        }
        world.exchange = new StandInTenant({
            organization: { name: customerDomain, tenantId: customerTenant, smtpClientAuthenticationDisabled: true },
            mailboxes: { [edi]: mailbox(edi), [bystander]: mailbox(bystander) },
        });
        ({ project: world.project } = projectOnStandIns(engineDir, world.entra, world.exchange));
        // The customer's stack signs in to the customer's tenant, with a deployer of that tenant's.
        const deployer = world.entra.deployer(customerTenant);
        world.customerEnv = { ARM_CLIENT_ID: deployer.clientId, ARM_CLIENT_SECRET: deployer.clientSecret };
    });
    after(async () => {
        world.project?.dispose();
        world.exchange?.dispose();
        await world.entra?.stop();
        await world.lab?.stop();
    });

    const metadataHost = () => new URL(world.entra.env.M365_STANDIN_TOKEN_URL).host;
    const customerConfig = (waitMinutes: number) => ({
        "azuread:tenantId": customerTenant,
        "azuread:metadataHost": metadataHost(),
        ...ns({
            displayName: "EDI (provider)",
            providerApp: { stack: "provider", waitMinutes },
            mailboxes,
            exchange: { organization: customerDomain, auth: "interactive", pwsh: findPwsh() },
        }),
    });

    it("the provider's stack makes one multi-tenant app and an admin-consent URL for the customer; nothing in the customer's tenant", () => {
        const { project, entra } = world;
        project.initStack("provider", {
            "azuread:tenantId": providerTenant,
            "azuread:metadataHost": metadataHost(),
            ...ns({
                displayName: "EDI (provider)",
                signInAudience: "AzureADMultipleOrgs",
                customerTenants: { consentRedirectUri, protocols: ["imap", "smtp"], customers: [{ name: "fabrikam", tenantId: customerTenant }] },
                secretLifetimeDays: 90,
            }),
        });
        project.ok(["up", "--yes", "--stack", "provider"]);
        const out = project.stackOutputs("provider");
        const url = new URL(out.adminConsentUrls.fabrikam);
        assert.strictEqual(url.pathname, `/${customerTenant}/v2.0/adminconsent`);
        assert.strictEqual(url.searchParams.get("client_id"), out.clientId);
        const app = entra.tenant().applications.find((candidate) => candidate.appId === out.clientId);
        assert.strictEqual(app?.signInAudience, "AzureADMultipleOrgs");
        assert.deepStrictEqual((app?.web as { redirectUris: string[] }).redirectUris, [consentRedirectUri]);
        assert.ok(
            !entra.tenant(customerTenant).servicePrincipals.some((sp) => sp.appId === out.clientId),
            "no service principal in the customer's tenant before consent",
        );
    });

    it("before consent, the customer's preview names the consent URL and goes on; an update waits its bounded time, fails with the fix, and changes nothing", () => {
        const { project, exchange } = world;
        project.initStack("fabrikam", customerConfig(1));
        const consentUrl = project.stackOutputs("provider").adminConsentUrls.fabrikam;
        const preview = project.pulumi(["preview", "--stack", "fabrikam"], world.customerEnv);
        assert.strictEqual(preview.code, 0, preview.output);
        assert.match(preview.output, /has not consented to the provider's app yet/);
        assert.ok(preview.output.replace(/\s+/g, "").includes(consentUrl), "the preview names the customer's consent URL");

        const up = project.pulumi(["up", "--yes", "--stack", "fabrikam"], world.customerEnv);
        assert.notStrictEqual(up.code, 0);
        assert.match(up.output, new RegExp(`tenant ${customerTenant} still holds no service principal of the provider's app after 1 minute`));
        assert.deepStrictEqual(exchange.changingCalls(), [], "the Exchange step never ran");
    });

    it("once the customer's admin consents (while the update waits), only this tenant's Exchange side is made, on the consented service principal", async () => {
        const { project, entra, exchange } = world;
        project.writeConfig("fabrikam", customerConfig(3));
        const provider = project.stackOutputs("provider");
        const providerTenantBefore = JSON.stringify(entra.tenant());
        const consented = consentLater(entra, provider.adminConsentUrls.fabrikam, 15);
        const up = project.pulumi(["up", "--yes", "--stack", "fabrikam"], world.customerEnv);
        assert.strictEqual(up.code, 0, up.output);
        assert.match(await consented, new RegExp(`^302 ${consentRedirectUri.replace(/[/.]/g, "\\$&")}\\?admin_consent=True&tenant=${customerTenant}`));

        const out = project.stackOutputs("fabrikam");
        const sp = entra.tenant(customerTenant).servicePrincipals.find((candidate) => candidate.appId === provider.clientId);
        assert.ok(sp, "the consent made the service principal in the customer's tenant");
        assert.strictEqual(out.servicePrincipalObjectId, sp.id);
        assert.strictEqual(out.clientId, provider.clientId);
        assert.strictEqual(out.clientSecret, provider.clientSecret, "the mail client gets the provider's current secret");
        assert.strictEqual(out.tokenUrl, `https://login.microsoftonline.com/${customerTenant}/oauth2/v2.0/token`);
        assert.strictEqual(out.providerStack, "organization/m365-mail-oauth/provider");

        const identity = exchange.servicePrincipalIdentity(provider.clientId);
        assert.ok(identity, "New-ServicePrincipal in the customer's Exchange Online");
        assert.ok(exchange.read().servicePrincipals.some((principal) => principal.ObjectId === sp.id));
        assert.ok(exchange.mailboxState(edi).permissions.some((p) => p.User === identity && p.AccessRights.includes("FullAccess")));
        assert.ok(!exchange.mailboxState(bystander).permissions.some((p) => p.User === identity), "a mailbox not configured is left alone");
        assert.strictEqual(JSON.stringify(entra.tenant()), providerTenantBefore, "the provider's tenant is untouched by the customer's stack");
        assert.ok(await entra.signsIn(out.clientId, out.clientSecret, customerTenant), "the secret gets a token at the customer's token endpoint");
        assert.ok(!up.output.includes(out.clientSecret), "the secret never shows");

        project.ok(["preview", "--expect-no-changes", "--stack", "fabrikam"], world.customerEnv);
        project.ok(["preview", "--expect-no-changes", "--stack", "provider"]);
    });

    it("npm run verify -- --stack fabrikam logs in over IMAP and SMTP at the customer's token endpoint (with Dovecot)", async function () {
        const { lab, exchange, project } = world;
        if (!lab) {
            if (process.env.M365_REQUIRE_DOVECOT === "1") assert.fail("Dovecot is required (M365_REQUIRE_DOVECOT=1) but not installed");
            this.skip();
        }
        const out = project.stackOutputs("fabrikam");
        lab.setGrants(labGrants(exchange, exchange.servicePrincipalIdentity(out.clientId)));
        // `npm run verify -- --stack fabrikam` in the project: tenant, client and secret from the customer's stack
        // outputs (the --tenant the runner adds is ignored with --stack, so it names the provider's to show that).
        const run = await verifyRunner(providerTenant, "")(lab, ["--stack", "fabrikam"], project.env, project.dir);
        assertLoggedInEverywhere(run, mailboxes);
        assert.ok(!(run.stdout + run.stderr).includes(out.clientSecret), "verify never prints the secret");
        const other = await verifyRunner(providerTenant, out.clientSecret)(lab, ["--client-id", out.clientId, "--mailbox", `${edi}:imap`]);
        assert.notStrictEqual(other.code, 0, "the provider's tenant holds no grant on the customer's mailbox");
    });

    it("a rotation on the provider's stack: npm run status names deploy on the customer's stack, whose next up hands the new secret on", () => {
        const { project, entra } = world;
        const status = (stack: string) => {
            const run = spawnSync(process.execPath, [statusScript, "--stack", stack, "--format", "json"], {
                cwd: project.root,
                env: project.env,
                encoding: "utf8",
            });
            return { code: run.status, report: JSON.parse(run.stdout || "{}"), output: `${run.stdout}\n${run.stderr}` };
        };
        const before = status("fabrikam");
        assert.strictEqual(before.code, 0, before.output);
        assert.deepStrictEqual(before.report.stacks[0].actions, []);

        const previous = project.stackOutputs("provider");
        const file = path.join(project.dir, "Pulumi.provider.yaml");
        fs.appendFileSync(file, "  m365-mail-oauth:secretRotation: 1\n");
        project.ok(["up", "--yes", "--stack", "provider"]);
        const rotated = project.stackOutputs("provider");
        assert.notStrictEqual(rotated.clientSecretKeyId, previous.clientSecretKeyId);

        const stale = status("fabrikam");
        assert.strictEqual(stale.code, 1, stale.output);
        const [fabrikam] = stale.report.stacks;
        assert.deepStrictEqual(fabrikam.actions, ["deploy"]);
        assert.match(fabrikam.findings[0].reason, /the provider's stack \(provider\) has another current secret/);

        project.ok(["up", "--yes", "--stack", "fabrikam"], world.customerEnv);
        assert.strictEqual(project.stackOutputs("fabrikam").clientSecret, rotated.clientSecret, "the new secret handed on");
        assert.deepStrictEqual(status("fabrikam").report.stacks[0].actions, []);
        return entra
            .signsIn(rotated.clientId, rotated.clientSecret, customerTenant)
            .then((ok) => assert.ok(ok, "the new secret signs in at the customer's tenant"));
    });

    it("removing the customer revokes only its tenant's grants: the consent's service principal and the provider's app stay", () => {
        const { project, entra, exchange } = world;
        const provider = project.stackOutputs("provider");
        const identity = exchange.servicePrincipalIdentity(provider.clientId);
        project.ok(["destroy", "--yes", "--stack", "fabrikam"], world.customerEnv);
        assert.ok(!exchange.mailboxState(edi).permissions.some((p) => p.User === identity), "FullAccess revoked");
        assert.ok(!exchange.mailboxState(edi).sendAs.some((entry) => entry.Trustee === identity), "SendAs revoked");
        assert.ok(
            entra.tenant(customerTenant).servicePrincipals.some((sp) => sp.appId === provider.clientId),
            "the consent's service principal is the customer's to remove",
        );
        assert.ok(
            entra.tenant().applications.some((app) => app.appId === provider.clientId),
            "the provider's app stays",
        );
        project.ok(["preview", "--expect-no-changes", "--stack", "provider"]);
    });

    it("the other shape, an app in the customer's own tenant: npm run stacks -- new writes the stack file, up makes the app there, status has nothing to do", async () => {
        const { project, entra, exchange } = world;
        const printed: string[] = [];
        const code = newStack(
            ["new", "fabrikam-own", "--tenant", customerTenant, "--organization", customerDomain, "--mailbox", `${edi}:imap,smtp`],
            project.dir,
            (line) => printed.push(line),
            (line) => printed.push(line),
        );
        assert.strictEqual(code, 0, printed.join("\n"));
        project.ok(["stack", "init", "fabrikam-own"]);
        // The stand-in's address and this machine's PowerShell (CI installs it off PATH): what a real tenant and a
        // machine with pwsh on PATH do not need.
        const file = path.join(project.dir, "Pulumi.fabrikam-own.yaml");
        const document = parseDocument(fs.readFileSync(file, "utf8"));
        document.setIn(["config", "azuread:metadataHost"], metadataHost());
        document.setIn(["config", `${configNamespace}:exchange`, "pwsh"], findPwsh());
        fs.writeFileSync(file, document.toString());
        project.ok(["up", "--yes", "--stack", "fabrikam-own"], world.customerEnv);

        const out = project.stackOutputs("fabrikam-own");
        const provider = project.stackOutputs("provider");
        assert.notStrictEqual(out.clientId, provider.clientId, "an app of its own");
        assert.ok(
            entra.tenant(customerTenant).applications.some((app) => app.appId === out.clientId),
            "registered in the customer's tenant",
        );
        const identity = exchange.servicePrincipalIdentity(out.clientId);
        assert.ok(exchange.mailboxState(edi).permissions.some((p) => p.User === identity && p.AccessRights.includes("FullAccess")));
        assert.ok(await entra.signsIn(out.clientId, out.clientSecret, customerTenant));
        const status = spawnSync(process.execPath, [statusScript, "--stack", "fabrikam-own", "--format", "json"], {
            cwd: project.root,
            env: project.env,
            encoding: "utf8",
        });
        assert.strictEqual(status.status, 0, status.stdout + status.stderr);
        assert.deepStrictEqual(JSON.parse(status.stdout).stacks[0].actions, []);
        project.ok(["destroy", "--yes", "--stack", "fabrikam-own"], world.customerEnv);
        assert.ok(!exchange.mailboxState(edi).permissions.some((p) => p.User === identity), "its grants revoked");
    });
});
