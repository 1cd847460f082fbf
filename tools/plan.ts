/**
 * npm run plan -- --stack <name> [--format text|markdown|json]
 *
 * The offline plan: evaluates the real program against Pulumi.<stack>.yaml with the engine mocked (no cloud, no
 * Pulumi CLI, no credentials) and prints what `pulumi up` would declare, in the words of the mail admin who
 * approves it. Bad config prints the validation errors and exits 1.
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { AccessPlan, MailboxAccess, planAccess } from "../plan/accessPlan";
import { projectRoot } from "../config/projectRoot";
import { StackSettings } from "../config/schema";
import { formatProblems, validateStackConfig } from "../config/validate";
import { DeclaredResource, runProgram } from "./mockEngine";
import { configNamespace, isComponentType } from "../facts/project";

export type PlanFormat = "text" | "markdown" | "json";

export interface PlanReport {
    readonly stack: string;
    readonly tenantId: string;
    readonly application: { displayName: string; signInAudience: string; redirectUris: readonly string[]; protect: boolean };
    readonly permissions: { api: string; name: string; id: string; kind: "application permission (app role)" | "delegated permission (scope)"; consent: string }[];
    readonly exchange?: { organization: string; auth: string; sessionsPerUpdate: number; organizationSmtpAuth: boolean };
    readonly mailboxes: { address: string; protocols: readonly string[]; operations: string[] }[];
    readonly credential: {
        kind: string;
        secret?: { lifetimeDays: number; expires: string; rotation: string; warnDays: number };
        certificate?: { path: string; thumbprint?: string; expiresAt?: string };
        keyVault?: { vaultName: string; secretName: string; resourceGroupName: string };
    };
    readonly clientSettings: Record<string, unknown>;
    readonly resources: { type: string; name: string }[];
}

/** Reads a stack file into the key/value map Pulumi hands a program; secure values are not decrypted. */
export function readStackFile(file: string, project = configNamespace): Record<string, string> {
    const document = parse(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | null;
    const raw: Record<string, string> = {};
    for (const [key, value] of Object.entries(document?.config ?? {})) {
        const fullKey = key.includes(":") ? key : `${project}:${key}`;
        if (typeof value === "object" && value !== null && "secure" in value) {
            raw[fullKey] = "[secret]";
        } else {
            raw[fullKey] = typeof value === "string" ? value : JSON.stringify(value);
        }
    }
    return raw;
}

export function mailboxOperations(mailbox: MailboxAccess): string[] {
    const operations: string[] = [];
    if (mailbox.fullAccess) operations.push("Add-MailboxPermission FullAccess (no auto-mapping): the app may use the mailbox");
    if (mailbox.sendAs) operations.push("Add-RecipientPermission SendAs: send as the mailbox");
    if (mailbox.smtpClientAuth) operations.push("Set-CASMailbox -SmtpClientAuthenticationDisabled $false: SMTP AUTH on");
    if (mailbox.imapEnabled) operations.push("Set-CASMailbox -ImapEnabled $true");
    if (mailbox.popEnabled) operations.push("Set-CASMailbox -PopEnabled $true");
    return operations;
}

function consentOf(plan: AccessPlan, type: "Role" | "Scope"): string {
    return type === "Role"
        ? "admin consent: app role assignment to the tenant's Office 365 Exchange Online service principal"
        : `admin consent for all users: one delegated grant on Microsoft Graph (${plan.delegatedScopes.map((s) => s.name).join(" ")})`;
}

export function buildReport(stack: string, settings: StackSettings, resources: DeclaredResource[], outputs: Record<string, any>): PlanReport {
    const plan = planAccess(settings);
    const certificateResource = resources.find((r) => r.type === "azuread:index/applicationCertificate:ApplicationCertificate");
    return {
        stack,
        tenantId: outputs.tenantId,
        application: {
            displayName: settings.displayName,
            signInAudience: settings.signInAudience,
            redirectUris: plan.redirectUris,
            protect: settings.protect,
        },
        permissions: [...plan.appRoles, ...plan.delegatedScopes].map((permission) => ({
            api: permission.resourceName,
            name: permission.name,
            id: permission.id,
            kind: permission.type === "Role" ? "application permission (app role)" : "delegated permission (scope)",
            consent: consentOf(plan, permission.type),
        })),
        exchange: settings.exchange
            ? {
                  organization: settings.exchange.organization,
                  auth: settings.exchange.auth,
                  sessionsPerUpdate: resources.filter((r) => r.type === "command:local:Command").length,
                  organizationSmtpAuth: plan.organizationSmtpAuth,
              }
            : undefined,
        mailboxes: plan.mailboxes.map((mailbox) => ({ address: mailbox.address, protocols: mailbox.protocols, operations: mailboxOperations(mailbox) })),
        credential: {
            kind: settings.credential,
            secret:
                settings.credential === "certificate"
                    ? undefined
                    : {
                          lifetimeDays: settings.secretLifetimeDays,
                          expires: `${settings.secretLifetimeDays} days after it is created (fixed then; not moved by later updates)`,
                          rotation: settings.secretRotation,
                          warnDays: settings.secretWarnDays,
                      },
            certificate: settings.certificatePath
                ? { path: settings.certificatePath, thumbprint: outputs.certificateThumbprint, expiresAt: certificateResource?.inputs.endDate }
                : undefined,
            keyVault: settings.keyVault,
        },
        clientSettings: {
            tokenUrl: outputs.tokenUrl,
            scope: outputs.scope,
            imap: outputs.imap,
            pop: outputs.pop,
            smtp: outputs.smtp,
            usernames: (outputs.mailboxes ?? []).map((m: { username: string }) => m.username),
            ...(outputs.userSignIn ? { userSignIn: outputs.userSignIn } : {}),
        },
        resources: resources.filter((r) => !isComponentType(r.type)).map((r) => ({ type: r.type, name: r.name })),
    };
}

function server(value: { host: string; port: number; tls: string } | undefined): string {
    return value ? `${value.host}:${value.port} (${value.tls === "implicit" ? "implicit TLS" : "STARTTLS"})` : "-";
}

export function renderText(report: PlanReport): string {
    const lines: string[] = [];
    lines.push(`Plan for stack "${report.stack}" (tenant ${report.tenantId})`, "");
    lines.push(`App registration: ${report.application.displayName}`);
    lines.push(`  sign-in audience: ${report.application.signInAudience}${report.application.protect ? "; protected from destroy" : ""}`);
    if (report.application.redirectUris.length > 0) lines.push(`  web redirect URIs: ${report.application.redirectUris.join(", ")}`);
    lines.push("", "Permissions (and nothing else):");
    for (const p of report.permissions) {
        lines.push(`  ${p.api} / ${p.name} (${p.id}): ${p.kind}`, `      ${p.consent}`);
    }
    if (report.exchange) {
        lines.push("", `Exchange Online (${report.exchange.organization}, ${report.exchange.auth} sign-in, ${report.exchange.sessionsPerUpdate} session per update):`);
        lines.push("  New-ServicePrincipal -AppId <client ID> -ObjectId <enterprise application object ID>");
        if (report.exchange.organizationSmtpAuth) lines.push("  Set-TransportConfig -SmtpClientAuthenticationDisabled $false: SMTP AUTH for the whole organization");
    }
    for (const mailbox of report.mailboxes) {
        lines.push(`  ${mailbox.address} [${mailbox.protocols.join(", ")}]`);
        for (const operation of mailbox.operations) lines.push(`    - ${operation}`);
    }
    lines.push("", `Credential: ${report.credential.kind}`);
    if (report.credential.secret) lines.push(`  client secret, rotation "${report.credential.secret.rotation}", expires ${report.credential.secret.expires}; warning ${report.credential.secret.warnDays} days before`);
    if (report.credential.certificate) lines.push(`  certificate ${report.credential.certificate.path}, thumbprint ${report.credential.certificate.thumbprint}, expires ${report.credential.certificate.expiresAt}`);
    if (report.credential.keyVault) lines.push(`  delivered to Key Vault ${report.credential.keyVault.vaultName}, secret ${report.credential.keyVault.secretName}`);
    const c = report.clientSettings as any;
    lines.push("", "Mail client settings:");
    lines.push(`  token URL: ${c.tokenUrl}`, `  scope: ${c.scope}`, `  IMAP: ${server(c.imap)}`, `  POP3: ${server(c.pop)}`, `  SMTP: ${server(c.smtp)}`);
    if (c.usernames.length > 0) lines.push(`  usernames: ${c.usernames.join(", ")}`);
    if (c.userSignIn) lines.push(`  user sign-in: ${c.userSignIn.authorizeUrl}, scope "${c.userSignIn.scope}"`);
    lines.push("", `Resources: ${report.resources.length} (${[...new Set(report.resources.map((r) => r.type))].join(", ")})`);
    return lines.join("\n");
}

function cell(text: string): string {
    return text.replace(/\|/g, "\\|");
}

export function renderMarkdown(report: PlanReport): string {
    const lines: string[] = [];
    lines.push(`## ${configNamespace} plan: \`${report.stack}\``, "");
    lines.push(`App registration **${cell(report.application.displayName)}**, ${report.application.signInAudience}, tenant \`${report.tenantId}\`${report.application.protect ? ", protected from destroy" : ""}.`);
    if (report.application.redirectUris.length > 0) lines.push("", `Web redirect URIs: ${report.application.redirectUris.map((u) => `\`${u}\``).join(", ")}`);
    lines.push("", "### Permissions", "", "| API | Permission | ID | Kind | Consent |", "| --- | --- | --- | --- | --- |");
    for (const p of report.permissions) lines.push(`| ${p.api} | \`${p.name}\` | \`${p.id}\` | ${p.kind} | ${cell(p.consent)} |`);
    if (report.exchange || report.mailboxes.length > 0) {
        lines.push("", "### Exchange Online", "");
        if (report.exchange) lines.push(`Organization \`${report.exchange.organization}\`, ${report.exchange.auth} sign-in, ${report.exchange.sessionsPerUpdate} session per update${report.exchange.organizationSmtpAuth ? ", **SMTP AUTH enabled organization-wide**" : ""}.`, "");
        lines.push("| Mailbox | Protocols | Operations |", "| --- | --- | --- |");
        for (const m of report.mailboxes) lines.push(`| \`${cell(m.address)}\` | ${m.protocols.join(", ")} | ${m.operations.map(cell).join("<br>")} |`);
    }
    lines.push("", "### Credential", "");
    if (report.credential.secret) lines.push(`- Client secret, rotation \`${report.credential.secret.rotation}\`, expires ${report.credential.secret.expires}; warning ${report.credential.secret.warnDays} days before.`);
    if (report.credential.certificate) lines.push(`- Certificate \`${report.credential.certificate.thumbprint}\`, expires ${report.credential.certificate.expiresAt}.`);
    if (report.credential.keyVault) lines.push(`- Delivered to Key Vault \`${report.credential.keyVault.vaultName}\` as \`${report.credential.keyVault.secretName}\`.`);
    const c = report.clientSettings as any;
    lines.push("", "### Mail client settings", "", "| Setting | Value |", "| --- | --- |");
    lines.push(`| Token URL | \`${c.tokenUrl}\` |`, `| Scope | \`${c.scope}\` |`, `| IMAP | ${server(c.imap)} |`, `| POP3 | ${server(c.pop)} |`, `| SMTP | ${server(c.smtp)} |`);
    return lines.join("\n");
}

export function render(report: PlanReport, format: PlanFormat): string {
    return format === "json" ? JSON.stringify(report, null, 2) : format === "markdown" ? renderMarkdown(report) : renderText(report);
}

export interface PlanResult {
    readonly exitCode: number;
    readonly output: string;
}

export async function plan(args: readonly string[]): Promise<PlanResult> {
    const usage = "usage: npm run plan -- --stack <name> [--format text|markdown|json]";
    let stack: string | undefined;
    let format: PlanFormat = "text";
    for (let i = 0; i < args.length; i++) {
        const arg = args[i];
        if (arg === "--stack") stack = args[++i];
        else if (arg.startsWith("--stack=")) stack = arg.slice("--stack=".length);
        else if (arg === "--format" || arg.startsWith("--format=")) {
            const value = arg === "--format" ? args[++i] : arg.slice("--format=".length);
            if (value !== "text" && value !== "markdown" && value !== "json") return { exitCode: 2, output: `--format ${value}: expected text, markdown or json\n${usage}` };
            format = value;
        } else return { exitCode: 2, output: `unknown argument ${arg}\n${usage}` };
    }
    if (!stack) return { exitCode: 2, output: usage };
    const file = path.join(projectRoot(), `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) return { exitCode: 2, output: `${file} not found: no stack "${stack}" in this project` };

    const raw = readStackFile(file);
    const validation = validateStackConfig(raw);
    if (!validation.ok) return { exitCode: 1, output: formatProblems(validation.problems) };
    const tenantId = raw["azuread:tenantId"] ?? "<tenant from ARM_TENANT_ID>";
    // A preview: nothing needs PowerShell, and nothing runs.
    const run = await runProgram(raw, { preview: true, tenantId, stack });
    if (run.error) return { exitCode: 1, output: run.error.message };
    return { exitCode: 0, output: render(buildReport(stack, validation.settings, run.resources, run.outputs), format) };
}

if (require.main === module) {
    plan(process.argv.slice(2)).then(
        (result) => {
            (result.exitCode === 0 ? process.stdout : process.stderr).write(`${result.output}\n`);
            process.exit(result.exitCode);
        },
        (error) => {
            process.stderr.write(`${(error as Error).stack ?? error}\n`);
            process.exit(1);
        },
    );
}
