/**
 * The Exchange scripts under the real PowerShell 7, against the stand-in Exchange Online, run exactly as
 * @pulumi/command 1.x runs them, through sequences of `pulumi up` and `pulumi destroy`.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { failureMessage } from "../../components/exchangeMailboxAccess/exchangeRecord";
import { CommandResource, CommandRun, runCommand } from "./commandProvider";
import { hasFullAccess, hasSendAs, names, ok, tenantsOf } from "./scenarioHelpers";
import { appId, commandInputs, mailbox, StackShape, standInModuleAt } from "./standInTenant";

describe("Exchange scripts under PowerShell 7 against the stand-in Exchange Online", function () {
    this.timeout(600_000);
    const { setUp, pwsh } = tenantsOf(this);

    const edi = "edi@contoso.com";
    const invoices = "invoices@contoso.com";
    const both: StackShape = {
        mailboxes: [
            { address: edi, protocols: ["imap", "smtp"] },
            { address: invoices, protocols: ["pop"] },
        ],
    };

    describe("create, rerun, add, remove, destroy", () => {
        const { tenant, command } = setUp({
            mailboxes: { [edi]: mailbox(edi), [invoices]: mailbox(invoices), ["new@contoso.com"]: mailbox("new@contoso.com") },
            entra: { "5b5b5b5b-0000-4000-8000-000000000001": { appId, pendingAttempts: 3 } },
        });

        it("create: registers the service principal through Entra ID's replication delay, grants and enables, records it", () => {
            const state = ok(command.up(commandInputs(both)));
            const identity = tenant.servicePrincipalIdentity();
            assert.ok(identity);
            // New-ServicePrincipal validates nothing and succeeds at once; the lag shows on the first grant.
            assert.strictEqual(names(tenant).filter((name) => name === "New-ServicePrincipal").length, 1);
            assert.strictEqual(
                tenant.calls().filter((call) => call.cmdlet === "Add-MailboxPermission" && call.parameters.Identity === edi).length,
                4,
                "three replication failures on the first grant, then success",
            );
            assert.ok(hasFullAccess(tenant, edi, identity) && hasSendAs(tenant, edi, identity));
            assert.ok(hasFullAccess(tenant, invoices, identity) && !hasSendAs(tenant, invoices, identity));
            assert.strictEqual(tenant.mailboxState(edi).ImapEnabled, true);
            assert.strictEqual(tenant.mailboxState(edi).SmtpClientAuthenticationDisabled, false);
            assert.strictEqual(tenant.mailboxState(invoices).PopEnabled, true);
            // Grants name the service principal by its Exchange Identity, as Microsoft documents.
            for (const call of tenant.calls().filter((c) => c.cmdlet === "Add-MailboxPermission")) {
                assert.strictEqual(call.parameters.User, identity);
                assert.strictEqual(call.parameters.AutoMapping, false);
            }
            assert.deepStrictEqual(state.failures, []);
            assert.deepStrictEqual(state.mailboxes[edi].owns, { fullAccess: true, sendAs: true, groupMember: false });
            assert.deepStrictEqual(state.mailboxes[edi].before, { ImapEnabled: false, SmtpClientAuthenticationDisabled: null });
            assert.ok(!/warning|connected/i.test(command.stdout ?? ""), "the module's warnings and host output are not on stdout");
            assert.match(command.runs[0].stderr, /warning: Stand-in Exchange Online/);
        });

        it("an unchanged config runs nothing; a forced rerun makes no change and reads no trusted mailbox", () => {
            assert.strictEqual(command.up(commandInputs(both)), undefined, "the engine sees no diff");
            tenant.clearLog();
            const previous = { stdout: command.stdout!, stderr: "" };
            const run = runCommand(pwsh(), "update", commandInputs(both), previous, tenant.machine());
            ok(run);
            assert.deepStrictEqual(names(tenant), ["Connect-ExchangeOnline", "Get-ConnectionInformation", "Get-ServicePrincipal", "Disconnect-ExchangeOnline"]);
            assert.match(run.stderr, /nothing changed/);
        });

        it("adding a mailbox reads and changes only that mailbox", () => {
            tenant.clearLog();
            const state = ok(command.up(commandInputs({ mailboxes: [...both.mailboxes, { address: "new@contoso.com", protocols: ["imap"] }] })));
            const touched = new Set(
                tenant
                    .calls()
                    .filter((c) => c.parameters.Identity && c.cmdlet !== "Get-ServicePrincipal")
                    .map((c) => c.parameters.Identity),
            );
            assert.deepStrictEqual([...touched], ["new@contoso.com"]);
            assert.ok(hasFullAccess(tenant, "new@contoso.com", tenant.servicePrincipalIdentity()));
            assert.ok(state.mailboxes["new@contoso.com"]);
        });

        it("removing a protocol revokes its grant and restores its setting, keeping the rest", () => {
            tenant.clearLog();
            const state = ok(
                command.up(
                    commandInputs({
                        mailboxes: [
                            { address: edi, protocols: ["imap"] },
                            { address: invoices, protocols: ["pop"] },
                            { address: "new@contoso.com", protocols: ["imap"] },
                        ],
                    }),
                ),
            );
            const identity = tenant.servicePrincipalIdentity();
            assert.ok(hasFullAccess(tenant, edi, identity));
            assert.ok(!hasSendAs(tenant, edi, identity));
            assert.strictEqual(tenant.mailboxState(edi).SmtpClientAuthenticationDisabled, null, "back to the organisation's setting");
            assert.strictEqual(tenant.mailboxState(edi).ImapEnabled, true);
            assert.deepStrictEqual(state.mailboxes[edi].before, { ImapEnabled: false });
            assert.deepStrictEqual(
                tenant
                    .changingCalls()
                    .map((c) => c.cmdlet)
                    .sort(),
                ["Remove-RecipientPermission", "Set-CASMailbox"],
            );
        });

        it("removing a mailbox revokes its grants and restores its settings", () => {
            const state = ok(
                command.up(
                    commandInputs({
                        mailboxes: [
                            { address: edi, protocols: ["imap"] },
                            { address: "new@contoso.com", protocols: ["imap"] },
                        ],
                    }),
                ),
            );
            assert.ok(!hasFullAccess(tenant, invoices, tenant.servicePrincipalIdentity()));
            assert.strictEqual(tenant.mailboxState(invoices).PopEnabled, false);
            assert.strictEqual(state.mailboxes[invoices], undefined, "nothing left to remember");
            // Other trustees' entries are untouched.
            assert.ok(tenant.mailboxState(invoices).permissions.some((entry) => entry.User === "NT AUTHORITY\\SELF"));
        });

        it("destroy revokes everything and removes the Exchange service principal", () => {
            const identity = tenant.servicePrincipalIdentity();
            const run = command.destroy();
            assert.strictEqual(run.code, 0, run.stderr);
            for (const address of [edi, invoices, "new@contoso.com"]) {
                assert.ok(!hasFullAccess(tenant, address, identity) && !hasSendAs(tenant, address, identity), address);
                assert.strictEqual(tenant.mailboxState(address).ImapEnabled, false, address);
            }
            assert.strictEqual(tenant.servicePrincipalIdentity(), undefined);
            assert.strictEqual(run.stdout, "", "delete prints nothing on stdout");
        });
    });

    it("leaves grants and settings that were there before the stack alone, and never revokes them", () => {
        const identity = "0e0e0e0e-0000-4000-8000-0000000000ee";
        const { tenant, command } = setUp({
            // The admin once followed the manual guide: the app is registered and has FullAccess; IMAP is on.
            servicePrincipals: [{ Identity: identity, AppId: appId, ObjectId: "5b5b5b5b-0000-4000-8000-000000000001", DisplayName: "by hand" }],
            mailboxes: {
                [edi]: mailbox(edi, {
                    ImapEnabled: true,
                    permissions: [
                        { User: identity, AccessRights: ["FullAccess"], IsInherited: false, Deny: false },
                        { User: "admin@contoso.com", AccessRights: ["FullAccess"], IsInherited: false, Deny: true },
                    ],
                }),
            },
        });
        const state = ok(command.up(commandInputs({ mailboxes: [{ address: edi, protocols: ["imap", "smtp"] }] })));
        assert.deepStrictEqual(
            tenant
                .changingCalls()
                .map((c) => c.cmdlet)
                .sort(),
            ["Add-RecipientPermission", "Set-CASMailbox"],
        );
        assert.deepStrictEqual(state.mailboxes[edi].owns, { fullAccess: false, sendAs: true, groupMember: false });
        assert.strictEqual(command.destroy().code, 0);
        assert.ok(hasFullAccess(tenant, edi, identity), "the FullAccess given by hand stays");
        assert.ok(!hasSendAs(tenant, edi, identity), "the SendAs the stack gave goes");
        assert.strictEqual(tenant.mailboxState(edi).ImapEnabled, true, "IMAP was on before the stack and stays on");
        assert.ok(
            tenant.mailboxState(edi).permissions.some((entry) => entry.Deny),
            "the deny entry stays",
        );
    });

    it("moves the grants when the enterprise application is replaced", () => {
        const newObjectId = "5b5b5b5b-0000-4000-8000-000000000002";
        const { tenant, command } = setUp({
            mailboxes: { [edi]: mailbox(edi) },
            entra: { "5b5b5b5b-0000-4000-8000-000000000001": { appId, pendingAttempts: 0 }, [newObjectId]: { appId, pendingAttempts: 1 } },
        });
        ok(command.up(commandInputs({ mailboxes: [{ address: edi, protocols: ["pop", "smtp"] }] })));
        const oldIdentity = tenant.servicePrincipalIdentity();
        const state = ok(command.up(commandInputs({ mailboxes: [{ address: edi, protocols: ["pop", "smtp"] }], servicePrincipalObjectId: newObjectId })));
        const newIdentity = tenant.servicePrincipalIdentity();
        assert.notStrictEqual(newIdentity, oldIdentity);
        assert.strictEqual(tenant.read().servicePrincipals.length, 1, "the old registration is gone");
        assert.ok(!hasFullAccess(tenant, edi, oldIdentity) && !hasSendAs(tenant, edi, oldIdentity));
        assert.ok(hasFullAccess(tenant, edi, newIdentity) && hasSendAs(tenant, edi, newIdentity));
        assert.deepStrictEqual(state.mailboxes[edi].owns, { fullAccess: true, sendAs: true, groupMember: false });
        assert.strictEqual(tenant.mailboxState(edi).PopEnabled, true);
        assert.deepStrictEqual(state.mailboxes[edi].before.PopEnabled, false, "the setting's earlier value survives the move");
    });

    describe("New-ServicePrincipal while Entra ID replicates (issue #29 part 5)", () => {
        const objectId = "5b5b5b5b-0000-4000-8000-000000000001";
        const imapAndSmtp: StackShape = { mailboxes: [{ address: edi, protocols: ["imap", "smtp"] }] };

        it("the registration lags three times and the first run still registers once, grants and succeeds", () => {
            const { tenant, command } = setUp({
                mailboxes: { [edi]: mailbox(edi) },
                entra: { [objectId]: { appId, pendingAttempts: 1, registrationPendingAttempts: 3 } },
            });
            const state = ok(command.up(commandInputs(imapAndSmtp)));
            assert.deepStrictEqual(state.failures, []);
            const registrations = tenant.calls().filter((call) => call.cmdlet === "New-ServicePrincipal");
            assert.strictEqual(registrations.length, 4, 'three answers of "couldn\'t be found", then the registration');
            assert.ok(registrations.every((call) => call.parameters.ObjectId === objectId && call.parameters.AppId === appId));
            assert.strictEqual(tenant.read().servicePrincipals.length, 1);
            const identity = tenant.servicePrincipalIdentity();
            assert.ok(hasFullAccess(tenant, edi, identity) && hasSendAs(tenant, edi, identity));
            assert.match(command.runs[0].stderr, /does not know the service principal yet \(Register of 5b5b5b5b-0000-4000-8000-000000000001, attempt 3\)/);
        });

        it("lagging past the bound fails before any grant, naming the fix; the next run, once replicated, succeeds", () => {
            const { tenant } = setUp({
                mailboxes: { [edi]: mailbox(edi) },
                entra: { [objectId]: { appId, pendingAttempts: 0, registrationPendingAttempts: 1000 } },
            });
            // The production bound is 900 s; the same policy with a bound of 50 ms.
            const command = new CommandResource(pwsh, { ...tenant.machine(), M365_EXO_REGISTRATION_TIMEOUT_SECONDS: "0.05" });
            const run = command.up(commandInputs(imapAndSmtp))!;
            assert.strictEqual(run.code, 1, "no record: the provider keeps none and the update fails");
            assert.match(
                run.stderr,
                /Exchange Online still did not know the service principal after \d+ attempts in 0\.05 s \(Register of 5b5b5b5b-0000-4000-8000-000000000001\): .*ManagementObjectNotFoundException.*couldn't be found.*run 'pulumi up' again in a few minutes/,
            );
            assert.deepStrictEqual(
                tenant
                    .changingCalls()
                    .map((call) => call.cmdlet)
                    .filter((name) => name !== "New-ServicePrincipal"),
                [],
                "nothing but the registration was tried",
            );
            assert.deepStrictEqual(tenant.read().servicePrincipals, []);
            tenant.update((state) => (state.entra[objectId].registrationPendingAttempts = 0));
            ok(command.up(commandInputs(imapAndSmtp)));
            assert.ok(hasFullAccess(tenant, edi, tenant.servicePrincipalIdentity()));
        });
    });

    describe("one mailbox failing", () => {
        const { tenant, command } = setUp({
            mailboxes: { [edi]: mailbox(edi), [invoices]: mailbox(invoices) },
            faults: [{ cmdlet: "Add-RecipientPermission", identity: invoices, kind: "denied" }],
        });
        const shape: StackShape = {
            mailboxes: [
                { address: edi, protocols: ["imap", "smtp"] },
                { address: invoices, protocols: ["imap", "smtp"] },
            ],
        };
        let failedRun: CommandRun;

        it("fails the deployment naming the mailbox, and records everything it did change", () => {
            failedRun = command.up(commandInputs(shape))!;
            const state = ok(failedRun);
            assert.deepStrictEqual(
                state.failures.map((failure) => failure.address),
                [invoices],
            );
            assert.match(state.failures[0].message, /granted SendAs on invoices@contoso\.com failed: .*isn't assigned/);
            assert.match(failedRun.stderr, /1 failure\(s\)[\s\S]*invoices@contoso\.com/);
            const identity = tenant.servicePrincipalIdentity();
            assert.ok(hasFullAccess(tenant, invoices, identity), "FullAccess was granted before SendAs failed");
            assert.deepStrictEqual(state.mailboxes[invoices].owns, { fullAccess: true, sendAs: false, groupMember: false });
            assert.ok(state.mailboxes[invoices].failed);
            assert.ok(hasSendAs(tenant, edi, identity), "the other mailbox is done");
            assert.ok(!tenant.calls().some((c) => c.cmdlet === "Add-RecipientPermission" && c.parameters.Identity === invoices && !c.parameters.ErrorAction));
            assert.match(failureMessage(state)!, /invoices@contoso\.com[\s\S]*reconcileRun/);
        });

        it("the next run retries the failed mailbox only, and succeeds once the cause is gone", () => {
            tenant.update((state) => (state.faults = []));
            tenant.clearLog();
            const state = ok(command.up(commandInputs({ ...shape, connection: { reconcileRun: "retry-1" } })));
            assert.deepStrictEqual(state.failures, []);
            assert.ok(hasSendAs(tenant, invoices, tenant.servicePrincipalIdentity()));
            // What the failed run did not reach on that mailbox (SendAs, then SMTP AUTH and IMAP), nothing else.
            assert.deepStrictEqual(
                tenant.changingCalls().map((c) => `${c.cmdlet} ${String(c.parameters.Identity)}`),
                [`Add-RecipientPermission ${invoices}`, `Set-CASMailbox ${invoices}`, `Set-CASMailbox ${invoices}`],
            );
            assert.strictEqual(tenant.mailboxState(invoices).ImapEnabled, true);
        });

        it("destroy after a failed run revokes what that run did grant", () => {
            tenant.update((state) => (state.faults = [{ cmdlet: "Set-CASMailbox", identity: edi, kind: "throttled" }]));
            const partial = ok(
                command.up(
                    commandInputs({
                        mailboxes: [
                            { address: edi, protocols: ["pop"] },
                            { address: invoices, protocols: ["imap", "smtp"] },
                        ],
                    }),
                ),
            );
            assert.deepStrictEqual(
                partial.failures.map((f) => f.address),
                [edi],
            );
            tenant.update((state) => (state.faults = []));
            const identity = tenant.servicePrincipalIdentity();
            assert.strictEqual(command.destroy().code, 0);
            for (const address of [edi, invoices]) {
                assert.ok(!hasFullAccess(tenant, address, identity) && !hasSendAs(tenant, address, identity), address);
                assert.strictEqual(tenant.mailboxState(address).ImapEnabled, false, address);
                assert.strictEqual(tenant.mailboxState(address).SmtpClientAuthenticationDisabled, null, address);
            }
        });
    });

    it("organisation-wide SMTP AUTH on, then off: restored to what it was, even across a failed run", () => {
        const { tenant, command } = setUp({ mailboxes: { [edi]: mailbox(edi) } });
        const org: StackShape = { mailboxes: [{ address: edi, protocols: ["smtp"] }], smtpAuth: "organization" };
        const on = ok(command.up(commandInputs(org)));
        assert.strictEqual(tenant.read().organization.smtpClientAuthenticationDisabled, false);
        assert.deepStrictEqual(on.organization, { want: true, owned: true, before: true });
        assert.strictEqual(tenant.mailboxState(edi).SmtpClientAuthenticationDisabled, null, "no per-mailbox change with organization");

        tenant.update((state) => (state.faults = [{ cmdlet: "Get-CASMailbox", identity: edi, kind: "throttled", remaining: 1 }]));
        const failed = ok(command.up(commandInputs({ mailboxes: [{ address: edi, protocols: ["smtp"] }], smtpAuth: "mailbox" })));
        assert.strictEqual(failed.failures.length, 1);
        assert.strictEqual(tenant.read().organization.smtpClientAuthenticationDisabled, false, "left as it is while a mailbox failed");
        assert.deepStrictEqual(failed.organization, on.organization, "and still recorded, so it can be put back");

        const off = ok(
            command.up(commandInputs({ mailboxes: [{ address: edi, protocols: ["smtp"] }], smtpAuth: "mailbox", connection: { reconcileRun: "2" } })),
        );
        assert.strictEqual(tenant.read().organization.smtpClientAuthenticationDisabled, true, "restored");
        assert.deepStrictEqual(off.failures, []);
        assert.strictEqual(tenant.mailboxState(edi).SmtpClientAuthenticationDisabled, false, "now per mailbox");
    });

    it("destroy with no recorded state (a first create that failed) revokes what the configuration asked for", () => {
        const identity = "0e0e0e0e-0000-4000-8000-0000000000ff";
        const { tenant, command } = setUp({
            servicePrincipals: [{ Identity: identity, AppId: appId, ObjectId: "5b5b5b5b-0000-4000-8000-000000000001", DisplayName: "x" }],
            mailboxes: { [edi]: mailbox(edi, { permissions: [{ User: identity, AccessRights: ["FullAccess"], IsInherited: false, Deny: false }] }) },
            faults: [{ cmdlet: "Connect-ExchangeOnline", identity: "*", kind: "denied", remaining: 1 }],
        });
        const first = command.up(commandInputs({ mailboxes: [{ address: edi, protocols: ["imap"] }] }))!;
        assert.notStrictEqual(first.code, 0);
        assert.match(first.stderr, /Connect-ExchangeOnline failed/);
        assert.strictEqual(command.stdout, "", "a failed create records nothing");
        const run = command.destroy();
        assert.strictEqual(run.code, 0, run.stderr);
        assert.ok(!hasFullAccess(tenant, edi, identity));
        assert.strictEqual(tenant.servicePrincipalIdentity(), undefined);
    });

    it("passes addresses such as o'brien@ and $ops@ through as data", () => {
        const odd = ["o'brien@contoso.com", "$ops@contoso.com", "a`b@contoso.com"];
        const { tenant, command } = setUp({ mailboxes: Object.fromEntries(odd.map((address) => [address, mailbox(address)])) });
        const state = ok(command.up(commandInputs({ mailboxes: odd.map((address) => ({ address, protocols: ["imap" as const] })) })));
        const identity = tenant.servicePrincipalIdentity();
        for (const address of odd) {
            assert.ok(hasFullAccess(tenant, address, identity), address);
            assert.ok(state.mailboxes[address.toLowerCase()], address);
        }
        assert.deepStrictEqual(
            [
                ...new Set(
                    tenant
                        .calls()
                        .filter((c) => c.cmdlet === "Add-MailboxPermission")
                        .map((c) => c.parameters.Identity),
                ),
            ].sort(),
            [...odd].sort(),
        );
    });

    it("reports a mailbox that does not exist, and fails nothing else", () => {
        const { tenant, command } = setUp({ mailboxes: { [edi]: mailbox(edi) } });
        const state = ok(
            command.up(
                commandInputs({
                    mailboxes: [
                        { address: edi, protocols: ["imap"] },
                        { address: "typo@contoso.com", protocols: ["imap"] },
                    ],
                }),
            ),
        );
        assert.deepStrictEqual(
            state.failures.map((f) => f.address),
            ["typo@contoso.com"],
        );
        assert.match(state.failures[0].message, /couldn't be found/);
        assert.ok(hasFullAccess(tenant, edi, tenant.servicePrincipalIdentity()));
    });

    describe("sign-in", () => {
        it("stops before any change when the interactive sign-in reached another tenant", () => {
            const { tenant, command } = setUp({ mailboxes: { [edi]: mailbox(edi) }, connect: { interactiveTenantId: "99999999-0000-4000-8000-000000000000" } });
            const run = command.up(commandInputs({ mailboxes: [{ address: edi, protocols: ["imap"] }] }))!;
            assert.strictEqual(run.code, 1);
            assert.match(run.stderr, /tenant '99999999-0000-4000-8000-000000000000'.*azuread:tenantId.*'7a3c5e1f/);
            assert.deepStrictEqual(tenant.changingCalls(), []);
            assert.strictEqual(run.stdout, "");
        });

        it("signs in to the stack's cloud: -ExchangeEnvironmentName for GCC High, none for Worldwide (the cmdlet's default)", () => {
            const shape: StackShape = { mailboxes: [{ address: edi, protocols: ["imap"] }], cloud: "usGovGccHigh" };
            const gccHigh = setUp({ mailboxes: { [edi]: mailbox(edi) } });
            gccHigh.tenant.update((state) => (state.organization.exchangeEnvironment = "O365USGovGCCHigh"));
            const run = gccHigh.command.up(commandInputs(shape))!;
            ok(run);
            assert.strictEqual(
                gccHigh.tenant.calls().find((c) => c.cmdlet === "Connect-ExchangeOnline")?.parameters.ExchangeEnvironmentName,
                "O365USGovGCCHigh",
            );
            assert.ok(hasFullAccess(gccHigh.tenant, edi, gccHigh.tenant.servicePrincipalIdentity()));
            assert.match(run.stderr, /Connecting to Exchange Online \(contoso\.onmicrosoft\.com, interactive sign-in, O365USGovGCCHigh\)/);

            const worldwide = setUp({ mailboxes: { [edi]: mailbox(edi) } });
            ok(worldwide.command.up(commandInputs({ ...shape, cloud: undefined })));
            const connect = worldwide.tenant.calls().find((c) => c.cmdlet === "Connect-ExchangeOnline")!;
            assert.ok(!("ExchangeEnvironmentName" in connect.parameters), JSON.stringify(connect.parameters));
        });

        it("changes nothing when the stack names another cloud than the tenant's", () => {
            const { tenant, command } = setUp({ mailboxes: { [edi]: mailbox(edi) } });
            tenant.update((state) => (state.organization.exchangeEnvironment = "O365USGovDoD"));
            const run = command.up(commandInputs({ mailboxes: [{ address: edi, protocols: ["imap"] }], cloud: "usGovGccHigh" }))!;
            assert.strictEqual(run.code, 1);
            assert.match(run.stderr, /Connect-ExchangeOnline failed for organization contoso\.onmicrosoft\.com/);
            assert.deepStrictEqual(tenant.changingCalls(), []);
        });

        it("passes -DisableWAM when exchange.disableWam is set", () => {
            const { tenant, command } = setUp({ mailboxes: { [edi]: mailbox(edi) } });
            ok(command.up(commandInputs({ mailboxes: [{ address: edi, protocols: ["imap"] }], connection: { disableWam: true } })));
            assert.strictEqual(tenant.calls().find((c) => c.cmdlet === "Connect-ExchangeOnline")?.parameters.DisableWAM, true);
        });

        it("reads the certificate password from stdin as UTF-8 and never prints it", () => {
            const password = "pässwörd-€-✓";
            const { tenant, command } = setUp({ mailboxes: { [edi]: mailbox(edi) }, connect: { certificatePassword: password } });
            const pfx = path.join(tenant.dir, "automation.pfx");
            fs.writeFileSync(pfx, "not inspected by the stand-in");
            const shape: StackShape = {
                mailboxes: [{ address: edi, protocols: ["imap"] }],
                connection: { auth: "certificate", appId: "c0c0c0c0-0000-4000-8000-000000000001", certificatePath: pfx },
                stdin: password,
            };
            // A console that is not UTF-8 must not change the password.
            const run = command.up(commandInputs(shape))!;
            ok(run);
            const connect = tenant.calls().find((c) => c.cmdlet === "Connect-ExchangeOnline")!;
            assert.strictEqual(connect.parameters.CertificatePassword, "<secure>");
            assert.strictEqual(connect.parameters.Organization, "contoso.onmicrosoft.com");
            assert.ok(!run.stdout.includes(password) && !run.stderr.includes(password));
        });

        it("picks the newest module this PowerShell can load, and says so when none can", () => {
            const { tenant } = setUp({ mailboxes: { [edi]: mailbox(edi) } });
            const newer = path.join(tenant.dir, "modules");
            standInModuleAt(newer, "3.99.0", "99.0");
            tenant.modulePaths = [newer];
            const inputs = commandInputs({ mailboxes: [{ address: edi, protocols: ["imap"] }] });
            const run = runCommand(pwsh(), "create", inputs, undefined, tenant.machine());
            ok(run);
            assert.match(run.stderr, /Using ExchangeOnlineManagement 3\.9\.0/);

            const machine = { ...tenant.machine(), PSModulePath: newer };
            const refused = runCommand(pwsh(), "create", inputs, undefined, machine);
            assert.strictEqual(refused.code, 1);
            assert.match(refused.stderr, /No installed ExchangeOnlineManagement can be loaded.*3\.99\.0.*does not load on PowerShell/);
        });
    });

    describe("at scale", () => {
        function tenantOf(count: number) {
            const addresses = Array.from({ length: count }, (_, i) => `box-${String(i).padStart(4, "0")}@contoso.com`);
            return { addresses, ...setUp({ mailboxes: Object.fromEntries(addresses.map((address) => [address, mailbox(address)])) }) };
        }
        const mix = (i: number): ("imap" | "pop" | "smtp")[] => [["imap"], ["pop", "smtp"], ["imap", "smtp"], ["smtp"]][i % 4] as ("imap" | "pop" | "smtp")[];

        function oneChangeCalls(count: number): { calls: number; stderr: number; stdout: number } {
            const { tenant, command, addresses } = tenantOf(count);
            const shape = (changed: boolean): StackShape => ({
                mailboxes: addresses.map((address, i) => ({ address, protocols: changed && i === 0 ? ["imap", "pop"] : mix(i) })),
            });
            const first = command.up(commandInputs(shape(false)))!;
            const state = ok(first);
            assert.strictEqual(Object.keys(state.mailboxes).length, count);
            tenant.clearLog();
            const second = command.up(commandInputs(shape(true)))!;
            ok(second);
            return { calls: tenant.calls().length, stderr: Buffer.byteLength(first.stderr), stdout: Buffer.byteLength(first.stdout) };
        }

        it("a one-mailbox change costs the same Exchange calls among 1000 mailboxes as among 10; the report stays bounded", () => {
            const ten = oneChangeCalls(10);
            const thousand = oneChangeCalls(1000);
            assert.strictEqual(thousand.calls, ten.calls);
            assert.ok(thousand.stderr < 8 * 1024, `stderr of a 1000-mailbox first run is ${thousand.stderr} bytes`);
            assert.ok(thousand.stdout < 64 * 1024, `the record of 1000 mailboxes is ${thousand.stdout} bytes`);
        });

        it("exchange.reconcile all reads every mailbox and repairs drift", () => {
            const { tenant, command, addresses } = tenantOf(5);
            const shape: StackShape = { mailboxes: addresses.map((address) => ({ address, protocols: ["imap"] })) };
            ok(command.up(commandInputs(shape)));
            // Someone removes a grant by hand.
            const identity = tenant.servicePrincipalIdentity();
            tenant.update((state) => {
                const box = state.mailboxes[addresses[3]];
                box.permissions = box.permissions.filter((entry) => entry.User !== identity);
            });
            tenant.clearLog();
            ok(command.up(commandInputs({ ...shape, connection: { reconcile: "all" } })));
            assert.strictEqual(tenant.calls().filter((c) => c.cmdlet === "Get-CASMailbox").length, 5);
            assert.ok(hasFullAccess(tenant, addresses[3], identity), "repaired");
            assert.deepStrictEqual(
                tenant.changingCalls().map((c) => c.cmdlet),
                ["Add-MailboxPermission"],
            );
        });
    });
});
