import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { findExecutable, missingPwshMessage } from "../../../components/exchangeMailboxAccess/preflight";
import { exchangeScripts } from "../../../components/exchangeMailboxAccess/scriptFiles";
import { exchangeModule } from "../../../facts/microsoft";
import { projectRoot } from "../../../facts/projectRoot";

describe("preflight: finding pwsh", () => {
    let dir: string;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "m365-path-"));
        fs.writeFileSync(path.join(dir, "pwsh"), "#!/bin/sh\n", { mode: 0o755 });
        fs.writeFileSync(path.join(dir, "not-executable"), "", { mode: 0o644 });
        fs.mkdirSync(path.join(dir, "a-directory"));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("finds a bare name on PATH", () => {
        assert.strictEqual(findExecutable("pwsh", { PATH: `/nonexistent:${dir}` }), path.join(dir, "pwsh"));
        assert.strictEqual(findExecutable("pwsh", { PATH: "/nonexistent" }), undefined);
    });

    it("checks a path as given, and that it is an executable file", () => {
        assert.strictEqual(findExecutable(path.join(dir, "pwsh"), { PATH: "" }), path.join(dir, "pwsh"));
        assert.strictEqual(findExecutable(path.join(dir, "not-executable"), { PATH: "" }), undefined);
        assert.strictEqual(findExecutable(path.join(dir, "a-directory"), { PATH: "" }), undefined);
    });

    it("says how to fix it, naming the config key", () => {
        assert.match(missingPwshMessage("pwsh"), /^m365-mail-oauth:exchange\.pwsh: "pwsh" was not found on PATH/);
        assert.match(missingPwshMessage("pwsh"), /Install-Module ExchangeOnlineManagement -MinimumVersion 3\.0\.0 -Scope CurrentUser/);
        assert.match(missingPwshMessage("pwsh"), /7\.4 or 7\.5: .*-MaximumVersion 3\.9\.2/);
    });

    it("keeps the module version facts and the Exchange scripts' copies of them equal", () => {
        const script = fs.readFileSync(path.join(projectRoot(), exchangeScripts.module), "utf8");
        assert.match(script, new RegExp(`\\$script:ExchangeModuleNeeds76 = \\[version\\] '${exchangeModule.needsPowerShell76From.replace(/\./g, "\\.")}'`));
        assert.match(script, new RegExp(`\\$script:ExchangeModuleNewestBefore76 = '${exchangeModule.newestBeforePowerShell76.replace(/\./g, "\\.")}'`));
        assert.match(script, new RegExp(`\\$script:DisableWamSince = \\[version\\] '${exchangeModule.disableWamSince.replace(/\./g, "\\.")}'`));
    });
});
