/**
 * The environment the Exchange scripts read: the plan in the form PowerShell receives it.
 *
 * Every value travels as data in an environment variable, never as script text, so an address such as
 * o'brien@contoso.com or $x@contoso.com reaches Exchange exactly as written. One variable per mailbox keeps
 * a pull-request preview readable: it shows which mailbox's access changes, not one changed blob.
 */
import * as crypto from "crypto";
import * as zlib from "zlib";
import { AccessPlan, MailboxAccess } from "./accessPlan";
import { ExchangeConnectionConfig } from "./stackConfig";

export const mailboxVariablePrefix = "M365_MAILBOX_";

/**
 * `M365_MAILBOX_<ADDRESS>_<HASH>`: readable, valid on every platform, and stable for an address whatever else
 * is in the list (the hash keeps o'brien@ and o_brien@ apart; it is of the address in lower case, as Exchange
 * compares addresses).
 */
export function mailboxVariableName(address: string): string {
    const readable = address.toUpperCase().replace(/[^A-Z0-9]+/g, "_").replace(/^_+|_+$/g, "").slice(0, 60);
    const hash = crypto.createHash("sha256").update(address.toLowerCase()).digest("hex").slice(0, 8).toUpperCase();
    return `${mailboxVariablePrefix}${readable}_${hash}`;
}

/** The JSON one mailbox variable holds: the address as written and the operations it needs. */
export function mailboxVariableValue(mailbox: MailboxAccess): string {
    return JSON.stringify({
        address: mailbox.address,
        fullAccess: mailbox.fullAccess,
        sendAs: mailbox.sendAs,
        smtpClientAuth: mailbox.smtpClientAuth,
        imapEnabled: mailbox.imapEnabled,
        popEnabled: mailbox.popEnabled,
    });
}

/**
 * The environment that does not depend on other resources' outputs: connection, mailboxes, org-wide SMTP AUTH.
 * Sorted by name so the same config always yields the same inputs.
 */
export function staticExchangeEnvironment(
    plan: Pick<AccessPlan, "mailboxes" | "organizationSmtpAuth">,
    connection: ExchangeConnectionConfig,
    scriptsDigest: string,
): Record<string, string> {
    const environment: Record<string, string> = {
        M365_EXO_ORGANIZATION: connection.organization,
        M365_EXO_AUTH: connection.auth,
        M365_ORGANIZATION_SMTP_AUTH: String(plan.organizationSmtpAuth),
        M365_SCRIPTS_DIGEST: scriptsDigest,
    };
    if (connection.auth === "certificate") {
        environment.M365_EXO_APP_ID = connection.appId ?? "";
        environment.M365_EXO_CERTIFICATE_PATH = connection.certificatePath ?? "";
        environment.M365_EXO_CERTIFICATE_PASSWORD_ENV = connection.certificatePasswordEnv;
    }
    if (connection.auth === "managedIdentity" && connection.managedIdentityAccountId) {
        environment.M365_EXO_MANAGED_IDENTITY_ACCOUNT_ID = connection.managedIdentityAccountId;
    }
    if (connection.auth === "interactive" && connection.userPrincipalName) {
        environment.M365_EXO_USER_PRINCIPAL_NAME = connection.userPrincipalName;
    }
    for (const mailbox of plan.mailboxes) {
        environment[mailboxVariableName(mailbox.address)] = mailboxVariableValue(mailbox);
    }
    return Object.fromEntries(Object.entries(environment).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** What a run left behind, as the scripts print it on stdout (see scripts/ExchangeMailAccess.psm1). */
export const stateMarker = "M365_MAIL_OAUTH_STATE=";

export interface RecordedExchangeState {
    readonly appId?: string;
    readonly servicePrincipalId?: string;
    readonly mailboxes: Record<string, { address: string; fullAccess: boolean; sendAs: boolean; before: Record<string, unknown> }>;
    readonly organization: Record<string, unknown> | null;
}

/** Reads the recorded state out of the command's stdout; undefined when there is none (preview, first run). */
export function parseRecordedState(stdout: string | undefined): RecordedExchangeState | undefined {
    const line = (stdout ?? "")
        .split(/\r?\n/)
        .filter((candidate) => candidate.startsWith(stateMarker))
        .pop();
    return line === undefined ? undefined : (JSON.parse(decodeStateText(line.slice(stateMarker.length))) as RecordedExchangeState);
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
