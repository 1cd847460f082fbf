/**
 * `npm run sandbox`: the main job on a local tenant, under the real Pulumi CLI and PowerShell (both required, else
 * skipped with one line): up, the client settings, `verify` against Dovecot where it is installed (required where
 * M365_REQUIRE_DOVECOT says so, as in CI), else a sign-in with the secret the stack made, then `--down`.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { projectRoot } from "../../facts/projectRoot";
import { requireEngine } from "../e2e/engine";
import * as os from "os";
import { sha256, TenantState } from "../fixtures/entra/directory";
import { requirePwsh } from "../scripts/commandProvider";
import { findDovecot } from "../fixtures/mailLab";
import { providerPlugins, realPluginFolder } from "../e2e/providers";
import { missingPrerequisite, sandboxDir, sandboxStack } from "../../tools/sandbox/cli";
import { World, worldFile } from "../../tools/sandbox/world";

const running = (pid: number) => {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
};

describe("npm run sandbox: the main job rehearsed on a local tenant", function () {
    this.timeout(600_000);
    const sandbox = (args: string[]) =>
        spawnSync(process.execPath, [path.join(projectRoot(), "bin", "tools", "sandbox.js"), ...args], {
            cwd: projectRoot(),
            env: { ...process.env, CI: undefined },
            encoding: "utf8",
            timeout: 540_000,
        });

    it("comes up, prints the client settings, verify logs in where Exchange granted (Dovecot) or signs in, and --down leaves nothing running", function () {
        requireEngine(this);
        requirePwsh(this);
        assert.ok(!fs.existsSync(path.join(sandboxDir(), "sandbox.json")), "no sandbox of the developer's own is up (npm run sandbox -- --down)");
        const dovecot = findDovecot() !== undefined;
        assert.ok(dovecot || process.env.M365_REQUIRE_DOVECOT !== "1", "Dovecot is required (M365_REQUIRE_DOVECOT=1) but not installed");
        const up = sandbox([]);
        let world: World | undefined;
        try {
            world = JSON.parse(fs.readFileSync(worldFile(sandboxDir()), "utf8")) as World;
            assert.strictEqual(up.status, 0, `${up.stdout}\n${up.stderr}`);
            assert.match(up.stdout, /sandbox: stand-in Entra ID at https:\/\/127\.0\.0\.1:\d+/);
            assert.match(up.stdout, /imap: \{"host":/);
            assert.match(up.stdout, /exchangeMailboxesGranted: \["archive@contoso\.com","edi@contoso\.com"\]/);
            if (dovecot) {
                // verify's table: the token, then one real login per mailbox and protocol the stack granted.
                const roles = /^token +ok +roles: (.*)$/m.exec(up.stdout)?.[1].split(", ").sort();
                assert.deepStrictEqual(roles, ["IMAP.AccessAsApp", "POP.AccessAsApp", "SMTP.SendAsApp"]);
                assert.match(up.stdout, /^imap +edi@contoso\.com +ok +INBOX selected/m);
                assert.match(up.stdout, /^smtp +edi@contoso\.com +ok +STARTTLS and AUTH XOAUTH2 accepted/m);
                assert.match(up.stdout, /^pop +archive@contoso\.com +ok +STAT/m);
                assert.match(up.stdout, /^all 4 checks passed$/m);
            } else {
                assert.match(up.stdout, /Dovecot is not installed, so verify stops at the token endpoint \(for the logins too: apt-get install dovecot-core/);
                assert.match(up.stdout, /verify: the client secret signs in; the token holds IMAP\.AccessAsApp, POP\.AccessAsApp, SMTP\.SendAsApp/);
            }
            // The stand-in keeps only the secret's hash: no word printed may hash to it.
            const tenant = JSON.parse(fs.readFileSync(path.join(world.entraDir, "tenant.json"), "utf8")) as TenantState;
            const app = tenant.applications.find((application) => application.displayName === "Mail OAuth (sandbox)")!;
            const hashes = new Set(app.passwordCredentials.map((credential) => credential.secretSha256));
            assert.strictEqual(hashes.size, 1, "the stack made its secret");
            const printed = (up.stdout + up.stderr).split(/[\s"'`,:=]+/).filter(Boolean);
            assert.ok(!printed.some((word) => hashes.has(sha256(word))), "the secret is never printed");
        } finally {
            const down = sandbox(["--down"]);
            assert.strictEqual(down.status, 0, `${down.stdout}\n${down.stderr}`);
        }
        assert.ok(world && !running(world.pid), "the stand-ins' process stopped");
        if (world?.lab) assert.ok(!fs.existsSync(world.lab.dir), "Dovecot stopped and its folder removed");
        assert.ok(!fs.existsSync(sandboxDir()), ".tools/sandbox removed");
        assert.ok(!fs.existsSync(path.join(projectRoot(), `Pulumi.${sandboxStack}.yaml`)));
    });

    it("installs the real plugins from the user's own plugin cache only when it holds both at the exact versions", () => {
        const home = fs.mkdtempSync(path.join(os.tmpdir(), "m365-plugin-cache-"));
        try {
            const cache = path.join(home, "plugins");
            const [azuread, command] = providerPlugins.map(({ name, version }) => path.join(cache, `resource-${name}-v${version}`, `pulumi-resource-${name}`));
            assert.strictEqual(realPluginFolder({ PULUMI_HOME: home }), undefined, "an empty cache: the substitutes");
            fs.mkdirSync(path.dirname(azuread), { recursive: true });
            fs.writeFileSync(azuread, "");
            assert.strictEqual(realPluginFolder({ PULUMI_HOME: home }), undefined, "azuread alone: not mixed with a substitute command");
            fs.mkdirSync(path.join(cache, "resource-command-v4.5.0"), { recursive: true });
            fs.writeFileSync(path.join(cache, "resource-command-v4.5.0", "pulumi-resource-command"), "");
            assert.strictEqual(realPluginFolder({ PULUMI_HOME: home }), undefined, "another command version does not count");
            fs.mkdirSync(path.dirname(command), { recursive: true });
            fs.writeFileSync(command, "");
            assert.strictEqual(realPluginFolder({ PULUMI_HOME: home }), cache);
            assert.strictEqual(realPluginFolder({ PULUMI_HOME: home, M365_PROVIDER_PLUGINS: "/opt/plugins" }), "/opt/plugins", "the variable wins");
        } finally {
            fs.rmSync(home, { recursive: true, force: true });
        }
    });

    it("says in one line what is missing, and how to get it", () => {
        const noEngine = missingPrerequisite(undefined, "/usr/bin/pwsh")!;
        assert.match(noEngine, /^sandbox: the Pulumi CLI was not found: build it with `npm run setup:engine`/);
        const noPwsh = missingPrerequisite("/opt/pulumi", undefined)!;
        assert.match(noPwsh, /^sandbox: PowerShell 7 \(pwsh\) not found: install it as Microsoft documents/);
        for (const line of [noEngine, noPwsh]) assert.strictEqual(line.split("\n").length, 1);
        assert.strictEqual(missingPrerequisite("/opt/pulumi", "/usr/bin/pwsh"), undefined);
    });
});
