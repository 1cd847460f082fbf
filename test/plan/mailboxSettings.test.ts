/**
 * The mailbox settings are listed once in TypeScript (plan/mailboxSettings.ts) and once in PowerShell
 * (scripts/ExchangeMailAccess/ExchangeMailAccess.psm1): the two lists agree, and the plan, the environment and the offline review use it.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { mailboxVariableValue } from "../../components/exchangeMailboxAccess/exchangeEnvironment";
import { exchangeScripts } from "../../components/exchangeMailboxAccess/scriptFiles";
import { projectRoot } from "../../facts/projectRoot";
import { mailboxAccess } from "../../plan/accessPlan";
import { mailboxSettings } from "../../plan/mailboxSettings";
import { mailboxOperations } from "../../tools/review/model";

const keys = mailboxSettings.map((setting) => setting.key);

describe("mailbox settings, one list", () => {
    it("the PowerShell reads exactly these flags from each mailbox variable, in this order", () => {
        const state = fs.readFileSync(path.join(projectRoot(), exchangeScripts.module), "utf8");
        const list = /^\$script:DesiredMailboxFlags = @\(([^)]*)\)/m.exec(state);
        assert.ok(list, "ExchangeMailAccess.psm1 defines $script:DesiredMailboxFlags");
        assert.deepStrictEqual(
            [...list[1].matchAll(/'([^']+)'/g)].map((match) => match[1]),
            keys,
        );
    });

    it("the mailbox variable carries the address and every setting, nothing else", () => {
        const value = JSON.parse(mailboxVariableValue(mailboxAccess("edi@contoso.com", ["imap", "smtp"], "mailbox")));
        assert.deepStrictEqual(Object.keys(value), ["address", ...keys]);
    });

    it("the offline review names one operation per setting the mailbox gets", () => {
        const access = mailboxAccess("edi@contoso.com", ["imap", "pop", "smtp"], "organization", "appRbac");
        assert.deepStrictEqual(
            mailboxOperations(access).map((operation) => operation.right),
            mailboxSettings.filter((setting) => access[setting.key]).map((setting) => setting.right),
        );
        assert.ok(mailboxOperations(access).some((operation) => operation.right === "member of the appRbac group"));
    });
});
