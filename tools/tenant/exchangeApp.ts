/**
 * The Exchange Online side of a tenant reading: runs scripts/Read-ExchangeMailAccess.ps1 (read only; the module's
 * Invoke-ExchangeReading) with the stack's Exchange sign-in, every value in the environment, and parses the one
 * JSON document it prints: adopt's reading of an app (AppSetup) here, the readiness check's in
 * tools/preflight/exchangeFacts.ts. What they mean is tools/adopt/adoption.ts's and tools/preflight/findings.ts's.
 */
import { spawnSync } from "child_process";
import * as path from "path";
import { ExchangeConnectionConfig } from "../../config/settings";
import { identityEnvironment, staticExchangeEnvironment } from "../../components/exchangeMailboxAccess/exchangeEnvironment";
import { exchangeScripts } from "../../components/exchangeMailboxAccess/scriptFiles";
import { planAccess } from "../../plan/accessPlan";
import { projectRoot } from "../../facts/projectRoot";

export interface ExchangeRegistration {
    readonly identity: string;
    readonly appId: string;
    readonly objectId: string;
    readonly displayName: string;
    /**
     * Which Entra object the registration's ObjectId is: the enterprise application (as Microsoft documents it),
     * the app registration (the vendor guides' readers' common mistake), or neither.
     */
    readonly objectIdIs: "enterpriseApplication" | "appRegistration" | "other";
}

export interface ExchangeMailboxReading {
    readonly address: string;
    readonly recipientTypeDetails: string;
    /** The registrations' identities holding an explicit FullAccess allow / a SendAs allow on the mailbox. */
    readonly fullAccess: readonly string[];
    readonly sendAs: readonly string[];
    readonly imapEnabled: boolean;
    readonly popEnabled: boolean;
    /** null: the organisation's setting applies. */
    readonly smtpClientAuthenticationDisabled: boolean | null;
}

export interface ExchangeReading {
    readonly appId: string;
    readonly servicePrincipals: readonly ExchangeRegistration[];
    readonly mailboxes: readonly ExchangeMailboxReading[];
    readonly organizationSmtpClientAuthenticationDisabled: boolean;
    readonly managementRoleAssignments: readonly { name: string; role: string; roleAssignee: string; customResourceScope: string }[];
    /** null: the session has no Get-ApplicationAccessPolicy (the signed-in identity's roles leave it out). */
    readonly applicationAccessPolicies: readonly { identity: string; accessRight: string; scopeName: string; description: string }[] | null;
}

export interface ReadingTarget {
    readonly appId: string;
    readonly servicePrincipalObjectId?: string;
    readonly applicationObjectId?: string;
    /** Read only these mailboxes; empty: every mailbox of the organisation. */
    readonly mailboxes: readonly string[];
}

/** The variables the reading script reads besides the sign-in's. */
export function readingEnvironment(target: ReadingTarget): Record<string, string> {
    return {
        M365_EXO_READING: "AppSetup",
        M365_APP_ID: target.appId,
        M365_SP_OBJECT_ID: target.servicePrincipalObjectId ?? "",
        M365_APP_OBJECT_ID: target.applicationObjectId ?? "",
        M365_ADOPT_MAILBOXES: target.mailboxes.length > 0 ? JSON.stringify(target.mailboxes) : "",
    };
}

const list = <T>(value: unknown): T[] => (Array.isArray(value) ? (value as T[]) : value === null || value === undefined ? [] : [value as T]);

/** The script's document, with PowerShell's single-item lists (ConvertTo-Json writes one item as an object) made lists. */
export function parseExchangeReading(text: string): ExchangeReading {
    const raw = JSON.parse(text) as Record<string, any>;
    return {
        appId: String(raw.appId),
        servicePrincipals: list<ExchangeRegistration>(raw.servicePrincipals),
        mailboxes: list<Record<string, any>>(raw.mailboxes).map((mailbox) => ({
            address: String(mailbox.address),
            recipientTypeDetails: String(mailbox.recipientTypeDetails ?? ""),
            fullAccess: list<string>(mailbox.fullAccess),
            sendAs: list<string>(mailbox.sendAs),
            imapEnabled: mailbox.imapEnabled === true,
            popEnabled: mailbox.popEnabled === true,
            smtpClientAuthenticationDisabled: typeof mailbox.smtpClientAuthenticationDisabled === "boolean" ? mailbox.smtpClientAuthenticationDisabled : null,
        })),
        organizationSmtpClientAuthenticationDisabled: raw.organizationSmtpClientAuthenticationDisabled === true,
        managementRoleAssignments: list(raw.managementRoleAssignments),
        applicationAccessPolicies:
            raw.applicationAccessPolicies === null || raw.applicationAccessPolicies === undefined ? null : list(raw.applicationAccessPolicies),
    };
}

/**
 * Runs the reading with the stack's Exchange sign-in (interactive, certificate or managed identity, as the
 * Exchange step signs in; the certificate's password from its named variable) for the tenant `tenantId`.
 */
export function readExchange(
    connection: ExchangeConnectionConfig,
    tenantId: string,
    target: ReadingTarget,
    environment: NodeJS.ProcessEnv = process.env,
): ExchangeReading {
    const env = {
        ...staticExchangeEnvironment(planAccess({ mailboxes: [], smtpAuth: "unchanged" }), connection, ""),
        ...identityEnvironment({ tenantId, appId: target.appId, servicePrincipalObjectId: target.servicePrincipalObjectId ?? "", displayName: "" }),
        ...readingEnvironment(target),
    };
    const run = runExchangeReading(connection.pwsh, { ...environment, ...env }, "inherit");
    if (run.status !== 0) throw new Error(`reading Exchange Online failed (exit code ${run.status}; the report above says why)`);
    return parseExchangeReading(run.json);
}

/**
 * Runs the reading script under `pwsh` with this environment (M365_EXO_READING says which reading). Its report goes
 * to the user's stderr as it comes (`inherit`), or is kept (`pipe`) for a caller that names the reason itself; stdin
 * stays the terminal's, for an interactive sign-in.
 */
export function runExchangeReading(pwsh: string, env: NodeJS.ProcessEnv, report: "inherit" | "pipe"): { status: number | null; json: string; report: string } {
    const run = spawnSync(pwsh, ["-NoLogo", "-NoProfile", "-NonInteractive", "-File", path.join(projectRoot(), exchangeScripts.read)], {
        env,
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
        stdio: ["inherit", "pipe", report],
    });
    if (run.error) throw new Error(`could not run ${pwsh}: ${run.error.message}`);
    return { status: run.status, json: run.stdout.trim().split(/\r?\n/).pop() ?? "", report: run.stderr ?? "" };
}
