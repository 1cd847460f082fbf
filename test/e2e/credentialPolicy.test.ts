/**
 * A tenant's credential policy (issue #29 part 2) under the real Pulumi CLI, with the stand-in Entra ID in its own
 * process: the program reads the policy before declaring anything (components/entraApplication/
 * credentialPolicyCheck.ts), so a secret the policy forbids fails the preview with the project's message and
 * nothing is created; a config within the policy deploys; a deployer without Policy.Read.All gets a warning, and
 * the provider's refusal at addPassword that follows is explained by `npm run repair -- --explain`.
 */
import * as assert from "assert";
import { onStandIns } from "./standInWorld";
import { configNamespace } from "../../facts/project";
import { main as repair } from "../../tools/repair/cli";

describe("a tenant's credential policy under the real CLI: the preview refuses a secret the policy forbids", function () {
    this.timeout(600_000);
    const { world, config } = onStandIns(this);
    const key = (name: string) => `${configNamespace}:${name}`;
    /** A user-sign-in stack (a secret, no Exchange step), its secret living `days`. */
    const settings = (days: number) =>
        Object.fromEntries(
            Object.entries(
                config([], {
                    [key("mailboxes")]: [],
                    [key("exchange")]: undefined,
                    [key("userSignIn")]: { redirectUris: ["https://pdfc.contoso.com/oauth"], protocols: ["imap"] },
                    [key("displayName")]: "Mail OAuth (policy e2e)",
                    [key("secretLifetimeDays")]: days,
                }),
            ).filter(([, value]) => value !== undefined),
        );
    const created = (since: number) =>
        world.entra
            .requests()
            .slice(since)
            .filter((r) => r.path.startsWith("/graph/") && r.method !== "GET");
    const stack = "policy";

    before(async function () {
        if (!world.entra) this.skip();
        const patched = await world.entra.admin("PATCH", "policies/defaultAppManagementPolicy", {
            isEnabled: true,
            applicationRestrictions: {
                passwordCredentials: [
                    { restrictionType: "passwordLifetime", state: "enabled", maxLifetime: "P30D", restrictForAppsCreatedAfterDateTime: null },
                ],
                keyCredentials: [],
            },
        });
        assert.strictEqual(patched.status, 204);
    });

    it("a 30-day tenant maximum and secretLifetimeDays 90: preview and up fail with the project's message, nothing created", () => {
        const { project, entra } = world;
        project.initStack(stack, settings(90));
        const before = entra.requests().length;
        const preview = project.pulumi(["preview", "--stack", stack]);
        assert.notStrictEqual(preview.code, 0, preview.output);
        assert.match(preview.output, /credential policy forbids what this stack would create; nothing was created/);
        assert.match(preview.output, /m365-mail-oauth:secretLifetimeDays: 90 is longer than the tenant's default app management policy allows/);
        assert.match(preview.output, /passwordLifetime P30D: at most 30 days.*set secretLifetimeDays to 30 or less/);
        assert.ok(
            entra
                .requests()
                .slice(before)
                .some((r) => r.path === "/graph/v1.0/policies/defaultAppManagementPolicy"),
            "the policy was read",
        );
        const up = project.pulumi(["up", "--yes", "--stack", stack]);
        assert.notStrictEqual(up.code, 0, up.output);
        assert.deepStrictEqual(created(before), [], "nothing was written to Entra ID");
        assert.ok(!entra.tenant().applications.some((a) => a.displayName === "Mail OAuth (policy e2e)"));
    });

    it("secretLifetimeDays 30: the preview passes and the update makes a secret Graph accepts", async () => {
        const { project, entra } = world;
        project.writeConfig(stack, settings(30));
        const preview = project.pulumi(["preview", "--stack", stack]);
        assert.strictEqual(preview.code, 0, preview.output);
        project.ok(["up", "--yes", "--stack", stack]);
        const { clientId, clientSecret } = project.stackOutputs(stack);
        assert.ok(await entra.signsIn(clientId, clientSecret));
        project.ok(["destroy", "--yes", "--stack", stack]);
    });

    it("without Policy.Read.All the preview warns and goes on; the refusal at addPassword is explained by repair --explain", async () => {
        const { project, entra } = world;
        entra.faults({ forbid: [{ match: "^GET /graph/v1\\.0/policies/" }] });
        project.writeConfig(stack, settings(90));
        const preview = project.pulumi(["preview", "--stack", stack]);
        assert.strictEqual(preview.code, 0, preview.output);
        assert.match(
            preview.output,
            /may not read the tenant's credential policy \(Microsoft Graph answered 403 Authorization_RequestDenied; it needs Policy\.Read\.All\)/,
        );
        const up = project.pulumi(["up", "--yes", "--stack", stack]);
        assert.notStrictEqual(up.code, 0);
        assert.match(up.output, /CredentialInvalidLifetimeAsPerAppPolicy/, up.output);
        const out: string[] = [];
        assert.strictEqual(
            await repair(
                ["--explain", up.output],
                (text) => out.push(text),
                () => undefined,
            ),
            0,
        );
        assert.match(out.join("\n"), /caps a client secret's lifetime below secretLifetimeDays/);
        entra.faults({ clear: true });
        project.writeConfig(stack, settings(30));
        project.ok(["destroy", "--yes", "--stack", stack]);
    });
});
