/**
 * `npm run adopt` under the real Pulumi CLI (issue #29, part 1): a tenant made by hand as the i-net PDFC guide and
 * as the eBiss guide leave it (their readers' mistakes included: SMTP AUTH on for the whole organisation, the app
 * registration's object ID given to New-ServicePrincipal), adopted into a stack, `pulumi import --file`, a preview
 * that replaces neither the app nor its enterprise application, `pulumi up`: the hand-made secret still signs in,
 * and so does the stack's own; `legacySecretsRetired` then retires the hand-made secret (the stack's still signs
 * in); destroy leaves the grants the stack did not make.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { added, archive, edi, onStandIns } from "./standInWorld";
import { MailLab } from "../fixtures/mailLab";
import { labGrants } from "../scripts/scenarioHelpers";
import { assertLoggedInEverywhere, verifyRunner } from "../tools/verifyRun";
import { organization, tenantId } from "../scripts/standInTenant";
import { findPwsh } from "../scripts/commandProvider";
import { projectRoot } from "../../facts/projectRoot";
import { configNamespace, resourceTypes } from "../../facts/project";
import { ebissPortal, guidePowerShell, HandMadeApp, pdfcPortal } from "../tools/handMadeSetups";

/** The steps the adoption suites share, in one suite's world of stand-ins. */
function adoptionSteps(world: World) {
    /** Runs the compiled `npm run adopt` in the project, signed in as the deployer (ARM_*), as a user runs it. */
    const adoptCli = (args: string[]) =>
        spawnSync(process.execPath, [path.join(projectRoot(), "bin", "tools", "adopt.js"), ...args], {
            cwd: world.project.dir,
            env: { ...world.project.env, ARM_TENANT_ID: tenantId },
            encoding: "utf8",
        });

    /** The stack file before adopt: where the tenant is and how Exchange is signed in to (as `pulumi config set` leaves it). */
    const prepare = (stack: string) =>
        world.project.initStack(stack, {
            "azuread:tenantId": tenantId,
            "azuread:metadataHost": new URL(world.entra.env.M365_STANDIN_TOKEN_URL).host,
            [`${configNamespace}:exchange`]: { organization, auth: "interactive", pwsh: findPwsh() },
        });

    /** adopt, import, preview, up: the checks both guides' tenants share. */
    async function adoptAndUpdate(stack: string, app: HandMadeApp, extra: string[] = []): Promise<string> {
        const { project, entra } = world;
        prepare(stack);
        const adopted = adoptCli(["--stack", stack, "--client-id", app.appId, ...extra]);
        assert.strictEqual(adopted.status, 0, `${adopted.stdout}\n${adopted.stderr}`);
        assert.ok(!`${adopted.stdout}${adopted.stderr}`.includes(app.secret), "the hand-made secret is never printed");
        assert.match(adopted.stdout, new RegExp(`legacy credential .*password .*key ID ${app.secretKeyId}`));

        const imported = project.pulumi(["import", "--file", `${stack}-import.json`, "--yes", "--stack", stack, "--protect=false", "--generate-code=false"]);
        assert.strictEqual(imported.code, 0, imported.output);
        const preview = project.previewJson(stack);
        assert.strictEqual(preview.code, 0, preview.output);
        for (const type of [resourceTypes.application, resourceTypes.servicePrincipal, resourceTypes.appRoleAssignment]) {
            // Unchanged objects ("same") are not listed; an update of the imported object's inputs may be.
            const ops = preview.steps.filter((step) => step.type === type).map((step) => step.op);
            assert.ok(
                ops.every((op) => op !== "create" && op !== "replace" && op !== "delete"),
                `${type}: ${ops.join(", ")} (the one made by hand is kept)`,
            );
        }
        project.ok(["up", "--yes", "--stack", stack]);
        assert.deepStrictEqual(
            entra
                .tenant()
                .applications.filter((a) => a.appId === app.appId)
                .map((a) => a.id),
            [app.objectId],
            "the same app, no second one",
        );
        assert.ok(await entra.signsIn(app.appId, app.secret), "the mail client's hand-made secret still signs in");
        assert.ok(await entra.signsIn(app.appId, project.stackOutputs(stack).clientSecret), "the stack's own secret signs in");
        return adopted.stdout;
    }

    /**
     * The mail client has moved to the stack's secret: the config adopt printed retires the hand-made one. The
     * preview shows the retirement; up removes it (it no longer signs in, the stack's still does); again: no change.
     */
    async function retireLegacySecret(stack: string, app: HandMadeApp, adoptOutput: string): Promise<void> {
        const { project, entra } = world;
        const advice = `pulumi config set --plaintext --path '${configNamespace}:legacySecretsRetired[0]' ${app.secretKeyId.toLowerCase()} --stack ${stack}`;
        assert.ok(adoptOutput.includes(advice), `adopt prints the config that retires the legacy secret:\n${adoptOutput}`);
        const setLegacy = (keyId: string) =>
            project.ok(["config", "set", "--plaintext", "--path", `${configNamespace}:legacySecretsRetired[0]`, keyId, "--stack", stack]);
        setLegacy(project.stackOutputs(stack).clientSecretKeyId);
        const own = project.pulumi(["preview", "--stack", stack]);
        assert.notStrictEqual(own.code, 0, own.output);
        assert.match(own.output, /legacySecretsRetired names [0-9a-f-]{36}, one of this stack's own client secrets.*secretRetiredThrough/);
        setLegacy(app.secretKeyId);
        const preview = project.previewJson(stack);
        assert.strictEqual(preview.code, 0, preview.output);
        assert.deepStrictEqual(
            preview.steps.filter((step) => step.type === resourceTypes.legacySecretRetirement).map((step) => `${step.op} ${step.urn.split("::").pop()}`),
            [`create mail-app-legacy-secret-${app.secretKeyId}`],
        );
        assert.ok(await entra.signsIn(app.appId, app.secret), "a preview retires nothing");
        project.ok(["up", "--yes", "--stack", stack]);
        assert.ok(!(await entra.signsIn(app.appId, app.secret)), "the hand-made secret no longer signs in");
        assert.ok(await entra.signsIn(app.appId, project.stackOutputs(stack).clientSecret), "the stack's own secret still signs in");
        assert.ok(
            !JSON.stringify(project.exportedState(stack)).includes(world.entra.env.M365_STANDIN_CLIENT_SECRET!),
            "the deployer's secret is not in the state",
        );
        const again = project.pulumi(["up", "--yes", "--expect-no-changes", "--stack", stack]);
        assert.strictEqual(again.code, 0, again.output);
    }

    return { adoptAndUpdate, retireLegacySecret };
}

type World = ReturnType<typeof onStandIns>["world"];

describe("npm run adopt: a setup made by hand by a guide, imported and updated by the stack", function () {
    this.timeout(900_000);
    const { world } = onStandIns(this);
    const { adoptAndUpdate, retireLegacySecret } = adoptionSteps(world);

    it("the i-net PDFC guide's tenant (FullAccess, SMTP AUTH on for the organisation): adopt, import, preview, up, retire the hand-made secret; destroy leaves the hand-made FullAccess", async () => {
        const { project, exchange, entra } = world;
        const app = await pdfcPortal(entra.admin, "i-net PDFC (by hand)");
        const identity = guidePowerShell(exchange, app, [edi], { smtpAuthOrganizationWide: true });
        const stdout = await adoptAndUpdate("pdfc", app);
        assert.match(stdout, /SMTP AUTH is enabled for the whole organisation/);
        const held = () => exchange.mailboxState(edi).permissions.filter((entry) => entry.User === identity && entry.AccessRights.includes("FullAccess"));
        assert.strictEqual(held().length, 1);
        await retireLegacySecret("pdfc", app, stdout);
        project.ok(["destroy", "--yes", "--stack", "pdfc"]);
        assert.strictEqual(held().length, 1, "the FullAccess made by hand stays: the stack did not make it");
        assert.strictEqual(exchange.read().organization.smtpClientAuthenticationDisabled, false, "SMTP AUTH as the guide left it");
    });

    it("with --take-ownership the grants found count as the stack's: the hand-made secret retired, destroy removes the hand-made FullAccess, and leaves what the stack never took (organisation-wide SMTP AUTH)", async () => {
        const { project, exchange, entra } = world;
        const app = await pdfcPortal(entra.admin, "i-net PDFC (taken over)");
        const identity = guidePowerShell(exchange, app, [added], { smtpAuthOrganizationWide: true });
        const stdout = await adoptAndUpdate("taken", app, ["--take-ownership"]);
        assert.match(stdout, /count as the stack's \(exchange\.adoptedGrants\)/);
        const held = () => exchange.mailboxState(added).permissions.filter((entry) => entry.User === identity && entry.AccessRights.includes("FullAccess"));
        assert.strictEqual(held().length, 1, "up kept the grant");
        await retireLegacySecret("taken", app, stdout);
        project.ok(["destroy", "--yes", "--stack", "taken"]);
        assert.strictEqual(held().length, 0, "the adopted FullAccess went with the stack");
        assert.strictEqual(exchange.read().organization.smtpClientAuthenticationDisabled, false);
    });

    it("the eBiss guide's tenant (New-ServicePrincipal given the app registration's object ID, SendAs): adopt names the mistake, and up registers the enterprise application", async () => {
        const { project, exchange, entra } = world;
        const app = await ebissPortal(entra.admin, "eBiss (by hand)");
        guidePowerShell(exchange, app, [archive], { registeredWithAppObjectId: true, sendAs: true, smtpAuthOrganizationWide: true });
        const stdout = await adoptAndUpdate("ebiss", app);
        assert.match(stdout, /registered with the app registration's object ID/);
        const registrations = exchange.read().servicePrincipals.filter((sp) => sp.AppId === app.appId);
        assert.deepStrictEqual(
            registrations.map((sp) => sp.ObjectId),
            [app.servicePrincipalId],
            "Exchange now knows the enterprise application",
        );
        project.ok(["destroy", "--yes", "--stack", "ebiss"]);
    });
});

describe("npm run adopt, then npm run verify: the mail client logs in on its hand-made secret, then on the stack's, and only on the stack's once the hand-made one is retired", function () {
    this.timeout(900_000);
    // Dovecot checks the stand-in's tokens and the grants the stand-in Exchange Online holds (test/fixtures/mailLab.ts).
    const lab = new MailLab({ tenant: tenantId, clients: {}, grants: [] });
    const { world } = onStandIns(this, lab);
    const { adoptAndUpdate, retireLegacySecret } = adoptionSteps(world);

    it("the i-net PDFC guide's tenant: verify passes with the legacy secret and with the stack's after up; after the retirement the legacy one fails at the token, the stack's passes", async () => {
        const { project, exchange, entra } = world;
        const app = await pdfcPortal(entra.admin, "i-net PDFC (verified)");
        guidePowerShell(exchange, app, [edi], { smtpAuthOrganizationWide: true });
        const stdout = await adoptAndUpdate("verified", app);
        lab.setGrants(labGrants(exchange, exchange.servicePrincipalIdentity(app.appId)));
        const mailboxes = [{ address: edi, protocols: ["imap", "smtp"] }];
        const verifyWith = (secret: string) => verifyRunner(tenantId, secret)(lab, ["--client-id", app.appId, "--mailbox", `${edi}:imap,smtp`]);
        assertLoggedInEverywhere(await verifyWith(app.secret), mailboxes);
        const stackSecret = project.stackOutputs("verified").clientSecret;
        assertLoggedInEverywhere(await verifyWith(stackSecret), mailboxes);

        await retireLegacySecret("verified", app, stdout);
        const legacy = await verifyWith(app.secret);
        assert.strictEqual(legacy.code, 1, legacy.stdout + legacy.stderr);
        assert.deepStrictEqual(
            legacy.json?.results.map((r) => [r.step, r.ok]),
            [["token", false]],
            "the retired secret gets no token, so no login is tried",
        );
        assert.ok(!(legacy.stdout + legacy.stderr).includes(app.secret), "verify never prints the secret");
        assertLoggedInEverywhere(await verifyWith(stackSecret), mailboxes);
        project.ok(["destroy", "--yes", "--stack", "verified"]);
    });
});
