/**
 * What the readiness check reads of Exchange Online: the Readiness reading of scripts/Read-ExchangeMailAccess.ps1
 * (tools/tenant/exchangeApp.ts runs it) under PowerShell 7, signed in as the Exchange step signs in, with the same
 * environment the program hands the step (every value a variable, the script static), reading only.
 */
import { ExchangeConnectionConfig } from "../../config/settings";
import { AccessPlan } from "../../plan/accessPlan";
import { staticExchangeEnvironment } from "../../components/exchangeMailboxAccess/exchangeEnvironment";
import { exchangeScriptsDigest } from "../../components/exchangeMailboxAccess/scriptFiles";
import { runExchangeReading } from "../tenant/exchangeApp";

export interface MailboxFacts {
    readonly exists: boolean;
    readonly recipientTypeDetails?: string;
    readonly imapEnabled?: boolean;
    readonly popEnabled?: boolean;
    /** null: the mailbox follows the organisation's setting. */
    readonly smtpClientAuthenticationDisabled?: boolean | null;
}

export interface ExchangeFacts {
    /** The ExchangeOnlineManagement version the script loaded. */
    readonly module: string;
    readonly organizationSmtpAuthDisabled: boolean;
    /** By address in lower case. */
    readonly mailboxes: Readonly<Record<string, MailboxFacts>>;
}

/** Runs the read; what it read, or the reason it could not (the report's last error line). */
export function readExchangeFacts(
    access: AccessPlan,
    connection: ExchangeConnectionConfig,
    tenantId: string,
    env: NodeJS.ProcessEnv = process.env,
): { value: ExchangeFacts } | { unreadable: string } {
    let run;
    try {
        run = runExchangeReading(
            connection.pwsh,
            { ...env, ...staticExchangeEnvironment(access, connection, exchangeScriptsDigest()), M365_TENANT_ID: tenantId, M365_EXO_READING: "Readiness" },
            "pipe",
        );
    } catch (error) {
        return { unreadable: (error as Error).message };
    }
    if (run.status === 0) {
        try {
            return { value: JSON.parse(run.json) as ExchangeFacts };
        } catch {
            return { unreadable: `the reading printed no JSON: ${run.json.slice(0, 200)}` };
        }
    }
    const lines = run.report.trim().split("\n");
    return { unreadable: (lines[lines.length - 1] || `exit ${run.status}`).replace(/^error: /, "") };
}
