/**
 * What the Exchange scenario suites share: a stand-in tenant with the command resource that runs the scripts in
 * it, and the checks of what a mail client would really get from Exchange.
 */
import * as assert from "assert";
import { parseRecordedState, RecordedExchangeState, stateMarker } from "../../components/exchangeMailboxAccess/exchangeRecord";
import { CommandResource, CommandRun, requirePwsh } from "./commandProvider";
import { StandInTenant, TenantState } from "./standInTenant";

/** A run that exited 0 and printed exactly the record line; the record. */
export function ok(run: CommandRun | undefined): RecordedExchangeState {
    assert.ok(run, "the command ran");
    assert.strictEqual(run.code, 0, `exit ${run.code}\n${run.stderr}`);
    const lines = run.stdout.split("\n");
    assert.strictEqual(lines.length, 1, `stdout is exactly one line:\n${run.stdout.slice(0, 500)}`);
    assert.ok(lines[0].startsWith(stateMarker), `stdout is the state line: ${lines[0].slice(0, 200)}`);
    return parseRecordedState(run.stdout)!;
}

export function names(tenant: StandInTenant): string[] {
    return tenant.calls().map((call) => call.cmdlet);
}

export function hasFullAccess(tenant: StandInTenant, address: string, identity: string | undefined): boolean {
    return tenant
        .mailboxState(address)
        .permissions.some((entry) => entry.User === identity && !entry.IsInherited && !entry.Deny && entry.AccessRights.includes("FullAccess"));
}

export function hasSendAs(tenant: StandInTenant, address: string, identity: string | undefined): boolean {
    return tenant.mailboxState(address).sendAs.some((entry) => entry.Trustee === identity && entry.AccessControlType === "Allow");
}

/**
 * Whether SMTP AUTH is on for the mailbox as Exchange decides it: the mailbox's own setting wins; $null follows
 * the organisation's (Get-CASMailbox / Set-TransportConfig reference pages).
 */
export function smtpAuthEffective(tenant: StandInTenant, address: string): boolean {
    const state = tenant.read();
    const own = state.mailboxes[address.toLowerCase()].SmtpClientAuthenticationDisabled;
    return own === null ? !state.organization.smtpClientAuthenticationDisabled : !own;
}

/**
 * A mocha suite's tenants: `setUp` makes one with its command resource (all removed after the suite); `pwsh` is the
 * PowerShell the suite found (it is skipped, or fails when required, without one).
 */
export function tenantsOf(suite: Mocha.Suite): {
    setUp: (state: Partial<TenantState> & { mailboxes: TenantState["mailboxes"] }) => { tenant: StandInTenant; command: CommandResource };
    pwsh: () => string;
} {
    let pwsh = "";
    const tenants: StandInTenant[] = [];
    suite.beforeAll(function () {
        pwsh = requirePwsh(this);
    });
    suite.afterAll(() => tenants.forEach((tenant) => tenant.dispose()));
    return {
        setUp: (state) => {
            const tenant = new StandInTenant(state);
            tenants.push(tenant);
            return { tenant, command: new CommandResource(() => pwsh, tenant.machine()) };
        },
        pwsh: () => pwsh,
    };
}

/**
 * The logins Exchange Online would let the app make, for the mail lab: IMAP and POP3 where the app holds
 * FullAccess and the protocol is on, SMTP where it holds SendAs and SMTP AUTH is on (Microsoft's "Authenticate an
 * IMAP, POP or SMTP connection using OAuth"). Whether the token carries the protocol's role is the lab's own check.
 */
export function labGrants(tenant: StandInTenant, identity: string | undefined): { service: "imap" | "pop3" | "submission"; user: string }[] {
    const grants: { service: "imap" | "pop3" | "submission"; user: string }[] = [];
    for (const [address, box] of Object.entries(tenant.read().mailboxes)) {
        if (hasFullAccess(tenant, address, identity) && box.ImapEnabled) grants.push({ service: "imap", user: address });
        if (hasFullAccess(tenant, address, identity) && box.PopEnabled) grants.push({ service: "pop3", user: address });
        if (hasSendAs(tenant, address, identity) && smtpAuthEffective(tenant, address)) grants.push({ service: "submission", user: address });
    }
    return grants;
}
