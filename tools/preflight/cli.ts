/**
 * npm run preflight -- --stack <name> [--format text|json]
 *
 * The readiness check before the first `pulumi up` (issue #29): reads, changing nothing, what Entra ID and Exchange
 * Online hold that decides whether the stack's first deployment will work — who the deploying identity is allowed
 * to be, Exchange Online's presence, the organization's domain, a display name already taken, organisation-wide
 * SMTP AUTH, the mailboxes and the Exchange module — and says it in a mail admin's words with the fix for each.
 * The reads: entraFacts.ts (Microsoft Graph, the deployer's sign-in) and exchangeFacts.ts (PowerShell, the
 * Exchange step's sign-in); the decision: findings.ts.
 */
import { shortStackName } from "../../plan/multiTenant";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { formatProblems, validateStackConfig } from "../../config/validate";
import { planAccess } from "../../plan/accessPlan";
import { readStackFile } from "../review/stackFile";
import { deployerCredentials, graphReader } from "../repair/tenantGraph";
import { EntraFacts, Read, readEntraFacts } from "./entraFacts";
import { readExchangeFacts } from "./exchangeFacts";
import { blocks, Finding, readinessFindings } from "./findings";

export const usage = `Usage: npm run -s preflight -- --stack <name> [--format text|json]

Checks, before the first pulumi up and changing nothing, that the tenant is ready for the stack: what the
deploying identity may create and consent, Exchange Online present, exchange.organization the tenant's initial
domain, the display name not taken by another app, organisation-wide SMTP AUTH, each mailbox (exists, user or
shared, its protocols) and the Exchange Online module. Signs in to Microsoft Graph as the azuread provider does
(ARM_CLIENT_ID and ARM_CLIENT_SECRET, else the stack's azuread:clientId and azuread:clientSecret) and to Exchange
Online as the Exchange step does (exchange.auth).

  --stack <name>     the stack (Pulumi.<name>.yaml); required
  --format <f>       text (default) or json
  -h, --help         this help

Exit code: 0 ready (notes and warnings allowed), 1 something blocks the first pulumi up, 2 bad usage.`;

type Print = (text: string) => void;

const marks: Record<Finding["severity"], string> = { ok: "ok", note: "note", warn: "warn", block: "BLOCK", unknown: "?" };

export function renderText(stack: string, findings: readonly Finding[]): string {
    const lines = [`Readiness of stack ${stack}:`];
    for (const finding of findings) {
        lines.push(`  ${marks[finding.severity].padEnd(5)}  ${finding.check}: ${finding.says}`);
        if (finding.fix && finding.severity !== "ok") lines.push(`         fix: ${finding.fix}`);
    }
    const blocking = findings.filter((finding) => finding.severity === "block").length;
    lines.push(blocking === 0 ? "Ready for pulumi up." : `Not ready: ${blocking} finding(s) would make the first pulumi up fail; each names its fix.`);
    return lines.join("\n");
}

/** The stack's own app, when it has been deployed (no tenant sign-in: the state's output). */
function ownClientId(stack: string): string | undefined {
    const run = spawnSync("pulumi", ["stack", "output", "clientId", "--stack", stack, "--non-interactive"], { encoding: "utf8" });
    return run.status === 0 && run.stdout.trim() ? run.stdout.trim() : undefined;
}

export async function main(argv: string[], out: Print, err: Print): Promise<number> {
    let values: { stack?: string; format?: string; help?: boolean };
    try {
        ({ values } = parseArgs({ args: argv, options: { stack: { type: "string" }, format: { type: "string" }, help: { type: "boolean", short: "h" } } }));
    } catch (error) {
        err(`${(error as Error).message} (see npm run preflight -- --help)`);
        return 2;
    }
    if (values.help) {
        out(usage);
        return 0;
    }
    const format = values.format ?? "text";
    if (!values.stack || !["text", "json"].includes(format)) {
        err(values.stack ? `--format ${format}: text or json` : "--stack <name> is required (see npm run preflight -- --help)");
        return 2;
    }
    const stack = values.stack;
    const stackFile = path.resolve(`Pulumi.${stack}.yaml`);
    if (!fs.existsSync(stackFile)) {
        err(`no stack file ${path.basename(stackFile)} here`);
        return 1;
    }
    const raw = readStackFile(stackFile);
    const validated = validateStackConfig(raw);
    if (!validated.ok) {
        err(formatProblems(validated.problems));
        return 1;
    }
    const settings = validated.settings;
    const access = planAccess(settings);
    const tenantId = raw["azuread:tenantId"];
    const signIn = deployerCredentials(stack, raw);
    // A customer's stack: the provider's app, from the provider's stack's outputs (the customer's own has none yet).
    const providerStack = settings.providerApp ? shortStackName(settings.providerApp.stack) : undefined;
    const providerClientId = providerStack !== undefined ? ownClientId(providerStack) : undefined;
    let entra: Read<EntraFacts>;
    if (typeof signIn === "string") entra = { unreadable: signIn };
    else {
        try {
            const get = await graphReader({ ...signIn, cloud: settings.cloud });
            entra = { value: await readEntraFacts(get, signIn.clientId, settings.displayName, providerClientId) };
        } catch (error) {
            entra = { unreadable: (error as Error).message };
        }
    }
    const exchange = settings.exchange ? readExchangeFacts(access, settings.exchange, tenantId) : undefined;
    const findings = readinessFindings({
        settings,
        access,
        ownClientId: ownClientId(stack),
        entra,
        exchange,
        now: new Date(),
        ...(providerStack !== undefined ? { providerStack } : {}),
    });
    out(format === "json" ? JSON.stringify({ stack, ready: !blocks(findings), findings }, null, 2) : renderText(stack, findings));
    return blocks(findings) ? 1 : 0;
}
