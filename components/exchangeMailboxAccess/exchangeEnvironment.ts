/**
 * The environment the Exchange scripts read: the plan in the form PowerShell receives it.
 *
 * Every value travels as data in an environment variable, never as script text, so an address such as
 * o'brien@contoso.com or $x@contoso.com reaches Exchange exactly as written. One variable per mailbox keeps
 * a pull-request preview readable: it shows which mailbox's access changes, not one changed blob.
 */
import * as crypto from "crypto";
import * as zlib from "zlib";
import { AccessPlan, MailboxAccess } from "../../plan/accessPlan";
import { MailboxSettingFlags, settingFlags } from "../../plan/mailboxSettings";
import { ExchangeConnectionConfig } from "../../config/settings";
import { configNamespace } from "../../facts/project";

export const mailboxVariablePrefix = "M365_MAILBOX_";

/**
 * `M365_MAILBOX_<ADDRESS>_<HASH>`: readable, valid on every platform, and stable for an address whatever else
 * is in the list (the hash keeps o'brien@ and o_brien@ apart; it is of the address in lower case, as Exchange
 * compares addresses).
 */
export function mailboxVariableName(address: string): string {
    const readable = address
        .toUpperCase()
        .replace(/[^A-Z0-9]+/g, "_")
        .replace(/^_+|_+$/g, "")
        .slice(0, 60);
    const hash = crypto.createHash("sha256").update(address.toLowerCase()).digest("hex").slice(0, 8).toUpperCase();
    return `${mailboxVariablePrefix}${readable}_${hash}`;
}

/** The JSON one mailbox variable holds: the address as written and the operations it needs. */
export function mailboxVariableValue(mailbox: MailboxAccess): string {
    return JSON.stringify({ address: mailbox.address, ...settingFlags(mailbox) });
}

/**
 * The environment that does not depend on other resources' outputs: connection, mailboxes, org-wide SMTP AUTH.
 * Sorted by name so the same config always yields the same inputs.
 */
export function staticExchangeEnvironment(
    plan: Pick<AccessPlan, "mailboxes" | "organizationSmtpAuth" | "smtpAuthorization" | "appRbac">,
    connection: ExchangeConnectionConfig,
    scriptsDigest: string,
): Record<string, string> {
    const environment: Record<string, string> = {
        M365_EXO_ORGANIZATION: connection.organization,
        M365_EXO_AUTH: connection.auth,
        M365_ORGANIZATION_SMTP_AUTH: String(plan.organizationSmtpAuth),
        M365_SCRIPTS_DIGEST: scriptsDigest,
        // appRbac: the names go in both modes, so the scripts can tell the stack's objects from others' either way.
        M365_EXO_SMTP_AUTHORIZATION: plan.appRbac.wanted ? "appRbac" : "mailboxPermission",
        M365_EXO_RBAC_GROUP: plan.appRbac.group,
        M365_EXO_RBAC_SCOPE: plan.appRbac.scope,
        M365_EXO_RBAC_ASSIGNMENT: plan.appRbac.assignment,
    };
    if (connection.auth === "certificate") {
        environment.M365_EXO_APP_ID = connection.appId;
        environment.M365_EXO_CERTIFICATE_PATH = connection.certificatePath;
        environment.M365_EXO_CERTIFICATE_PASSWORD_ENV = connection.certificatePasswordEnv;
    }
    if (connection.auth === "managedIdentity" && connection.managedIdentityAccountId) {
        environment.M365_EXO_MANAGED_IDENTITY_ACCOUNT_ID = connection.managedIdentityAccountId;
    }
    if (connection.auth === "interactive" && connection.userPrincipalName) {
        environment.M365_EXO_USER_PRINCIPAL_NAME = connection.userPrincipalName;
    }
    if (connection.auth === "interactive" && connection.disableWam) {
        environment.M365_EXO_DISABLE_WAM = "true";
    }
    if (connection.reconcile === "all") {
        environment.M365_EXO_RECONCILE = "all";
    }
    if (connection.reconcileRun !== "") {
        environment.M365_EXO_RECONCILE_RUN = connection.reconcileRun;
    }
    for (const mailbox of plan.mailboxes) {
        environment[mailboxVariableName(mailbox.address)] = mailboxVariableValue(mailbox);
    }
    return Object.fromEntries(Object.entries(environment).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The identities the Exchange step works for: known only once Entra ID has made them (outputs in the program). */
export interface ExchangeIdentities<T> {
    /** The stack's tenant; the script stops before any change when the sign-in reached another one. */
    readonly tenantId: T;
    /** The app's client ID (New-ServicePrincipal -AppId). */
    readonly appId: T;
    /** The enterprise application's object ID (New-ServicePrincipal -ObjectId). */
    readonly servicePrincipalObjectId: T;
    /** The name the app gets in Exchange Online. */
    readonly displayName: T;
}

export function identityEnvironment<T>(ids: ExchangeIdentities<T>): Record<string, T> {
    return {
        M365_TENANT_ID: ids.tenantId,
        M365_APP_ID: ids.appId,
        M365_SP_OBJECT_ID: ids.servicePrincipalObjectId,
        M365_SP_DISPLAY_NAME: ids.displayName,
    };
}

/** Set when the PFX password comes on stdin (secret stack config) rather than from a named variable. */
export const passwordOnStdinVariable = "M365_EXO_CERTIFICATE_PASSWORD_STDIN";

/** What a run left behind, as the scripts print it on stdout (see scripts/MailAccess.State.ps1). */
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
    /** SMTP through RBAC for Applications: what the stack made (see MailAccess.Resolve.ps1, Resolve-AppRbac). */
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
