/**
 * The program against the azuread provider as it really behaves (issue #32; docs/provider-fidelity.md), under the
 * real Pulumi CLI with the stand-in Entra ID: a user-sign-in stack (app, service principal, delegated grant,
 * secret; no Exchange step) whose tenant an administrator changes in the portal between updates.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { edi, onStandIns } from "./standInWorld";
import { exchangeOnline } from "../../facts/microsoft";
import { projectRoot } from "../../facts/projectRoot";
import { resourceTypes } from "../../facts/project";
import { componentTypes, configNamespace, mailApplicationName } from "../../facts/project";
import { deletedItemsNotice } from "../../tools/review/document";

describe("the program against the real provider's behaviour: validation, read-back, drift, soft delete", function () {
    this.timeout(600_000);
    const { world, config } = onStandIns(this);
    const stack = "drift";
    const key = (name: string) => `${configNamespace}:${name}`;
    /** A user-sign-in stack: no mailboxes, so no Exchange step. */
    const settings = (extra: Record<string, unknown> = {}) =>
        config([], {
            [key("mailboxes")]: [],
            [key("exchange")]: undefined,
            [key("userSignIn")]: { redirectUris: ["https://pdfc.contoso.com/oauth"], protocols: ["imap"] },
            ...extra,
        });
    const clean = (values: Record<string, unknown>) => Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined));
    const outputs = () => world.project.stackOutputs(stack);
    const deployerOid = () => world.entra.tenant().servicePrincipals.find((sp) => sp.appId === world.entra.env.M365_STANDIN_CLIENT_ID)!.id;
    const servicePrincipalOf = (clientId: string) => world.entra.tenant().servicePrincipals.find((sp) => sp.appId === clientId)!;

    it("refuses a redirect URI without a path before anything is created, naming the key, the value and what to write", () => {
        const { project, entra } = world;
        project.initStack(stack, clean(settings({ [key("userSignIn")]: { redirectUris: ["https://pdfc.contoso.com"], protocols: ["imap"] } })));
        const before = entra.requests().length;
        const preview = project.pulumi(["preview", "--stack", stack]);
        assert.notStrictEqual(preview.code, 0, preview.output);
        assert.match(
            preview.output,
            /userSignIn\.redirectUris\[0\]: "https:\/\/pdfc\.contoso\.com" has no path segment.*write "https:\/\/pdfc\.contoso\.com\/"/,
        );
        assert.ok(
            !entra
                .requests()
                .slice(before)
                .some((r) => r.method === "POST"),
            "nothing was created in Entra ID",
        );
    });

    it("owners written in upper case deploy, and the next preview is empty (Graph lists them in lower case)", () => {
        const { project, entra } = world;
        project.writeConfig(stack, clean(settings({ [key("owners")]: [deployerOid().toUpperCase()] })));
        project.ok(["up", "--yes", "--stack", stack]);
        const app = entra.tenant().applications.find((a) => a.appId === outputs().clientId)!;
        assert.deepStrictEqual(entra.tenant().owners[app.id], [deployerOid()]);
        // The provider's calls as read from its sources: the create's rename through a temporary name, and the
        // beta read on every read of the app and the service principal.
        const calls = entra.requests().map((r) => `${r.method} ${decodeURIComponent(r.path)}`);
        const created = calls.indexOf("POST /graph/v1.0/applications");
        assert.ok(created >= 0 && calls.slice(created).includes(`PATCH /graph/v1.0/applications/${app.id}`), calls.join("\n"));
        assert.ok(calls.includes(`GET /graph/beta/applications/${app.id}?$select=oauth2RequirePostResponse`));
        assert.ok(calls.some((c) => /^GET \/graph\/beta\/servicePrincipals\/[^?]+\?\$select=samlMetadataUrl$/.test(c)));
        const again = project.pulumi(["preview", "--stack", stack, "--expect-no-changes"]);
        assert.strictEqual(again.code, 0, again.output);
        const refreshed = project.pulumi(["preview", "--refresh", "--stack", stack, "--expect-no-changes"]);
        assert.strictEqual(refreshed.code, 0, `a refresh finds the state as Graph has it:\n${refreshed.output}`);
    });

    it("an enterprise application disabled in the portal shows as drift under --refresh and is re-enabled only by a reviewed update", async () => {
        const { project, entra } = world;
        const { clientId, clientSecret } = outputs();
        assert.ok(await entra.signsIn(clientId, clientSecret));
        const sp = servicePrincipalOf(clientId);
        assert.strictEqual((await entra.admin("PATCH", `servicePrincipals/${sp.id}`, { accountEnabled: false })).status, 204);
        assert.strictEqual(await entra.signsIn(clientId, clientSecret), false, "Entra refuses tokens to a disabled app");

        const stale = project.previewJson(stack);
        assert.ok(!stale.steps.some((s) => s.op === "update"), "without a refresh the state does not know");
        const refreshed = project.previewJson(stack, ["--refresh"]);
        const update = refreshed.steps.find((s) => s.op === "update");
        assert.ok(update, JSON.stringify(refreshed.steps));
        assert.strictEqual(update.type, resourceTypes.servicePrincipal);
        assert.deepStrictEqual(update.diffReasons, ["accountEnabled"], "the reviewer sees what would be re-enabled");

        // The admin's decision kept: declared disabled, the refreshed preview is empty and an update leaves it off.
        project.writeConfig(stack, clean(settings({ [key("owners")]: [deployerOid()], [key("enterpriseApplication")]: { accountEnabled: false } })));
        const kept = project.pulumi(["preview", "--refresh", "--stack", stack, "--expect-no-changes"]);
        assert.strictEqual(kept.code, 0, kept.output);
        project.ok(["up", "--yes", "--refresh", "--stack", stack]);
        assert.strictEqual(servicePrincipalOf(clientId).accountEnabled, false);

        project.writeConfig(stack, clean(settings({ [key("owners")]: [deployerOid()] })));
        project.ok(["up", "--yes", "--refresh", "--stack", stack]);
        assert.strictEqual(servicePrincipalOf(clientId).accountEnabled, true);
        assert.ok(await entra.signsIn(clientId, clientSecret));
    });

    it("a secret deleted in the portal leaves the state at refresh, and the next up makes a new one in its slot", async () => {
        const { project, entra } = world;
        const before = outputs();
        const app = entra.tenant().applications.find((a) => a.appId === before.clientId)!;
        assert.strictEqual((await entra.admin("POST", `applications/${app.id}/removePassword`, { keyId: before.clientSecretKeyId })).status, 204);
        assert.strictEqual(await entra.signsIn(before.clientId, before.clientSecret), false);
        const refresh = project.ok(["refresh", "--yes", "--stack", stack]);
        assert.match(refresh.output, /mail-app-secret-a\s+deleted/, refresh.output);
        project.ok(["up", "--yes", "--stack", stack]);
        const after = outputs();
        assert.notStrictEqual(after.clientSecretKeyId, before.clientSecretKeyId);
        assert.ok(await entra.signsIn(after.clientId, after.clientSecret), "the slot's new secret signs in");
        const tenantApp = entra.tenant().applications.find((a) => a.appId === after.clientId)!;
        assert.deepStrictEqual(
            tenantApp.passwordCredentials.map((c) => c.keyId),
            [after.clientSecretKeyId],
        );
    });

    it("public-client redirect URIs added in the portal show as drift under --refresh, and the next update sends them back to the declared (none)", async () => {
        const { project, entra } = world;
        const app = entra.tenant().applications.find((a) => a.appId === outputs().clientId)!;
        const native = "https://login.microsoftonline.com/common/oauth2/nativeclient";
        assert.strictEqual((await entra.admin("PATCH", `applications/${app.id}`, { publicClient: { redirectUris: [native] } })).status, 204);
        const refreshed = project.previewJson(stack, ["--refresh"]);
        const update = refreshed.steps.find((s) => s.op === "update" && s.type === resourceTypes.application);
        assert.deepStrictEqual(update?.diffReasons, ["publicClient"], JSON.stringify(refreshed.steps));
        project.writeConfig(stack, clean(settings({ [key("owners")]: [deployerOid()], [key("displayName")]: "Mail OAuth (e2e, renamed)" })));
        project.ok(["up", "--yes", "--stack", stack]);
        const after = entra.tenant().applications.find((a) => a.id === app.id)!;
        assert.strictEqual(after.displayName, "Mail OAuth (e2e, renamed)");
        assert.deepStrictEqual((after.publicClient as { redirectUris: string[] }).redirectUris, [], "one broad PATCH: what the program does not declare goes");
    });

    it("destroy leaves the app in Entra's deleted items: its secret no longer signs in, and a restore brings it back", async () => {
        const { project, entra } = world;
        const { clientId, clientSecret } = outputs();
        project.ok(["destroy", "--yes", "--stack", stack]);
        assert.ok(!entra.tenant().applications.some((a) => a.appId === clientId));
        assert.strictEqual(await entra.signsIn(clientId, clientSecret), false);
        const deleted = (await entra.admin("GET", "directory/deletedItems/microsoft.graph.application")).body.value as { id: string; appId: string }[];
        const item = deleted.find((d) => d.appId === clientId);
        assert.ok(item, "the app registration is in deleted items");
        assert.match(deletedItemsNotice, /30 days/);

        assert.strictEqual((await entra.admin("POST", `directory/deletedItems/${item.id}/restore`)).status, 200);
        assert.ok(
            entra.tenant().applications.some((a) => a.appId === clientId),
            "restored with its credentials",
        );
        assert.strictEqual((await entra.admin("DELETE", `applications/${item.id}`)).status, 204);
        assert.strictEqual((await entra.admin("DELETE", `directory/deletedItems/${item.id}`)).status, 204, "and deleted for good");
    });

    it("a create throttled after Entra made the app keeps its ID in the state: no orphan, and the next up finishes it", () => {
        const { project, entra } = world;
        const harsh = "harsh";
        const before = new Set(entra.tenant().applications.map((a) => a.id));
        project.initStack(harsh, clean(settings({ [key("displayName")]: "Mail OAuth (throttled)" })));
        entra.faults({ throttle: [{ count: 1000, retryAfterSeconds: 0, match: "^PATCH /graph/v1\\.0/applications/" }] });
        const failed = project.pulumi(["up", "--yes", "--stack", harsh]);
        assert.notStrictEqual(failed.code, 0, failed.output);
        assert.match(failed.output, /Failed to patch application with object ID/);
        const made = entra.tenant().applications.filter((a) => !before.has(a.id));
        assert.strictEqual(made.length, 1, "Entra holds the one app the POST made");
        const inState = project.resources(harsh).find((r) => r.type === resourceTypes.application);
        assert.strictEqual(inState?.id, `/applications/${made[0].id}`, "and the state knows it (a partially created resource)");

        entra.faults({ clear: true });
        project.ok(["up", "--yes", "--stack", harsh]);
        const after = entra.tenant().applications.filter((a) => !before.has(a.id));
        assert.deepStrictEqual(
            after.map((a) => [a.id, a.displayName]),
            [[made[0].id, "Mail OAuth (throttled)"]],
            "the same app, finished, and no second one",
        );
        project.ok(["destroy", "--yes", "--stack", harsh]);
    });

    it("a first up while Entra replicates: the consent exists but the state lacks it, the next up fails as the real provider's would, npm run repair imports it, then up succeeds", () => {
        const { project, entra } = world;
        const replica = "replica";
        project.initStack(replica, config([{ address: edi, protocols: ["imap"] }], { [key("displayName")]: "Mail OAuth (replicating)" }));
        entra.faults({ replicationDelay: { reads: 1, match: "^POST /servicePrincipals/[^/]+/appRoleAssignedTo$" } });
        const first = project.pulumi(["up", "--yes", "--stack", replica]);
        assert.notStrictEqual(first.code, 0, first.output);
        assert.match(first.output, /expected non-nil error with nil state during Create of .*AppRoleAssignment::mail-app-IMAP\.AccessAsApp/);
        entra.faults({ clear: true });

        const clientId = project.resources(replica).find((r) => r.type === resourceTypes.application)!.outputs.clientId as string;
        const sp = servicePrincipalOf(clientId);
        const imapRole = exchangeOnline.appRoles["IMAP.AccessAsApp"];
        const held = () => entra.tenant().appRoleAssignments.filter((a) => a.principalId === sp.id && a.appRoleId === imapRole);
        assert.strictEqual(held().length, 1, "Entra holds the consent");
        assert.ok(!project.resources(replica).some((r) => r.type === resourceTypes.appRoleAssignment), "the state does not");
        const second = project.pulumi(["up", "--yes", "--stack", replica]);
        assert.notStrictEqual(second.code, 0, "every later up fails making it again");
        assert.match(second.output, /Permission being assigned already exists on the object/);

        const repair = spawnSync(process.execPath, [path.join(projectRoot(), "bin", "tools", "repair.js"), "--stack", replica], {
            cwd: project.dir,
            env: project.env,
            encoding: "utf8",
        });
        assert.strictEqual(repair.status, 0, `${repair.stdout}\n${repair.stderr}`);
        assert.match(repair.stdout, /lost from the state: mail-app-IMAP\.AccessAsApp/);
        assert.ok(!repair.stdout.includes(world.entra.env.M365_STANDIN_CLIENT_SECRET), "the sign-in's secret is never printed");
        project.ok(["up", "--yes", "--stack", replica]);
        assert.strictEqual(held().length, 1, "the same consent, no second one");
        assert.ok(project.resources(replica).some((r) => r.type === resourceTypes.appRoleAssignment && r.id?.endsWith(held()[0].id)));
        project.ok(["destroy", "--yes", "--stack", replica]);
    });

    it("pulumi import of an app and service principal made by hand in the portal: the next up keeps both and adds the rest", async () => {
        const { project, entra } = world;
        const adopted = "adopted";
        const made = await entra.admin("POST", "applications", {
            displayName: "PDFC (made by hand)",
            signInAudience: "AzureADMyOrg",
            web: { redirectUris: ["https://pdfc.contoso.com/oauth"] },
        });
        assert.strictEqual(made.status, 201);
        const sp = await entra.admin("POST", "servicePrincipals", { appId: made.body.appId });
        assert.strictEqual(sp.status, 201);
        project.initStack(adopted, clean(settings({ [key("displayName")]: "PDFC (made by hand)", [key("owners")]: [deployerOid()] })));
        // The component first (an empty one, as the import creates it), then the two objects under it.
        const file = path.join(project.root, "..", "adopt.json");
        fs.writeFileSync(
            file,
            JSON.stringify({
                resources: [
                    { type: componentTypes.mailApplication, name: "entra", logicalName: mailApplicationName, component: true },
                    { type: resourceTypes.application, name: "app", logicalName: mailApplicationName, id: `/applications/${made.body.id}`, parent: "entra" },
                    {
                        type: resourceTypes.servicePrincipal,
                        name: "sp",
                        logicalName: mailApplicationName,
                        id: `/servicePrincipals/${sp.body.id}`,
                        parent: "entra",
                    },
                ],
            }),
        );
        const imported = project.pulumi(["import", "--file", file, "--yes", "--stack", adopted, "--protect=false", "--generate-code=false"]);
        assert.strictEqual(imported.code, 0, imported.output);
        const preview = project.previewJson(adopted);
        const stepOf = (type: string) => preview.steps.find((s) => s.type === type)?.op;
        assert.notStrictEqual(stepOf(resourceTypes.application), "create", "the app is the one made by hand");
        assert.notStrictEqual(stepOf(resourceTypes.application), "replace");
        assert.notStrictEqual(stepOf(resourceTypes.servicePrincipal), "create");
        project.ok(["up", "--yes", "--stack", adopted]);
        const apps = entra.tenant().applications.filter((a) => a.displayName === "PDFC (made by hand)");
        assert.deepStrictEqual(
            apps.map((a) => a.id),
            [made.body.id],
            "no second app",
        );
        assert.strictEqual(apps[0].passwordCredentials.length, 1, "the stack's secret added to it");
        assert.ok(await entra.signsIn(made.body.appId, project.stackOutputs(adopted).clientSecret));
        assert.deepStrictEqual(entra.tenant().owners[made.body.id], [deployerOid()], "the owners the config names");
        project.ok(["destroy", "--yes", "--stack", adopted]);
    });
});
