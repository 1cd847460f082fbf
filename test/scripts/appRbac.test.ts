/**
 * SMTP through Exchange RBAC for Applications (exchange.smtpAuthorization: appRbac), under PowerShell 7 against
 * the stand-in Exchange Online: create, a rerun with nothing to do, adding and removing a mailbox, switching modes
 * both ways and destroy, never touching what the stack did not make.
 */
import * as assert from "assert";
import { grantedMailboxes } from "../../components/exchangeMailboxAccess/exchangeRecord";
import { runCommand } from "./commandProvider";
import { hasFullAccess, hasSendAs, names, ok, tenantsOf } from "./scenarioHelpers";
import { commandInputs, mailbox, organization, StackShape, StandInTenant } from "./standInTenant";
import { planAccess } from "../../plan/accessPlan";
import { appRbacSmtpRole } from "../../facts/microsoft";

const sender = "sender@contoso.com";
const reader = "reader@contoso.com";
const later = "later@contoso.com";
const group = "edi-smtp-senders";

function shape(mode: "appRbac" | "mailboxPermission", mailboxes: StackShape["mailboxes"], reconcileRun = ""): StackShape {
    return { mailboxes, connection: { smtpAuthorization: mode, appRbacGroup: group, reconcileRun } };
}

function rbacObjects(tenant: StandInTenant) {
    const state = tenant.read();
    const found = state.groups.find((g) => g.Name === group);
    return {
        members: found ? [...found.members].sort() : undefined,
        scope: state.scopes.find((s) => s.Name === `${group}-scope`),
        assignment: state.roleAssignments.find((a) => a.Name === `${group}-SMTP.SendAsApp`),
    };
}

describe("SMTP through RBAC for Applications (appRbac) under PowerShell 7 against the stand-in", function () {
    this.timeout(600_000);
    const { setUp, pwsh } = tenantsOf(this);
    const boxes = () => ({ [sender]: mailbox(sender), [reader]: mailbox(reader), [later]: mailbox(later) });
    const start: StackShape["mailboxes"] = [
        { address: sender, protocols: ["smtp"] },
        { address: reader, protocols: ["imap", "smtp"] },
    ];

    it("the plan asks Entra ID for no SMTP.SendAsApp and Exchange for no SendAs; imap keeps FullAccess", () => {
        const plan = planAccess({ mailboxes: start, smtpAuth: "mailbox", displayName: "EDI", exchange: { smtpAuthorization: "appRbac" } });
        assert.deepStrictEqual(
            plan.appRoles.map((role) => role.name),
            ["IMAP.AccessAsApp"],
        );
        assert.deepStrictEqual(
            plan.mailboxes.map((m) => [m.address, m.fullAccess, m.sendAs, m.groupMember]),
            [
                [sender, false, false, true],
                [reader, true, false, true],
            ],
        );
        assert.deepStrictEqual(plan.appRbac, {
            wanted: true,
            group: "edi-smtp-senders",
            scope: "edi-smtp-senders-scope",
            assignment: "edi-smtp-senders-SMTP.SendAsApp",
            role: appRbacSmtpRole,
            members: [sender, reader],
        });
    });

    describe("create, rerun, add, remove, switch both ways, destroy", () => {
        const { tenant, command } = setUp({ mailboxes: boxes() });

        it("create: the stack's group holds exactly the smtp mailboxes, scoped, assigned, each checked", () => {
            const state = ok(command.up(commandInputs(shape("appRbac", start))));
            assert.deepStrictEqual(state.failures, []);
            const identity = tenant.servicePrincipalIdentity();
            const objects = rbacObjects(tenant);
            assert.deepStrictEqual(objects.members, [reader, sender]);
            const dn = tenant.read().groups.find((g) => g.Name === group)!.DistinguishedName;
            assert.strictEqual(objects.scope?.RecipientRestrictionFilter, `MemberOfGroup -eq '${dn}'`);
            assert.strictEqual(objects.assignment?.Role, appRbacSmtpRole);
            assert.strictEqual(objects.assignment?.App, identity);
            assert.strictEqual(objects.assignment?.CustomResourceScope, `${group}-scope`);
            const assign = tenant.calls().find((call) => call.cmdlet === "New-ManagementRoleAssignment")!;
            assert.strictEqual(assign.parameters.App, tenant.read().servicePrincipals[0].ObjectId, "-App takes the service principal's ObjectId");
            assert.ok(!hasFullAccess(tenant, sender, identity) && !hasSendAs(tenant, sender, identity), "smtp only: no mailbox permission");
            assert.ok(hasFullAccess(tenant, reader, identity) && !hasSendAs(tenant, reader, identity), "imap keeps FullAccess, no SendAs");
            assert.deepStrictEqual(
                tenant
                    .calls()
                    .filter((call) => call.cmdlet === "Test-ServicePrincipalAuthorization")
                    .map((call) => call.parameters.Resource)
                    .sort(),
                [reader, sender],
            );
            assert.deepStrictEqual(grantedMailboxes(state), [reader, sender]);
            assert.deepStrictEqual(state.rbac?.owns, { group: true, scope: true, assignment: true });
            // The order Microsoft gives: group, scope, role assignment, before any member joins.
            const order = names(tenant).filter((name) =>
                /^(New-DistributionGroup|New-ManagementScope|New-ManagementRoleAssignment|Add-DistributionGroupMember)$/.test(name),
            );
            assert.deepStrictEqual(order.slice(0, 3), ["New-DistributionGroup", "New-ManagementScope", "New-ManagementRoleAssignment"]);
        });

        it("a rerun with nothing to do reads nothing and changes nothing", () => {
            assert.strictEqual(command.up(commandInputs(shape("appRbac", start))), undefined, "the engine sees no diff");
            tenant.clearLog();
            const run = runCommand(pwsh(), "update", commandInputs(shape("appRbac", start)), { stdout: command.stdout!, stderr: "" }, tenant.machine());
            ok(run);
            assert.deepStrictEqual(names(tenant), ["Connect-ExchangeOnline", "Get-ConnectionInformation", "Get-ServicePrincipal", "Disconnect-ExchangeOnline"]);
            assert.match(run.stderr, /nothing changed/);
        });

        it("adding a mailbox adds it to the group only; removing one takes it out, nothing else", () => {
            tenant.clearLog();
            ok(command.up(commandInputs(shape("appRbac", [...start, { address: later, protocols: ["smtp"] }]))));
            assert.deepStrictEqual(rbacObjects(tenant).members, [later, reader, sender]);
            assert.deepStrictEqual(
                tenant.changingCalls().map((c) => `${c.cmdlet} ${String(c.parameters.Member ?? c.parameters.Identity)}`),
                [`Add-DistributionGroupMember ${later}`, `Set-CASMailbox ${later}`],
            );
            tenant.clearLog();
            ok(command.up(commandInputs(shape("appRbac", [start[1], { address: later, protocols: ["smtp"] }]))));
            assert.deepStrictEqual(rbacObjects(tenant).members, [later, reader]);
            assert.deepStrictEqual(
                tenant.changingCalls().map((c) => `${c.cmdlet} ${String(c.parameters.Member ?? c.parameters.Identity)}`),
                [`Remove-DistributionGroupMember ${sender}`, `Set-CASMailbox ${sender}`],
            );
        });

        it("switching to mailboxPermission grants FullAccess and SendAs first, then removes members, assignment, scope and group", () => {
            tenant.clearLog();
            const mailboxes: StackShape["mailboxes"] = [start[1], { address: later, protocols: ["smtp"] }];
            const state = ok(command.up(commandInputs(shape("mailboxPermission", mailboxes))));
            assert.deepStrictEqual(state.failures, []);
            const identity = tenant.servicePrincipalIdentity();
            for (const address of [reader, later]) assert.ok(hasFullAccess(tenant, address, identity) && hasSendAs(tenant, address, identity), address);
            assert.deepStrictEqual(rbacObjects(tenant), { members: undefined, scope: undefined, assignment: undefined });
            const calls = tenant.calls().map((c) => `${c.cmdlet} ${String(c.parameters.Member ?? c.parameters.Identity)}`);
            for (const address of [reader, later]) {
                const granted = calls.indexOf(`Add-RecipientPermission ${address}`);
                assert.ok(granted >= 0 && granted < calls.indexOf(`Remove-DistributionGroupMember ${address}`), `${address}: new access before the old goes`);
            }
            assert.deepStrictEqual(
                names(tenant).filter((name) => /^Remove-(ManagementRoleAssignment|ManagementScope|DistributionGroup)$/.test(name)),
                ["Remove-ManagementRoleAssignment", "Remove-ManagementScope", "Remove-DistributionGroup"],
            );
            assert.strictEqual(state.rbac ?? null, null);
        });

        it("and back to appRbac: the group first, then SendAs and the smtp-only FullAccess go", () => {
            tenant.clearLog();
            const mailboxes: StackShape["mailboxes"] = [start[1], { address: later, protocols: ["smtp"] }];
            const state = ok(command.up(commandInputs(shape("appRbac", mailboxes))));
            assert.deepStrictEqual(state.failures, []);
            const identity = tenant.servicePrincipalIdentity();
            assert.deepStrictEqual(rbacObjects(tenant).members, [later, reader]);
            assert.ok(!hasFullAccess(tenant, later, identity) && !hasSendAs(tenant, later, identity));
            assert.ok(hasFullAccess(tenant, reader, identity) && !hasSendAs(tenant, reader, identity));
            const calls = names(tenant);
            assert.ok(calls.indexOf("New-ManagementRoleAssignment") < calls.indexOf("Remove-RecipientPermission"));
        });

        it("destroy removes the members, the assignment, the scope, the group and the registration", () => {
            const identity = tenant.servicePrincipalIdentity();
            const run = command.destroy();
            assert.strictEqual(run.code, 0, run.stderr);
            assert.deepStrictEqual(rbacObjects(tenant), { members: undefined, scope: undefined, assignment: undefined });
            assert.strictEqual(tenant.servicePrincipalIdentity(), undefined);
            for (const address of [sender, reader, later]) {
                assert.ok(!hasFullAccess(tenant, address, identity) && !hasSendAs(tenant, address, identity), address);
            }
        });
    });

    it("a group of the stack's name that the stack did not make is left alone, and the mailboxes keep what they had", () => {
        const { tenant, command } = setUp({
            mailboxes: boxes(),
            groups: [
                {
                    Name: group,
                    Alias: group,
                    DistinguishedName: `CN=${group},OU=${organization}`,
                    Guid: "99999999-0000-4000-8000-000000000009",
                    PrimarySmtpAddress: `${group}@contoso.com`,
                    members: ["someone@contoso.com"],
                },
            ],
        });
        ok(command.up(commandInputs(shape("mailboxPermission", start))));
        const identity = tenant.servicePrincipalIdentity();
        const state = ok(command.up(commandInputs(shape("appRbac", start, "switch"))));
        assert.ok(state.failures.some((failure) => failure.address === "appRbac" && /already exists and was not made by this stack/.test(failure.message)));
        assert.deepStrictEqual(tenant.read().groups[0].members, ["someone@contoso.com"], "the group is untouched");
        assert.deepStrictEqual(tenant.read().scopes, []);
        assert.ok(hasSendAs(tenant, sender, identity) && hasFullAccess(tenant, sender, identity), "SendAs stays while RBAC is not in place");
        assert.strictEqual(command.destroy().code, 0);
        assert.deepStrictEqual(tenant.read().groups[0].members, ["someone@contoso.com"], "destroy leaves it too");
        assert.strictEqual(tenant.read().groups.length, 1);
    });

    it("a one-mailbox change costs the same Exchange calls among 1000 mailboxes as among 10", () => {
        function calls(count: number): number {
            const addresses = Array.from({ length: count }, (_, i) => `box-${String(i).padStart(4, "0")}@contoso.com`);
            const { tenant, command } = setUp({ mailboxes: Object.fromEntries(addresses.map((address) => [address, mailbox(address)])) });
            const mix = (i: number): StackShape["mailboxes"][number]["protocols"] => ([["smtp"], ["imap", "smtp"], ["pop"]] as const)[i % 3].slice();
            ok(
                command.up(
                    commandInputs(
                        shape(
                            "appRbac",
                            addresses.map((address, i) => ({ address, protocols: mix(i) })),
                        ),
                    ),
                ),
            );
            tenant.clearLog();
            ok(
                command.up(
                    commandInputs(
                        shape(
                            "appRbac",
                            addresses.map((address, i) => ({ address, protocols: i === 2 ? ["pop", "smtp"] : mix(i) })),
                        ),
                    ),
                ),
            );
            return tenant.calls().length;
        }
        assert.strictEqual(calls(1000), calls(10));
    });
});
