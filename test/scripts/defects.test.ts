/**
 * The Exchange defects of issue #15, each as the scenario that showed it, under PowerShell 7 against the stand-in
 * Exchange Online (which behaves as Microsoft's pages say: an unknown -Identity returns every service principal,
 * cmdlets a role lacks are missing from the session, a Deny wins, a mailbox's own SMTP AUTH setting wins).
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { grantedMailboxes } from "../../components/exchangeMailboxAccess/exchangeRecord";
import { projectRoot } from "../../facts/projectRoot";
import { runCommand } from "./commandProvider";
import { hasFullAccess, hasSendAs, names, ok, smtpAuthEffective, tenantsOf } from "./scenarioHelpers";
import { appId, commandInputs, mailbox, servicePrincipalObjectId, StackShape, standInModuleAt } from "./standInTenant";

const edi = "edi@contoso.com";
const invoices = "invoices@contoso.com";
const otherApp = {
    Identity: "e0e0e0e0-0000-4000-8000-0000000000e1",
    AppId: "a0a0a0a0-0000-4000-8000-0000000000a1",
    ObjectId: "b0b0b0b0-0000-4000-8000-0000000000b1",
    DisplayName: "another app",
};

describe("Exchange defects, each shown under PowerShell 7 against the stand-in", function () {
    this.timeout(600_000);
    const { setUp, pwsh } = tenantsOf(this);
    const imap: StackShape = { mailboxes: [{ address: edi, protocols: ["imap"] }] };

    describe("1: another app's Exchange registration is never taken for the stack's", () => {
        const withOtherApp = () =>
            setUp({
                servicePrincipals: [{ ...otherApp }],
                mailboxes: {
                    [edi]: mailbox(edi, { permissions: [{ User: otherApp.Identity, AccessRights: ["FullAccess"], IsInherited: false, Deny: false }] }),
                },
            });

        it("create registers the stack's app and leaves the other app's registration and grants alone", () => {
            const { tenant, command } = withOtherApp();
            ok(command.up(commandInputs(imap)));
            const principals = tenant.read().servicePrincipals;
            assert.ok(
                principals.some((principal) => principal.Identity === otherApp.Identity),
                "the other app is still registered",
            );
            assert.ok(hasFullAccess(tenant, edi, otherApp.Identity), "and keeps its grant");
            assert.ok(hasFullAccess(tenant, edi, tenant.servicePrincipalIdentity()), "the stack's app is granted");
            assert.ok(!tenant.calls().some((call) => call.cmdlet === "Remove-ServicePrincipal"));
        });

        it("destroy without a record removes nothing of the other app's", () => {
            const { tenant, command } = withOtherApp();
            tenant.update((state) => (state.faults = [{ cmdlet: "Connect-ExchangeOnline", identity: "*", kind: "denied", remaining: 1 }]));
            assert.notStrictEqual(command.up(commandInputs(imap))!.code, 0);
            const run = command.destroy();
            assert.strictEqual(run.code, 0, run.stderr);
            assert.ok(tenant.read().servicePrincipals.some((principal) => principal.Identity === otherApp.Identity));
            assert.ok(hasFullAccess(tenant, edi, otherApp.Identity));
            assert.deepStrictEqual(tenant.changingCalls(), []);
        });

        it("two registrations of the stack's app stop the run before any change, naming both", () => {
            const twice = [0, 1].map((i) => ({
                Identity: `f0f0f0f0-0000-4000-8000-00000000000${i}`,
                AppId: appId,
                ObjectId: servicePrincipalObjectId,
                DisplayName: `copy ${i}`,
            }));
            const { tenant, command } = setUp({ servicePrincipals: twice, mailboxes: { [edi]: mailbox(edi) } });
            const run = command.up(commandInputs(imap))!;
            assert.strictEqual(run.code, 1);
            assert.match(
                run.stderr,
                /2 service principal registrations for app a1a1a1a1.*f0f0f0f0-0000-4000-8000-000000000000.*f0f0f0f0-0000-4000-8000-000000000001/,
            );
            assert.deepStrictEqual(tenant.changingCalls(), []);
        });
    });

    it("2: an explicit Deny is a failure naming the mailbox and the entry; no Allow is added and the Deny stays", () => {
        const identity = "0e0e0e0e-0000-4000-8000-0000000000d1";
        const { tenant, command } = setUp({
            servicePrincipals: [{ Identity: identity, AppId: appId, ObjectId: servicePrincipalObjectId, DisplayName: "by hand" }],
            mailboxes: {
                [edi]: mailbox(edi, { permissions: [{ User: identity, AccessRights: ["FullAccess"], IsInherited: false, Deny: true }] }),
                [invoices]: mailbox(invoices),
            },
        });
        const state = ok(command.up(commandInputs({ mailboxes: [...imap.mailboxes, { address: invoices, protocols: ["imap"] }] })));
        assert.deepStrictEqual(
            state.failures.map((failure) => failure.address),
            [edi],
        );
        assert.match(state.failures[0].message, new RegExp(`explicit Deny FullAccess entry for the app's service principal ${identity}`));
        assert.ok(!tenant.calls().some((call) => call.cmdlet === "Add-MailboxPermission" && call.parameters.Identity === edi), "no Allow added");
        assert.ok(
            tenant.mailboxState(edi).permissions.some((entry) => entry.User === identity && entry.Deny),
            "the Deny stays",
        );
        assert.deepStrictEqual(grantedMailboxes(state), [invoices], "the blocked mailbox is not reported as granted");
        assert.strictEqual(command.destroy().code, 0);
        assert.ok(
            tenant.mailboxState(edi).permissions.some((entry) => entry.User === identity && entry.Deny),
            "destroy leaves the Deny too",
        );
    });

    describe("3: organisation-wide SMTP AUTH is not overridden per mailbox", () => {
        const org: StackShape = { mailboxes: [{ address: edi, protocols: ["smtp"] }], smtpAuth: "organization" };

        it("a mailbox whose own setting is $true gets $null, is recorded, and gets $true back on destroy", () => {
            const { tenant, command } = setUp({ mailboxes: { [edi]: mailbox(edi, { SmtpClientAuthenticationDisabled: true }) } });
            const state = ok(command.up(commandInputs(org)));
            assert.strictEqual(tenant.mailboxState(edi).SmtpClientAuthenticationDisabled, null);
            assert.strictEqual(smtpAuthEffective(tenant, edi), true, "SMTP AUTH is really on for the mailbox");
            assert.deepStrictEqual(state.mailboxes[edi].before, { SmtpClientAuthenticationDisabled: true });
            assert.deepStrictEqual(grantedMailboxes(state), [edi]);
            assert.strictEqual(command.destroy().code, 0);
            assert.strictEqual(tenant.mailboxState(edi).SmtpClientAuthenticationDisabled, true, "put back");
            assert.strictEqual(tenant.read().organization.smtpClientAuthenticationDisabled, true, "and the organisation's too");
        });

        it("switching from per mailbox to organisation-wide does not restore the mailbox's earlier $true", () => {
            const { tenant, command } = setUp({ mailboxes: { [edi]: mailbox(edi, { SmtpClientAuthenticationDisabled: true }) } });
            ok(command.up(commandInputs({ ...org, smtpAuth: "mailbox" })));
            assert.strictEqual(tenant.mailboxState(edi).SmtpClientAuthenticationDisabled, false);
            ok(command.up(commandInputs(org)));
            assert.strictEqual(smtpAuthEffective(tenant, edi), true);
            assert.notStrictEqual(tenant.mailboxState(edi).SmtpClientAuthenticationDisabled, true);
        });
    });

    it("4: one failing mailbox leaves no other without the SMTP AUTH it had", () => {
        const { tenant, command } = setUp({ mailboxes: { [edi]: mailbox(edi), [invoices]: mailbox(invoices) } });
        const both = (smtpAuth: "mailbox" | "organization"): StackShape => ({
            mailboxes: [
                { address: edi, protocols: ["smtp"] },
                { address: invoices, protocols: ["smtp"] },
            ],
            smtpAuth,
        });
        ok(command.up(commandInputs(both("mailbox"))));
        assert.ok(smtpAuthEffective(tenant, edi) && smtpAuthEffective(tenant, invoices));
        tenant.update((state) => (state.faults = [{ cmdlet: "Get-CASMailbox", identity: invoices, kind: "throttled" }]));
        const failed = ok(command.up(commandInputs(both("organization"))));
        assert.deepStrictEqual(
            failed.failures.map((failure) => failure.address),
            [invoices],
        );
        assert.strictEqual(smtpAuthEffective(tenant, edi), true, "the mailbox that did not fail still has SMTP AUTH");
        assert.strictEqual(smtpAuthEffective(tenant, invoices), true, "and so does the one that failed");
        tenant.update((state) => (state.faults = []));
        ok(command.up(commandInputs({ ...both("mailbox"), connection: { reconcileRun: "2" } })));
        assert.ok(smtpAuthEffective(tenant, edi) && smtpAuthEffective(tenant, invoices), "and back again");
        assert.strictEqual(tenant.read().organization.smtpClientAuthenticationDisabled, true, "the organisation's setting is restored");
    });

    describe("5: a cmdlet the signed-in roles lack is named at once, not read as 'not found'", () => {
        it("create stops before any change, naming the cmdlet and how to find its role", () => {
            const { tenant, command } = setUp({ mailboxes: { [edi]: mailbox(edi) }, connect: { missingCmdlets: ["Add-RecipientPermission"] } });
            const run = command.up(commandInputs({ mailboxes: [{ address: edi, protocols: ["smtp"] }] }))!;
            assert.strictEqual(run.code, 1);
            assert.match(run.stderr, /session lacks Add-RecipientPermission.*Get-ManagementRole -Cmdlet/);
            assert.deepStrictEqual(tenant.changingCalls(), []);
        });

        it("destroy fails naming the cmdlet, and leaves the grants and the registration for a retry", () => {
            const { tenant, command } = setUp({ mailboxes: { [edi]: mailbox(edi) } });
            ok(command.up(commandInputs(imap)));
            const identity = tenant.servicePrincipalIdentity();
            tenant.update((state) => (state.connect.missingCmdlets = ["Remove-MailboxPermission"]));
            const run = command.destroy();
            assert.strictEqual(run.code, 1);
            assert.match(run.stderr, /session lacks Remove-MailboxPermission/);
            assert.ok(hasFullAccess(tenant, edi, identity), "the grant is still there");
            assert.strictEqual(tenant.servicePrincipalIdentity(), identity, "and so is the registration");
            tenant.update((state) => (state.connect.missingCmdlets = []));
            assert.strictEqual(command.destroy().code, 0);
            assert.ok(!hasFullAccess(tenant, edi, identity));
        });
    });

    it("6: New-ServicePrincipal runs once; Entra ID's replication lag is waited out on the first grant", () => {
        const { tenant, command } = setUp({ mailboxes: { [edi]: mailbox(edi) }, entra: { [servicePrincipalObjectId]: { appId, pendingAttempts: 2 } } });
        const state = ok(command.up(commandInputs({ mailboxes: [{ address: edi, protocols: ["imap", "smtp"] }] })));
        assert.deepStrictEqual(state.failures, []);
        assert.strictEqual(names(tenant).filter((name) => name === "New-ServicePrincipal").length, 1);
        assert.strictEqual(names(tenant).filter((name) => name === "Add-MailboxPermission").length, 3);
        assert.ok(hasFullAccess(tenant, edi, tenant.servicePrincipalIdentity()) && hasSendAs(tenant, edi, tenant.servicePrincipalIdentity()));
    });

    describe("7: module versions", () => {
        it("-DisableWAM with a module older than 3.7.2 stops before signing in, saying so", () => {
            const { tenant } = setUp({ mailboxes: { [edi]: mailbox(edi) } });
            const folder = path.join(tenant.dir, "old-modules");
            standInModuleAt(folder, "3.7.1");
            const run = runCommand(pwsh(), "create", commandInputs({ ...imap, connection: { disableWam: true } }), undefined, {
                ...tenant.machine(),
                PSModulePath: folder,
            });
            assert.strictEqual(run.code, 1);
            assert.match(run.stderr, /-DisableWAM needs ExchangeOnlineManagement 3\.7\.2 or later and this is 3\.7\.1/);
            assert.ok(!tenant.calls().some((call) => call.cmdlet === "Connect-ExchangeOnline"));
        });

        it("a 3.10 module is not chosen on a PowerShell older than 7.6; the install command caps at 3.9.2 there", () => {
            const script = [
                "$module = Import-Module (Join-Path $env:SCRIPTS 'ExchangeMailAccess/ExchangeMailAccess.psd1') -PassThru",
                "& $module { Get-ExchangeModuleInstallCommand -PowerShellVersion 7.4.6 }",
                "& $module { Get-ExchangeModuleInstallCommand -PowerShellVersion 7.6.0 }",
            ].join("; ");
            const run = spawnSync(pwsh(), ["-NoProfile", "-NonInteractive", "-Command", script], {
                env: { ...process.env, SCRIPTS: path.join(projectRoot(), "scripts") },
                encoding: "utf8",
            });
            assert.strictEqual(run.status, 0, run.stderr);
            const [before76, from76] = run.stdout.trim().split(/\r?\n/);
            assert.match(before76, /-MinimumVersion 3\.0\.0 -MaximumVersion 3\.9\.2/);
            assert.doesNotMatch(from76, /MaximumVersion/);
        });
    });

    it("8: permission entries without the properties a script expects are read under strict mode", () => {
        const { tenant, command } = setUp({ mailboxes: { [edi]: mailbox(edi, { sendAs: [{ Trustee: "NT AUTHORITY\\SELF", AccessControlType: "Allow" }] }) } });
        const state = ok(command.up(commandInputs({ mailboxes: [{ address: edi, protocols: ["smtp"] }] })));
        assert.deepStrictEqual(state.failures, []);
        assert.ok(hasSendAs(tenant, edi, tenant.servicePrincipalIdentity()));
        // The stack's own entry, as the stand-in adds it, and one read back without IsInherited next run.
        tenant.update((s) => s.mailboxes[edi].sendAs.forEach((entry) => delete entry.IsInherited));
        const reread = ok(command.up(commandInputs({ mailboxes: [{ address: edi, protocols: ["smtp"] }], connection: { reconcile: "all" } })));
        assert.deepStrictEqual(reread.failures, []);
        assert.deepStrictEqual(grantedMailboxes(reread), [edi]);
    });
});
