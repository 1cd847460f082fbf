/**
 * What the readiness check reads of Exchange Online: scripts/Test-ExchangeReadiness.ps1 under PowerShell 7, signed in
 * as the Exchange step signs in, with the same environment the program hands the step (every value a variable, the
 * script static), reading only.
 */
import { spawn } from "child_process";
import { ExchangeConnectionConfig } from "../../config/settings";
import { AccessPlan } from "../../plan/accessPlan";
import { staticExchangeEnvironment } from "../../components/exchangeMailboxAccess/exchangeEnvironment";
import { exchangeScripts, exchangeScriptsDigest } from "../../components/exchangeMailboxAccess/scriptFiles";
import { projectRoot } from "../../facts/projectRoot";

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

/** Runs the read; resolves with what it read, or with the reason it could not (the script's last error line). */
export function readExchangeFacts(
    access: AccessPlan,
    connection: ExchangeConnectionConfig,
    tenantId: string,
    env: NodeJS.ProcessEnv = process.env,
): Promise<{ value: ExchangeFacts } | { unreadable: string }> {
    const environment = { ...env, ...staticExchangeEnvironment(access, connection, exchangeScriptsDigest()), M365_TENANT_ID: tenantId };
    const child = spawn(connection.pwsh, ["-NoLogo", "-NoProfile", "-NonInteractive", "-File", exchangeScripts.readiness], {
        cwd: projectRoot(),
        env: environment,
        // An interactive sign-in may ask in the terminal: stdin stays the user's.
        stdio: ["inherit", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    return new Promise((resolve) => {
        child.on("error", (error) => resolve({ unreadable: `${connection.pwsh}: ${error.message}` }));
        child.on("close", (code) => {
            if (code === 0) {
                try {
                    return resolve({ value: JSON.parse(stdout) as ExchangeFacts });
                } catch {
                    return resolve({ unreadable: `the readiness script printed no JSON: ${stdout.slice(0, 200)}` });
                }
            }
            const lines = stderr.trim().split("\n");
            resolve({ unreadable: (lines[lines.length - 1] ?? `exit ${code}`).replace(/^error: /, "") });
        });
    });
}
