/**
 * The project's own program (index.ts, unchanged) under the real Pulumi CLI: issue #14's scenarios 1-7 against the
 * stand-in Entra ID (its own process, reached through azuread:metadataHost) and the stand-in Exchange Online module
 * under pwsh, asserting on the stand-ins' final state, on stack outputs and on `pulumi preview --json`. The providers
 * are the real plugins where M365_PROVIDER_PLUGINS names them, else the substitutes (test/e2e/providers.ts); each
 * suite prints which.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { changedSteps, StateResource, urnName } from "./engine";
import { added, archive, bystander, edi, failing, Mailboxes, onStandIns } from "./standInWorld";
import { organization, tenantId } from "../scripts/standInTenant";
import { findPwsh } from "../scripts/commandProvider";
import { exchangeOnline } from "../../facts/microsoft";
import { resourceTypes } from "../../facts/project";
import { failureMessage, grantedMailboxes, parseRecordedState } from "../../components/exchangeMailboxAccess/exchangeRecord";
import { MailLab } from "../fixtures/mailLab";
import { makeCertificate } from "../fixtures/certificates";
import { labGrants } from "../scripts/scenarioHelpers";
import { assertLoggedInEverywhere, result, verifyRunner } from "../tools/verifyRun";

const statusScript = path.join(__dirname, "..", "..", "tools", "status.js");

function secretsIn(state: StateResource[]): Record<string, string> {
    return Object.fromEntries(state.filter((r) => r.type === resourceTypes.password).map((r) => [urnName(r.urn), r.outputs.value as string]));
}

describe("the project's program under the real engine: a dev stack's life", function () {
    this.timeout(900_000);
    const { world, config } = onStandIns(this);
    const stack = "dev";
    const first: Mailboxes = [
        { address: edi, protocols: ["imap", "smtp"] },
        { address: archive, protocols: ["pop"] },
    ];
    let existing: { applications: string[]; bystander: string };
    let firstSecret = "";
    const outputs = () => world.project.stackOutputs(stack);
    const grantsOn = (address: string, identity: string | undefined) => {
        const box = world.exchange.mailboxState(address);
        return {
            fullAccess: box.permissions.some((p) => p.User === identity && p.AccessRights.includes("FullAccess")),
            sendAs: box.sendAs.some((s) => s.Trustee === identity),
        };
    };
    const exchangeRoles = (servicePrincipalId: string) => {
        const tenant = world.entra.tenant();
        const resource = tenant.servicePrincipals.find((s) => s.appId === exchangeOnline.appId)!;
        return tenant.appRoleAssignments
            .filter((a) => a.principalId === servicePrincipalId && a.resourceId === resource.id)
            .map((a) => a.appRoleId)
            .sort();
    };

    it("scenario 1: pulumi up from nothing creates the app, service principal, consent, secret and Exchange grants; outputs as documented", async () => {
        const { project, entra, exchange } = world;
        project.initStack(stack, config(first));
        existing = { applications: entra.tenant().applications.map((a) => a.id), bystander: JSON.stringify(exchange.mailboxState(bystander)) };
        const up = project.pulumi(["up", "--yes", "--stack", stack]);
        assert.strictEqual(up.code, 0, up.output);

        const out = outputs();
        firstSecret = out.clientSecret;
        const app = entra.tenant().applications.find((a) => a.appId === out.clientId);
        assert.ok(app, `the stand-in holds the app ${out.clientId}`);
        assert.strictEqual(app.displayName, "Mail OAuth (e2e)");
        const sp = entra.tenant().servicePrincipals.find((s) => s.appId === out.clientId)!;
        assert.strictEqual(out.servicePrincipalObjectId, sp.id);
        assert.strictEqual(out.tenantId, tenantId);
        assert.deepStrictEqual(exchangeRoles(sp.id), Object.values(exchangeOnline.appRoles).sort(), "consent to exactly the three protocols' roles");
        assert.strictEqual(app.passwordCredentials.length, 1, "one secret");
        assert.ok(await entra.signsIn(out.clientId, out.clientSecret), "the output secret gets a token");
        assert.deepStrictEqual(Object.keys(out).sort(), [
            "clientId",
            "clientSecret",
            "clientSecretExpiresAt",
            "clientSecretKeyId",
            "exchangeMailboxesGranted",
            "imap",
            "mailboxes",
            "pop",
            "scope",
            "secretRotation",
            "servicePrincipalObjectId",
            "smtp",
            "smtpAuthorization",
            "tenantId",
            "tokenUrl",
        ]);
        assert.deepStrictEqual([...out.exchangeMailboxesGranted].sort(), [archive, edi]);

        const identity = exchange.servicePrincipalIdentity(out.clientId);
        assert.ok(identity, "New-ServicePrincipal registered the app in Exchange Online");
        assert.deepStrictEqual(grantsOn(edi, identity), { fullAccess: true, sendAs: true });
        assert.deepStrictEqual(grantsOn(archive, identity), { fullAccess: true, sendAs: false });
        assert.strictEqual(exchange.mailboxState(archive).PopEnabled, true);
        assert.strictEqual(JSON.stringify(exchange.mailboxState(bystander)), existing.bystander, "a mailbox not in the config is untouched");

        assert.strictEqual(secretsIn(project.resources(stack))["mail-app-secret-a"], out.clientSecret);
        assert.ok(!JSON.stringify(project.exportedState(stack)).includes(out.clientSecret), "the secret is encrypted in the state");
        assert.ok(!up.output.includes(out.clientSecret), "nor printed by the update");
    });

    it("scenario 1: a preview right after finds nothing to change (--expect-no-changes)", () => {
        const preview = world.project.pulumi(["preview", "--stack", stack, "--expect-no-changes"]);
        assert.strictEqual(preview.code, 0, preview.output);
    });

    it("scenario 6: the program passes the policy pack; smtpAuth organization is refused without the stack's tag and allowed with it", () => {
        const { project } = world;
        const pack = path.join(project.root, "policy");
        const passed = project.pulumi(["preview", "--stack", stack, "--policy-pack", pack]);
        assert.strictEqual(passed.code, 0, passed.output);
        assert.doesNotMatch(passed.output, /mandatory/);

        project.writeConfig(stack, config(first, { "m365-mail-oauth:smtpAuth": "organization" }));
        const refused = project.pulumi(["preview", "--stack", stack, "--policy-pack", pack]);
        assert.notStrictEqual(refused.code, 0, "a mandatory violation fails the preview");
        assert.match(refused.output, /organization-smtp-auth-only-where-allowed/);
        assert.match(refused.output, /pulumi stack tag set m365-mail-oauth:allowOrganizationSmtpAuth true/);

        project.ok(["stack", "tag", "set", "m365-mail-oauth:allowOrganizationSmtpAuth", "true", "--stack", stack]);
        const allowed = project.pulumi(["preview", "--stack", stack, "--policy-pack", pack]);
        assert.strictEqual(allowed.code, 0, allowed.output);
        assert.match(allowed.output, /organization-smtp-auth-advisory/, "the advisory still warns");
    });

    it("scenario 2: rename, new lifetime, added mailbox, dropped protocol, smtpAuth organization: no secret replaced, the old secret still signs in", async () => {
        const { project, entra, exchange } = world;
        const before = outputs();
        project.writeConfig(
            stack,
            config(
                [
                    { address: edi, protocols: ["imap"] },
                    { address: archive, protocols: ["imap"] },
                    { address: added, protocols: ["smtp"] },
                ],
                {
                    "m365-mail-oauth:displayName": "Mail OAuth (e2e, renamed)",
                    "m365-mail-oauth:secretLifetimeDays": 60,
                    "m365-mail-oauth:smtpAuth": "organization",
                },
            ),
        );
        const preview = project.previewJson(stack);
        assert.strictEqual(preview.code, 0, preview.output);
        const steps = changedSteps(preview.steps);
        assert.deepStrictEqual(
            steps.filter((step) => /secret/.test(step)),
            [],
            "no secret, expiry or rotation guard changes",
        );
        assert.ok(steps.includes("delete mail-app-POP.AccessAsApp"), steps.join("\n"));
        assert.ok(steps.includes("update mail-app") && steps.includes("update exchange"), steps.join("\n"));

        const up = project.pulumi(["up", "--yes", "--stack", stack]);
        assert.strictEqual(up.code, 0, up.output);
        const after = outputs();
        assert.strictEqual(after.clientSecret, before.clientSecret, "the same secret");
        assert.strictEqual(after.clientSecretExpiresAt, before.clientSecretExpiresAt, "its end date fixed at creation");
        assert.ok(await entra.signsIn(after.clientId, firstSecret), "the old secret still gets a token");
        assert.strictEqual(entra.tenant().applications.find((a) => a.appId === after.clientId)!.displayName, "Mail OAuth (e2e, renamed)");
        assert.deepStrictEqual(
            exchangeRoles(after.servicePrincipalObjectId),
            [exchangeOnline.appRoles["IMAP.AccessAsApp"], exchangeOnline.appRoles["SMTP.SendAsApp"]].sort(),
            "the POP consent is withdrawn",
        );
        const identity = exchange.servicePrincipalIdentity(after.clientId);
        assert.deepStrictEqual(grantsOn(edi, identity), { fullAccess: true, sendAs: false }, "SendAs goes with SMTP");
        assert.deepStrictEqual(grantsOn(added, identity), { fullAccess: true, sendAs: true });
        assert.strictEqual(exchange.mailboxState(archive).PopEnabled, false, "POP put back as it was");
        assert.strictEqual(exchange.read().organization.smtpClientAuthenticationDisabled, false, "SMTP AUTH on for the organization");
        assert.deepStrictEqual([...after.exchangeMailboxesGranted].sort(), [archive, edi, added].sort());
    });

    it("scenario 5: a failing mailbox fails the update naming it, the state keeps the record, the next up (with a new reconcileRun) repairs it", () => {
        const { project, exchange } = world;
        const mailboxes: Mailboxes = [
            { address: edi, protocols: ["imap"] },
            { address: archive, protocols: ["imap"] },
            { address: added, protocols: ["smtp"] },
            { address: failing, protocols: ["imap"] },
        ];
        const settings = { "m365-mail-oauth:displayName": "Mail OAuth (e2e, renamed)", "m365-mail-oauth:smtpAuth": "organization" };
        project.writeConfig(stack, config(mailboxes, settings));
        exchange.update((state) => (state.faults = [{ cmdlet: "Add-MailboxPermission", identity: failing, kind: "denied" }]));
        const failed = project.pulumi(["up", "--yes", "--stack", stack]);
        assert.notStrictEqual(failed.code, 0, failed.output);
        assert.match(failed.output, new RegExp(failing.replace(".", "\\.")));
        const command = project.resources(stack).find((r) => r.type === resourceTypes.command);
        assert.ok(command, "the Exchange step is still in the state");
        const record = parseRecordedState(String(command.outputs.stdout));
        assert.deepStrictEqual(grantedMailboxes(record).sort(), [archive, edi, added].sort(), "with the record of what it holds");
        assert.match(failureMessage(record) ?? "", new RegExp(failing.replace(".", "\\.")), "and of what failed");
        const identity = exchange.servicePrincipalIdentity(outputs().clientId);
        assert.strictEqual(grantsOn(failing, identity).fullAccess, false);

        // With the config unchanged the engine does not run the command again (its last run exited 0 to keep its
        // record): the failure says to set a new reconcileRun label, and the next up with it repairs the mailbox.
        assert.match(failed.output, /exchange\.reconcileRun/);
        exchange.update((state) => (state.faults = []));
        const exchangeBlock = { organization, auth: "interactive", pwsh: findPwsh(), reconcileRun: "retry-1" };
        project.writeConfig(stack, config(mailboxes, { ...settings, "m365-mail-oauth:exchange": exchangeBlock }));
        const repaired = project.pulumi(["up", "--yes", "--stack", stack]);
        assert.strictEqual(repaired.code, 0, repaired.output);
        assert.strictEqual(grantsOn(failing, identity).fullAccess, true);
        assert.ok(outputs().exchangeMailboxesGranted.includes(failing));
    });

    it("defect 4: renaming the Exchange component with an alias for its old name keeps the command (without one it would be deleted and made anew)", () => {
        const { project, exchange } = world;
        const index = path.join(project.root, "index.ts");
        const source = fs.readFileSync(index, "utf8");
        const renamed = source.replace(/new ExchangeMailboxAccess\(\s*"exchange",/, 'new ExchangeMailboxAccess(\n"exchange-online",');
        assert.notStrictEqual(renamed, source, "the program declares the component as expected");
        fs.writeFileSync(index, renamed);
        const unaliased = changedSteps(project.previewJson(stack).steps);
        assert.ok(unaliased.includes("delete exchange") && unaliased.includes("create exchange-online"), unaliased.join("\n"));

        const aliased = renamed.replace("{ dependsOn: app.consent }", '{ dependsOn: app.consent, aliases: [{ name: "exchange" }] }');
        assert.notStrictEqual(aliased, renamed, "the program declares the component's options as expected");
        fs.writeFileSync(index, aliased);
        const preview = project.previewJson(stack);
        assert.strictEqual(preview.code, 0, preview.output);
        assert.deepStrictEqual(changedSteps(preview.steps), [], "the command is the same resource under its new name");
        exchange.clearLog();
        const up = project.pulumi(["up", "--yes", "--stack", stack]);
        assert.strictEqual(up.code, 0, up.output);
        assert.deepStrictEqual(exchange.calls(), [], "no Exchange step ran: nothing was revoked or granted again");
        assert.ok(project.resources(stack).some((r) => r.type === resourceTypes.command && urnName(r.urn) === "exchange-online"));
    });

    it("scenario 4: pulumi destroy leaves nothing of the stack in either stand-in, and what was there before as it was", () => {
        const { project, entra, exchange } = world;
        const out = outputs();
        const identity = exchange.servicePrincipalIdentity(out.clientId);
        const destroy = project.pulumi(["destroy", "--yes", "--stack", stack]);
        assert.strictEqual(destroy.code, 0, destroy.output);

        const tenant = entra.tenant();
        assert.deepStrictEqual(
            tenant.applications.map((a) => a.id),
            existing.applications,
            "no app of the stack is left, and none that was there before is gone",
        );
        assert.ok(!tenant.servicePrincipals.some((s) => s.appId === out.clientId));
        assert.ok(!tenant.appRoleAssignments.some((a) => a.principalId === out.servicePrincipalObjectId));
        assert.ok(
            tenant.servicePrincipals.some((s) => s.appId === exchangeOnline.appId),
            "Exchange Online's own service principal stays",
        );
        assert.strictEqual(exchange.servicePrincipalIdentity(out.clientId), undefined);
        for (const address of [edi, archive, added, failing]) {
            assert.deepStrictEqual(grantsOn(address, identity), { fullAccess: false, sendAs: false }, `no grant left on ${address}`);
        }
        assert.strictEqual(exchange.read().organization.smtpClientAuthenticationDisabled, true, "SMTP AUTH for the organization put back");
        assert.strictEqual(JSON.stringify(exchange.mailboxState(bystander)), existing.bystander);
        assert.deepStrictEqual(project.resources(stack), []);
    });
});

describe("the project's program under the real engine: a protected prod stack", function () {
    this.timeout(900_000);
    const { world, config } = onStandIns(this);
    const stack = "prod";
    const mailboxes: Mailboxes = [
        { address: edi, protocols: ["imap", "pop", "smtp"] },
        { address: archive, protocols: ["imap"] },
    ];
    /** secretRetiredThrough once the scenario has retired rotation 2's secret: later steps keep it retired. */
    let retiredThrough: Record<string, number> = {};
    const prod = (rotation: number, boxes = mailboxes) =>
        config(boxes, { "m365-mail-oauth:protect": true, "m365-mail-oauth:secretRotation": rotation, ...retiredThrough });

    it("scenario 3: rotations 0 to 3 each make or replace exactly one secret, the previous one signs in until the next; a jump is refused", async () => {
        const { project, entra } = world;
        project.initStack(stack, prod(0));
        const up = project.pulumi(["up", "--yes", "--stack", stack]);
        assert.strictEqual(up.code, 0, up.output);
        for (const rotation of [1, 2, 3]) {
            const before = secretsIn(project.resources(stack));
            project.writeConfig(stack, prod(rotation));
            const preview = project.previewJson(stack);
            assert.strictEqual(preview.code, 0, preview.output);
            const slot = rotation % 2 === 0 ? "a" : "b";
            const secretSteps = changedSteps(preview.steps).filter((step) => /mail-app-secret-[ab]$/.test(step));
            assert.deepStrictEqual(secretSteps, rotation === 1 ? [`create mail-app-secret-${slot}`] : [`replace mail-app-secret-${slot}`]);
            const rotated = project.pulumi(["up", "--yes", "--stack", stack]);
            assert.strictEqual(rotated.code, 0, `rotation ${rotation} under protect: ${rotated.output}`);
            const after = secretsIn(project.resources(stack));
            const clientId = project.stackOutputs(stack).clientId;
            const previous = slot === "a" ? "b" : "a";
            assert.ok(await entra.signsIn(clientId, after[`mail-app-secret-${slot}`]), `rotation ${rotation}: the new secret signs in`);
            assert.ok(await entra.signsIn(clientId, after[`mail-app-secret-${previous}`]), `rotation ${rotation}: the previous one still does`);
            const old = before[`mail-app-secret-${slot}`];
            if (old !== undefined) assert.ok(!(await entra.signsIn(clientId, old)), `rotation ${rotation}: the one two rotations old is removed`);
        }
        // Retiring rotation 2's secret (the previous one) deletes exactly it; rotation 3's keeps signing in.
        const held = secretsIn(project.resources(stack));
        retiredThrough = { "m365-mail-oauth:secretRetiredThrough": 2 };
        project.writeConfig(stack, prod(3));
        const retirement = project.previewJson(stack);
        assert.deepStrictEqual(
            changedSteps(retirement.steps)
                .filter((step) => !step.startsWith("update "))
                .sort(),
            ["delete mail-app-secret-a", "delete mail-app-secret-a-expiry"],
        );
        const retired = project.pulumi(["up", "--yes", "--stack", stack]);
        assert.strictEqual(retired.code, 0, `retirement under protect: ${retired.output}`);
        const clientId = project.stackOutputs(stack).clientId;
        assert.ok(!(await entra.signsIn(clientId, held["mail-app-secret-a"])), "rotation 2's secret no longer signs in");
        assert.ok(await entra.signsIn(clientId, held["mail-app-secret-b"]), "rotation 3's still does");
        assert.strictEqual(entra.tenant().applications.find((app) => app.appId === clientId)!.passwordCredentials.length, 1);

        project.writeConfig(stack, prod(5));
        const jump = project.previewJson(stack);
        assert.notStrictEqual(jump.code, 0);
        assert.match(jump.output, /m365-mail-oauth:secretRotation: 5 skips 1 rotation\(s\) after 3/);
    });

    const fewer: Mailboxes = [
        { address: edi, protocols: ["imap", "smtp"] },
        { address: archive, protocols: ["imap"] },
    ];

    it("scenario 3: dropping a protocol applies under protect", () => {
        const { project, entra } = world;
        project.writeConfig(stack, prod(3, fewer));
        const up = project.pulumi(["up", "--yes", "--stack", stack]);
        assert.strictEqual(up.code, 0, up.output);
        const sp = project.stackOutputs(stack).servicePrincipalObjectId;
        assert.ok(!entra.tenant().appRoleAssignments.some((a) => a.principalId === sp && a.appRoleId === exchangeOnline.appRoles["POP.AccessAsApp"]));
    });

    it("scenario 3: a certificate credential added and then renewed under protect: the renewed one signs in, the old one no longer", async () => {
        const { project, entra } = world;
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "m365-e2e-cert-"));
        const withCertificate = (file: string) =>
            config(fewer, {
                "m365-mail-oauth:protect": true,
                "m365-mail-oauth:secretRotation": 3,
                ...retiredThrough,
                "m365-mail-oauth:credential": "both",
                "m365-mail-oauth:certificate": { publicCertPath: file },
            });
        try {
            const first = makeCertificate(dir, "first", 30);
            project.writeConfig(stack, withCertificate(first));
            const added = project.pulumi(["up", "--yes", "--stack", stack]);
            assert.strictEqual(added.code, 0, added.output);
            const clientId = project.stackOutputs(stack).clientId;
            assert.ok(await entra.signsInWithCertificate(clientId, first, path.join(dir, "first.key.pem")), "the certificate signs in");

            const renewed = makeCertificate(dir, "renewed", 60);
            project.writeConfig(stack, withCertificate(renewed));
            const preview = project.previewJson(stack);
            assert.strictEqual(preview.code, 0, preview.output);
            assert.deepStrictEqual(changedSteps(preview.steps), ["replace mail-app-certificate"], "only the certificate, no secret");
            const up = project.pulumi(["up", "--yes", "--stack", stack]);
            assert.strictEqual(up.code, 0, `renewal under protect: ${up.output}`);
            assert.ok(await entra.signsInWithCertificate(clientId, renewed, path.join(dir, "renewed.key.pem")), "the renewed certificate signs in");
            assert.ok(!(await entra.signsInWithCertificate(clientId, first, path.join(dir, "first.key.pem"))), "the old one is removed");
            assert.strictEqual(entra.tenant().applications.find((a) => a.appId === clientId)!.keyCredentials.length, 1);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("scenario 3: pulumi destroy is refused, with nothing deleted in the state or either stand-in", () => {
        const { project, entra, exchange } = world;
        const state = project.resources(stack).map((r) => r.urn);
        const held = { entra: JSON.stringify(entra.tenant()), exchange: JSON.stringify(exchange.read()) };
        const destroy = project.pulumi(["destroy", "--yes", "--stack", stack]);
        assert.notStrictEqual(destroy.code, 0, "destroy of a protected stack must fail");
        assert.match(destroy.output, /destroy-guard/);
        assert.deepStrictEqual(
            project.resources(stack).map((r) => r.urn),
            state,
            "nothing left the state",
        );
        assert.strictEqual(JSON.stringify(entra.tenant()), held.entra, "nothing changed in the stand-in Entra ID");
        assert.strictEqual(JSON.stringify(exchange.read()), held.exchange, "nor in Exchange Online");
    });
});

describe("the project's program under the real engine: the closed loop to a mail login (scenario 7)", function () {
    this.timeout(900_000);
    const lab = new MailLab({ tenant: tenantId, clients: {}, grants: [] });
    const { world, config } = onStandIns(this, lab);
    const stack = "dev";
    const mailboxes: Mailboxes = [
        { address: edi, protocols: ["imap", "pop", "smtp"] },
        { address: archive, protocols: ["imap"] },
    ];
    // `npm run verify -- --stack dev` as a user runs it in the project: it reads the stack's outputs with `pulumi`.
    const verifyStack = () => verifyRunner(tenantId, "")(lab, ["--stack", stack], world.project.env, world.project.dir);

    it("after up, verify --stack logs in over IMAP, POP3 and SMTP with the stand-in's token, where Exchange holds the grant", async () => {
        const { project, exchange, entra } = world;
        project.initStack(stack, config(mailboxes));
        const up = project.pulumi(["up", "--yes", "--stack", stack]);
        assert.strictEqual(up.code, 0, up.output);
        const clientId = project.stackOutputs(stack).clientId;
        // Dovecot's lab lets in only what the stand-in Exchange Online holds for the app the stack made.
        lab.setGrants(labGrants(exchange, exchange.servicePrincipalIdentity(clientId)));

        const passed = await verifyStack();
        assertLoggedInEverywhere(passed, mailboxes);
        assert.ok(
            entra.requests().some((r) => r.method === "POST" && r.path === `/${tenantId}/oauth2/v2.0/token` && r.status === 200),
            "the token came from the stand-in",
        );
        const secret = project.stackOutputs(stack).clientSecret;
        assert.ok(!(passed.stdout + passed.stderr).includes(secret), "verify never prints the secret");
    });

    it("npm run status reads the state the CLI wrote: nothing to do after up and verify; a config edit not yet deployed is deploy", () => {
        const { project } = world;
        // As a user runs it in the project (the compiled command, the project's backend from the environment).
        const status = (...args: string[]) => {
            const run = spawnSync(process.execPath, [statusScript, "--stack", stack, ...args], { cwd: project.root, env: project.env, encoding: "utf8" });
            return { code: run.status, stdout: run.stdout, output: `${run.stdout}\n${run.stderr}` };
        };
        const clean = status("--format", "json");
        assert.strictEqual(clean.code, 0, clean.output);
        const [dev] = JSON.parse(clean.stdout).stacks;
        assert.strictEqual(dev.state, "deployed");
        assert.deepStrictEqual(dev.actions, [], clean.stdout);
        assert.strictEqual(dev.secret.rotation, 0);
        assert.ok(Math.abs(Date.parse(dev.secret.createdAt) - Date.now()) < 3_600_000, `the secret was made by this up: ${dev.secret.createdAt}`);
        assert.strictEqual(dev.secret.expiresAt, project.stackOutputs(stack).clientSecretExpiresAt);
        assert.ok(dev.secret.daysLeft >= 89 && dev.secret.daysLeft <= 90, `a 90-day secret made today: ${dev.secret.daysLeft}`);
        assert.deepStrictEqual(dev.mailboxes, { configured: 2, granted: 2, failed: 0 });
        assert.deepStrictEqual(dev.configChanges, [], "the stack file's config is what the update recorded");
        assert.strictEqual(dev.lastUpdate.kind, "update");
        assert.strictEqual(dev.lastUpdate.result, "succeeded");
        assert.ok(dev.exchange.lastRun, "the Exchange command's last run, from the state");
        assert.deepStrictEqual([dev.verify.ok, dev.verify.secretRotation, dev.verify.stale], [true, 0, false], "verify --stack recorded its pass");

        project.writeConfig(stack, config(mailboxes, { "m365-mail-oauth:secretWarnDays": 10 }));
        const edited = status();
        assert.strictEqual(edited.code, 1, edited.output);
        assert.match(edited.stdout, /^dev: deploy: the config changed since the last update .*: m365-mail-oauth:secretWarnDays\. Fix: /m);
        project.writeConfig(stack, config(mailboxes));
    });

    it("after destroy, the same verify fails at the token and says why", async () => {
        const { project, exchange } = world;
        const outputs = project.stackOutputs(stack);
        const clientId = outputs.clientId;
        const identity = exchange.servicePrincipalIdentity(clientId);
        const destroy = project.pulumi(["destroy", "--yes", "--stack", stack]);
        assert.strictEqual(destroy.code, 0, destroy.output);
        assert.deepStrictEqual(labGrants(exchange, identity), [], "no grant of the app is left in Exchange");
        lab.setGrants(labGrants(exchange, identity));
        // The stack's outputs are gone with it: verify takes the last ones, as a user who kept them would.
        const failed = await verifyRunner(tenantId, outputs.clientSecret)(lab, ["--client-id", clientId, "--mailbox", `${edi}:imap`]);
        assert.notStrictEqual(failed.code, 0);
        const token = result(failed, "token");
        assert.strictEqual(token.ok, false);
        assert.match(token.detail, /AADSTS700016/);
        assert.match(token.fix ?? "", /client ID is not an app in this tenant/);
    });
});
