/**
 * The stand-in Exchange Online behaves as Microsoft documents the real module, awkward parts included: otherwise the
 * scenarios would prove nothing. Probed under PowerShell 7 (test/fixtures/stand-in-probe.ps1).
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { projectRoot } from "../../config/projectRoot";
import { requirePwsh } from "./commandProvider";
import { mailbox, StandInTenant } from "./standInTenant";

describe("stand-in Exchange Online module", function () {
    this.timeout(60_000);
    let probe: Record<string, any>;
    let tenant: StandInTenant;

    before(function () {
        const pwsh = requirePwsh(this);
        tenant = new StandInTenant({
            mailboxes: {
                "edi@contoso.com": mailbox("edi@contoso.com", {
                    permissions: [
                        { User: "NT AUTHORITY\\SELF", AccessRights: ["FullAccess"], IsInherited: false, Deny: false },
                        { User: "admin@contoso.com", AccessRights: ["FullAccess"], IsInherited: true, Deny: false },
                        { User: "admin@contoso.com", AccessRights: ["FullAccess"], IsInherited: false, Deny: true },
                    ],
                }),
            },
        });
        const run = spawnSync(pwsh, ["-NoProfile", "-NonInteractive", "-File", path.join(projectRoot(), "test", "fixtures", "stand-in-probe.ps1")], {
            env: { ...process.env, ...tenant.machine() },
            encoding: "utf8",
        });
        assert.strictEqual(run.status, 0, run.stderr);
        probe = JSON.parse(run.stdout);
    });
    after(() => tenant?.dispose());

    it("refuses every call before Connect-ExchangeOnline, with the module's message", () => {
        assert.match(probe.beforeConnect, /You must call the Connect-ExchangeOnline cmdlet before calling any other cmdlets/);
    });

    it("takes only the documented parameters, and only in a documented parameter set", () => {
        assert.match(probe.unknownParameter, /NamedParameterNotFound.*NoSuchParameter/);
        assert.match(probe.incompleteSet, /Parameter set cannot be resolved/, "Add-MailboxPermission without -User");
    });

    it("writes errors as non-terminating errors from inside its own module: only -ErrorAction Stop stops the caller", () => {
        assert.strictEqual(probe.withoutErrorAction, "continued", "the caller's $ErrorActionPreference = 'Stop' does not reach it");
        assert.match(
            probe.withErrorAction,
            /ManagementObjectNotFoundException\|The operation couldn't be performed because object 'nobody@contoso\.com' couldn't be found/,
        );
    });

    it("reports SmtpClientAuthenticationDisabled as $null (the organisation decides), and inherited, deny and other trustees' entries", () => {
        assert.strictEqual(probe.smtpAuthDefault, "null");
        assert.deepStrictEqual(probe.permissions, ["NT AUTHORITY\\SELF|False|False", "admin@contoso.com|True|False", "admin@contoso.com|False|True"]);
    });

    it("logs every call with its parameters", () => {
        const calls = tenant.calls();
        assert.ok(
            calls.some(
                (call) => call.cmdlet === "Get-CASMailbox" && call.parameters.Identity === "nobody@contoso.com" && call.parameters.ErrorAction !== undefined,
            ),
        );
        assert.strictEqual(calls[0].cmdlet, "Get-CASMailbox");
    });
});
