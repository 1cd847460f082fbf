/**
 * The closed loop of issue #14's scenario 7, on the stand-ins: Entra ID as the azuread provider leaves it (made
 * through the stand-in's Graph with the provider's calls), the Exchange step under real PowerShell against the
 * stand-in Exchange Online, and `npm run verify` logging in to Dovecot with a token the stand-in Entra ID issued
 * for that app. Dovecot's lab grants a mailbox only where the stand-in Exchange Online holds the grant, and takes
 * the token only if it carries the protocol's role. After removal the same verify fails and says why.
 * test/e2e/stack.test.ts runs the same loop driven by the real engine, with the project's program.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as tls from "tls";
import { saslXoauth2 } from "../../tools/verify";
import { planAccess } from "../../plan/accessPlan";
import { MailLab, requireDovecot } from "../fixtures/mailLab";
import { provisionAsProvider, ProvisionedApp, removeAsProvider, deployerGraph } from "../fixtures/entra/asProvider";
import { StandInClient } from "../fixtures/entra/graphClient";
import { StandInEntra } from "../fixtures/entra/standInEntra";
import { exchangeOnline } from "../../facts/microsoft";
import { labGrants, ok, tenantsOf } from "../scripts/scenarioHelpers";
import { commandInputs, mailbox, tenantId } from "../scripts/standInTenant";
import { assertLoggedInEverywhere, result, verifyRunner } from "./verifyRun";

const edi = "edi@contoso.com";
const archive = "archive@contoso.com";
const mailboxes = [
    { address: edi, protocols: ["imap", "pop", "smtp"] as const },
    { address: archive, protocols: ["imap"] as const },
].map((m) => ({ address: m.address, protocols: [...m.protocols] }));

/** A SASL continuation ("+" or "+ data"), not "+OK". */
const continuation = /^\+( |$)/;

/** A POP3 AUTH XOAUTH2 straight to the lab (no pre-check of the token's roles, as verify has): the server's answer. */
function popLogin(lab: MailLab, user: string, token: string): Promise<string> {
    return new Promise((resolve, reject) => {
        const socket = tls.connect({ host: "127.0.0.2", port: lab.popPort, ca: [fs.readFileSync(lab.caFile)], servername: "localhost" });
        const lines: string[] = [];
        let buffer = "";
        socket.setEncoding("utf8");
        socket.on("data", (chunk: string) => {
            buffer += chunk;
            for (let index = buffer.indexOf("\r\n"); index >= 0; index = buffer.indexOf("\r\n")) {
                const line = buffer.slice(0, index);
                buffer = buffer.slice(index + 2);
                lines.push(line);
                if (lines.length === 1) socket.write("AUTH XOAUTH2\r\n");
                else if (lines.length === 2 && continuation.test(line)) socket.write(`${saslXoauth2(user, token)}\r\n`);
                // XOAUTH2 reports a failure as a challenge first (RFC 7628's error JSON); the client answers it empty.
                else if (continuation.test(line)) socket.write("\r\n");
                else {
                    socket.end("QUIT\r\n");
                    resolve(line);
                }
            }
        });
        socket.on("error", reject);
    });
}

describe("closed loop: stand-in Entra ID, the Exchange step under PowerShell, verify against Dovecot", function () {
    this.timeout(180_000);
    const { setUp } = tenantsOf(this);
    const { tenant, command } = setUp({ mailboxes: { [edi]: mailbox(edi), [archive]: mailbox(archive), ["other@contoso.com"]: mailbox("other@contoso.com") } });
    const lab = new MailLab({ tenant: tenantId, clients: {}, grants: [] });
    let entra: StandInEntra;
    let client: StandInClient;
    let app: ProvisionedApp;

    before(async function () {
        requireDovecot(this);
        await lab.start();
        entra = new StandInEntra({
            stateFile: path.join(lab.dir, "entra", "tenant.json"),
            tenantId,
            deployer: { clientId: "dddddddd-0000-4000-8000-00000000000d", clientSecret: "deployer~secret" },
            tls: lab.tls,
        });
        await entra.start();
        lab.useEntra(entra);
        await lab.startDovecot();
        client = new StandInClient(lab.caFile);
    });
    after(async () => {
        await entra?.stop();
        await lab.stop();
    });

    it("logs in where both stand-ins hold the access, and fails saying why where either does not", async function () {
        const plan = planAccess({ displayName: "Mail OAuth (loop)", exchange: { smtpAuthorization: "mailboxPermission" }, mailboxes, smtpAuth: "mailbox" });
        app = await provisionAsProvider(entra, client, plan, "Mail OAuth (loop)");
        // The Exchange stand-in learns the service principal from Entra, as Exchange Online does.
        tenant.update((state) => (state.entra = { [app.servicePrincipalId]: { appId: app.appId, pendingAttempts: 0 } }));
        ok(command.up(commandInputs({ mailboxes, appId: app.appId, servicePrincipalObjectId: app.servicePrincipalId })));
        lab.setGrants(labGrants(tenant, tenant.servicePrincipalIdentity(app.appId)));

        const runVerify = verifyRunner(tenantId, app.secret);
        const passed = await runVerify(lab, ["--client-id", app.appId, "--mailbox", `${edi}:imap,pop,smtp`, "--mailbox", `${archive}:imap`]);
        assertLoggedInEverywhere(passed, mailboxes);
        assert.ok(!(passed.stdout + passed.stderr).includes(app.secret));
        assert.ok(
            entra.requests.some((r) => r.method === "POST" && r.path === `/${tenantId}/oauth2/v2.0/token` && r.status === 200),
            "the token came from the stand-in",
        );

        // Exchange holds no POP for archive (its plan is IMAP only): the lab refuses, verify points at the grant.
        const notGranted = await runVerify(lab, ["--client-id", app.appId, "--mailbox", `${archive}:pop`]);
        assert.notStrictEqual(notGranted.code, 0);
        assert.strictEqual(result(notGranted, "pop", archive).ok, false);

        // Consent for POP withdrawn in Entra: the token lacks the role, verify says so before touching the server.
        const graph = await deployerGraph(entra, client);
        const exchange = entra.tenant().servicePrincipals.find((sp) => sp.appId === exchangeOnline.appId)!;
        await graph("DELETE", `servicePrincipals/${exchange.id}/appRoleAssignedTo/${app.assignmentIds["POP.AccessAsApp"]}`, undefined, 204);
        delete app.assignmentIds["POP.AccessAsApp"];
        const noRole = await runVerify(lab, ["--client-id", app.appId, "--mailbox", `${edi}:imap,pop`]);
        assert.strictEqual(result(noRole, "imap", edi).ok, true);
        assert.strictEqual(result(noRole, "pop", edi).ok, false);
        assert.match(result(noRole, "pop", edi).fix ?? result(noRole, "pop", edi).detail, /POP\.AccessAsApp/);
        // The server refuses such a token too, though Exchange still grants POP: Exchange checks the role itself.
        const roleless = await client.token(
            `${entra.authority}/${tenantId}/oauth2/v2.0/token`,
            app.appId,
            app.secret,
            "https://outlook.office365.com/.default",
        );
        assert.match(await popLogin(lab, edi, roleless.body.access_token), /^-ERR/);
        assert.ok(labGrants(tenant, tenant.servicePrincipalIdentity(app.appId)).some((g) => g.service === "pop3" && g.user === edi));

        // Destroy: the Exchange step's removal, then the provider's deletes. Nothing of the app is left in either.
        const identity = tenant.servicePrincipalIdentity(app.appId);
        const removal = command.destroy();
        assert.strictEqual(removal.code, 0, removal.stderr);
        await removeAsProvider(entra, client, app);
        assert.deepStrictEqual(labGrants(tenant, identity), [], "no grant of the app is left in Exchange");
        lab.setGrants(labGrants(tenant, identity));
        assert.strictEqual(tenant.servicePrincipalIdentity(app.appId), undefined);
        assert.ok(!entra.tenant().applications.some((a) => a.appId === app.appId));
        assert.ok(!fs.readFileSync(entra.options.stateFile, "utf8").includes(app.secret), "the tenant file holds no secret");
        const after = await runVerify(lab, ["--client-id", app.appId, "--mailbox", `${edi}:imap`]);
        assert.notStrictEqual(after.code, 0);
        const token = result(after, "token");
        assert.strictEqual(token.ok, false);
        assert.match(token.detail, /AADSTS700016/);
    });
});
