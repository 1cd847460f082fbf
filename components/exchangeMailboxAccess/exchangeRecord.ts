/**
 * The record the Exchange scripts hand back: what the stack made and owns in Exchange Online, printed on stdout and
 * kept by the engine as the command's output, so the next run revokes only what the stack granted (see
 * scripts/ExchangeMailAccess/Public/Write-RecordedState.ps1 for the writing side).
 */
import * as zlib from "zlib";
import { MailboxSettingFlags } from "../../plan/mailboxSettings";
import { configNamespace } from "../../facts/project";

/** What a run left behind, as the scripts print it on stdout (see Write-RecordedState.ps1). */
export const stateMarker = "M365_MAIL_OAUTH_STATE=";

/** The access a record was made for: the mailbox variable as it was (records of older versions lack the newer flags). */
export interface DesiredMailboxRecord
    extends
        Omit<MailboxSettingFlags, "groupMember" | "smtpClientAuthOrganization">,
        Partial<Pick<MailboxSettingFlags, "groupMember" | "smtpClientAuthOrganization">> {
    readonly address: string;
}

export interface MailboxRecord {
    readonly address: string;
    /** The access the record was made for; null once the mailbox left the config (grants still to revoke). */
    readonly want: DesiredMailboxRecord | null;
    /** Grants the stack made, the only ones it ever revokes. */
    readonly owns: { readonly fullAccess: boolean; readonly sendAs: boolean; readonly groupMember?: boolean };
    /** The value each setting had before the stack changed it. */
    readonly before: Record<string, boolean | null>;
    /** Why the last run could not finish this mailbox. */
    readonly failed: string | null;
}

export interface RecordedExchangeState {
    readonly version: 2;
    readonly appId?: string;
    readonly servicePrincipalId?: string;
    readonly trustee?: string | null;
    readonly reconcileRun?: string;
    readonly mailboxes: Record<string, MailboxRecord>;
    readonly organization: { want: boolean; owned: boolean; before: boolean | null } | null;
    /** SMTP through RBAC for Applications: what the stack made (see Resolve-AppRbac.ps1). */
    readonly rbac?: {
        readonly want: boolean;
        readonly names: { readonly group: string; readonly scope: string; readonly assignment: string };
        readonly app: string | null;
        readonly groupDn: string | null;
        readonly owns: { readonly group: boolean; readonly scope: boolean; readonly assignment: boolean };
    } | null;
    readonly failures: readonly { address: string; message: string }[];
}

/** Reads the recorded state out of the command's stdout; undefined when there is none (preview, first run). */
export function parseRecordedState(stdout: string | undefined): RecordedExchangeState | undefined {
    const line = (stdout ?? "")
        .split(/\r?\n/)
        .filter((candidate) => candidate.startsWith(stateMarker))
        .pop();
    return line === undefined ? undefined : (JSON.parse(decodeStateText(line.slice(stateMarker.length))) as RecordedExchangeState);
}

/** The mailboxes the record says are granted as configured (not failed, not on their way out). */
export function grantedMailboxes(state: RecordedExchangeState | undefined): string[] {
    return Object.values(state?.mailboxes ?? {})
        .filter((mailbox) => mailbox.want !== null && mailbox.failed === null)
        .map((mailbox) => mailbox.address)
        .sort();
}

/**
 * The deployment error for a run that recorded failures, or undefined. The command itself exits 0 in that case
 * (its record must be kept), so the program is what fails the deployment.
 */
export function failureMessage(state: RecordedExchangeState | undefined): string | undefined {
    const failures = state?.failures ?? [];
    if (failures.length === 0) {
        return undefined;
    }
    const listed = failures.slice(0, 10).map((failure) => `  - ${failure.address}: ${failure.message}`);
    const more = failures.length > 10 ? [`  - ... and ${failures.length - 10} more`] : [];
    return [
        `Exchange Online could not be brought to the configured state for ${failures.length} item(s); everything else was done and recorded:`,
        ...listed,
        ...more,
        "Fix the cause, then run `pulumi up` again. With the configuration unchanged the Exchange step does not run by itself: " +
            `set a new label first, e.g. \`pulumi config set --path ${configNamespace}:exchange.reconcileRun retry-1\`.`,
    ].join("\n");
}

/**
 * The scripts print the state as `gz:` + base64(gzip(JSON)): it comes back as one environment variable
 * (PULUMI_COMMAND_STDOUT), capped at 128 KiB on Linux and 32 Ki characters on Windows.
 */
export function encodeStateText(json: string): string {
    return `gz:${zlib.gzipSync(Buffer.from(json, "utf8")).toString("base64")}`;
}

export function decodeStateText(text: string): string {
    return text.startsWith("gz:") ? zlib.gunzipSync(Buffer.from(text.slice(3), "base64")).toString("utf8") : text;
}
