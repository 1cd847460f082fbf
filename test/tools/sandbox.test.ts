/**
 * `npm run sandbox`: the main job on a local tenant, under the real Pulumi CLI and PowerShell (both required, else
 * skipped with one line): up, the client settings, a sign-in with the secret the stack made, then `--down`.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { projectRoot } from "../../facts/projectRoot";
import { requireEngine } from "../e2e/engine";
import { requirePwsh } from "../scripts/commandProvider";
import { missingPrerequisite, sandboxDir, sandboxStack } from "../../tools/sandbox/cli";

describe("npm run sandbox: the main job rehearsed on a local tenant", function () {
    this.timeout(600_000);
    const sandbox = (args: string[]) =>
        spawnSync(process.execPath, [path.join(projectRoot(), "bin", "tools", "sandbox.js"), ...args], {
            cwd: projectRoot(),
            env: { ...process.env, CI: undefined },
            encoding: "utf8",
            timeout: 540_000,
        });

    it("comes up with the stack's app signing in, prints the client settings, and --down leaves nothing", function () {
        requireEngine(this);
        requirePwsh(this);
        assert.ok(!fs.existsSync(path.join(sandboxDir(), "sandbox.json")), "no sandbox of the developer's own is up (npm run sandbox -- --down)");
        const up = sandbox([]);
        try {
            assert.strictEqual(up.status, 0, `${up.stdout}\n${up.stderr}`);
            assert.match(up.stdout, /sandbox: stand-in Entra ID at https:\/\/127\.0\.0\.1:\d+/);
            assert.match(up.stdout, /imap: \{"host":/);
            assert.match(up.stdout, /exchangeMailboxesGranted: \["edi@contoso\.com"\]/);
            assert.match(up.stdout, /verify: the client secret signs in; the token holds IMAP\.AccessAsApp, SMTP\.SendAsApp/);
            assert.doesNotMatch(up.stdout, /clientSecret: (?!\[secret\])/, "the secret is never printed");
        } finally {
            const down = sandbox(["--down"]);
            assert.strictEqual(down.status, 0, `${down.stdout}\n${down.stderr}`);
        }
        assert.ok(!fs.existsSync(sandboxDir()), ".tools/sandbox removed");
        assert.ok(!fs.existsSync(path.join(projectRoot(), `Pulumi.${sandboxStack}.yaml`)));
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
