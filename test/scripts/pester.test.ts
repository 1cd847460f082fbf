/**
 * Runs the Pester 5 unit tests of the Exchange module (test/scripts/pester/*.Tests.ps1) under PowerShell 7, with
 * Pester from .tools/modules (npm run setup:pwsh) or the user's own modules, and reports their counts. Without
 * pwsh, or with pwsh but no Pester 5, the suite skips with one line; `M365_REQUIRE_PWSH=1` (CI, `npm run
 * test:exchange`) makes either a failure.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { projectRoot } from "../../facts/projectRoot";
import { foundOrSkip } from "../realProgram";
import { requirePwsh } from "./commandProvider";

const pesterMissingMessage =
    "the Pester 5 module was not found: install it in pwsh with `Install-Module Pester -MinimumVersion 5.0 -Scope CurrentUser`, or into .tools/modules with `npm run setup:pwsh`";

describe("Exchange module unit tests (Pester 5, cmdlets mocked)", function () {
    this.timeout(300_000);

    it("all pass", function () {
        const pwsh = requirePwsh(this);
        const modules = path.join(projectRoot(), ".tools", "modules");
        const env = {
            ...process.env,
            PSModulePath: [fs.existsSync(modules) ? modules : undefined, process.env.PSModulePath].filter(Boolean).join(path.delimiter),
            PESTER_PATH: path.join(projectRoot(), "test", "scripts", "pester"),
        };
        const script = [
            "$ErrorActionPreference = 'Stop'",
            // No Pester 5 where PowerShell looks for modules: say so (the suite skips), rather than fail on the import.
            "if (-not (Get-Module -ListAvailable Pester | Where-Object { $_.Version -ge [version]'5.0' })) { [Console]::Error.WriteLine('PESTER-MISSING'); exit 0 }",
            "Import-Module Pester -MinimumVersion 5.0 -ErrorAction Stop",
            "$configuration = New-PesterConfiguration",
            "$configuration.Run.Path = $env:PESTER_PATH",
            "$configuration.Run.PassThru = $true",
            "$configuration.Output.Verbosity = 'Detailed'",
            "$result = Invoke-Pester -Configuration $configuration",
            "[Console]::Error.WriteLine('PESTER ' + (@{ passed = $result.PassedCount; failed = $result.FailedCount; skipped = $result.SkippedCount } | ConvertTo-Json -Compress))",
        ].join("\n");
        const run = spawnSync(pwsh, ["-NoProfile", "-NonInteractive", "-Command", script], { env, encoding: "utf8" });
        foundOrSkip(this, /^PESTER-MISSING$/m.test(run.stderr) ? undefined : true, {
            suites: "Pester unit tests of the Exchange module",
            requireVariable: "M365_REQUIRE_PWSH",
            missing: pesterMissingMessage,
        });
        const line = /PESTER (\{.*\})/.exec(run.stderr)?.[1];
        assert.ok(line, `Pester did not run:\n${run.stdout}\n${run.stderr}`);
        const counts = JSON.parse(line) as { passed: number; failed: number; skipped: number };
        // The counts, as a Pester run reports them, in the mocha output.
        this.test!.title = `all pass (Pester: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped)`;
        assert.strictEqual(counts.failed, 0, run.stdout);
        assert.ok(counts.passed >= 12, `only ${counts.passed} Pester tests ran`);
    });
});
