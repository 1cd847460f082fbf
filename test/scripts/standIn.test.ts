/**
 * The stand-in Exchange Online behaves as Microsoft documents the real module, awkward parts included: otherwise the
 * scenarios would prove nothing. Probed under PowerShell 7 (test/fixtures/stand-in-probe.ps1).
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { projectRoot } from "../../facts/projectRoot";
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
                    sendAs: [
                        { Trustee: "NT AUTHORITY\\SELF", AccessControlType: "Allow", IsInherited: false },
                        { Trustee: "admin@contoso.com", AccessControlType: "Deny", IsInherited: false },
                    ],
                }),
                "other@contoso.com": mailbox("other@contoso.com"),
            },
            servicePrincipals: [
                {
                    Identity: "e0e0e0e0-0000-4000-8000-0000000000e1",
                    AppId: "a0a0a0a0-0000-4000-8000-0000000000a1",
                    ObjectId: "b0b0b0b0-0000-4000-8000-0000000000b1",
                    DisplayName: "another app",
                },
            ],
            entra: {
                "d1d1d1d1-0000-4000-8000-000000000001": { appId: "c1c1c1c1-0000-4000-8000-000000000001", pendingAttempts: 1, registrationPendingAttempts: 1 },
            },
            faults: [{ cmdlet: "Get-RecipientPermission", identity: "edi@contoso.com", kind: "throttled", remaining: 1 }],
            connect: { missingCmdlets: ["Set-TransportConfig", "Get-TransportConfig"] },
        });
        const run = spawnSync(pwsh, ["-NoProfile", "-NonInteractive", "-File", path.join(projectRoot(), "test", "fixtures", "stand-in-probe.ps1")], {
            env: { ...process.env, ...tenant.machine() },
            encoding: "utf8",
        });
        assert.strictEqual(run.status, 0, run.stderr);
        probe = JSON.parse(run.stdout);
    });
    after(() => tenant?.dispose());

    it("has no Exchange cmdlets before Connect-ExchangeOnline; the session brings them, less those the roles lack", () => {
        assert.match(probe.beforeConnect, /^ObjectNotFound CommandNotFoundException: The term 'Get-CASMailbox' is not recognized/);
        assert.strictEqual(probe.sessionModule, "tmpEXO_standin");
        assert.deepStrictEqual(probe.missingInSession, ["Set-TransportConfig", "Get-TransportConfig"]);
    });

    it("takes only the documented parameters, and only in a documented parameter set", () => {
        assert.match(probe.unknownParameter, /NamedParameterNotFound.*NoSuchParameter/);
        assert.match(probe.incompleteSet, /Parameter set cannot be resolved/, "Add-MailboxPermission without -User");
    });

    it("writes errors from inside its own module, which a script's global $ErrorActionPreference reaches", () => {
        assert.strictEqual(probe.withoutErrorAction, "stopped", "pwsh -File: the script's 'Stop' is the global preference");
        assert.strictEqual(probe.silentlyContinue, "continued", "-ErrorAction on the call wins");
        assert.match(
            probe.withErrorAction,
            /ManagementObjectNotFoundException\|The operation couldn't be performed because object 'nobody@contoso\.com' couldn't be found/,
        );
        assert.match(probe.notFoundId, /\[FailureCategory=Cmdlet-ManagementObjectNotFoundException\]/);
        assert.doesNotMatch(probe.throttledId, /FailureCategory/, "not every error record names a failure category");
    });

    it("returns every registration for an unknown Get-ServicePrincipal -Identity, as Microsoft's page cautions", () => {
        assert.strictEqual(probe.unknownServicePrincipal, 1);
    });

    it("shows Entra ID's replication lag on New-ServicePrincipal when the tenant says so: the object ID couldn't be found", () => {
        assert.match(
            probe.laggingRegistration,
            /FailureCategory=Cmdlet-ManagementObjectNotFoundException\] New-ServicePrincipal\b.*ManagementObjectNotFoundException\|The operation couldn't be performed because object 'd1d1d1d1-0000-4000-8000-000000000001' couldn't be found/,
        );
    });

    it("registers without validating; Entra ID's replication lag shows on the first grant; Identity is Exchange's own value", () => {
        assert.strictEqual(probe.newUnvalidated, true);
        assert.strictEqual(probe.identityForm, "distinct");
        assert.match(probe.firstGrant, /couldn't be found/);
        assert.strictEqual(probe.secondGrant, "granted");
    });

    it("reports SmtpClientAuthenticationDisabled as $null (the organisation decides), and inherited, deny and other trustees' entries", () => {
        assert.strictEqual(probe.smtpAuthDefault, "null");
        assert.deepStrictEqual(probe.permissions.slice(0, 3), [
            "NT AUTHORITY\\SELF|False|False",
            "admin@contoso.com|True|False",
            "admin@contoso.com|False|True",
        ]);
        assert.deepStrictEqual(probe.sendAs, ["NT AUTHORITY\\SELF|Allow", "admin@contoso.com|Deny"]);
    });

    it("authorises an app through a role assignment scoped to a group's members (Test-ServicePrincipalAuthorization)", () => {
        assert.deepStrictEqual(probe.authorization, ["edi@contoso.com|Application SMTP.SendAsApp|True", "other@contoso.com|Application SMTP.SendAsApp|False"]);
    });

    it("logs every call with its parameters", () => {
        const calls = tenant.calls();
        assert.ok(
            calls.some(
                (call) => call.cmdlet === "Get-CASMailbox" && call.parameters.Identity === "nobody@contoso.com" && call.parameters.ErrorAction !== undefined,
            ),
        );
        assert.strictEqual(calls[0].cmdlet, "Connect-ExchangeOnline");
    });
});
