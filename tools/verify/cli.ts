/**
 * The command line of `npm run verify`: flags through Node's util.parseArgs, the target from the flags or from the
 * stack's outputs, the secret only from the environment.
 */
import { spawnSync } from "child_process";
import { parseArgs as parseNodeArgs } from "util";
import { StackOutputs } from "../../plan/stackOutputs";
import { projectRoot } from "../../facts/projectRoot";
import { verifyRecord, writeVerifyRecord } from "./record";
import { renderTable, verify } from "./run";
import { cloudDefaults, defaults, Protocol, protocols, smtpAuthorizationModes, UsageError, VerifyOptions, VerifyTarget } from "./types";
import { CloudName, cloudNames, defaultCloud } from "../../facts/clouds";

export const usage = `Usage: npm run -s verify -- --stack <name> [options]
       M365_CLIENT_SECRET=... npm run -s verify -- --tenant <id> --client-id <id> --mailbox <address[:imap,pop,smtp]> [...] [options]

Logs in the way the mail client will (client-credentials token, then IMAP, POP3 and SMTP per mailbox) and says
which setup step is missing. The secret is read only from M365_CLIENT_SECRET (flags are visible in the process list).

  --stack <name>               take tenant, client ID, secret, mailboxes and servers from \`pulumi stack output\` (needs the Pulumi CLI)
  --tenant <id>                without --stack: the tenant ID
  --client-id <id>             without --stack: the application (client) ID
  --mailbox <address:protos>   without --stack, repeatable: protocols default to imap,pop,smtp
  --cloud <name>               without --stack: ${cloudNames.join(", ")} (default: ${defaultCloud}); sets the authority, scope and hosts
  --authority <url>            token authority (default: the stack's token URL, else the cloud's: ${defaults.authority})
  --imap-host <host>           default: ${defaults.servers.imap.host}     --imap-port <port>  default: ${defaults.servers.imap.port}
  --pop-host <host>            default: ${defaults.servers.pop.host}     --pop-port <port>   default: ${defaults.servers.pop.port}
  --smtp-host <host>           default: ${defaults.servers.smtp.host}        --smtp-port <port>  default: ${defaults.servers.smtp.port}
  --timeout <duration>         each network step (default: 15s)
  --wait <duration>            retry with backoff until all pass or the time is up (default: off)
  --retry-delay <duration>     first pause between rounds, doubling up to 1m (default: 10s)
  --smtp-authorization <mode>  without --stack: mailboxPermission (default) or appRbac (no SMTP.SendAsApp role in the token)
  --send                       also send a test message from each SMTP mailbox to itself (default: off)
  --json                       results as JSON on stdout (default: a table)
                               (with --stack the result, without any secret, is kept in .m365/verify/<name>.json for npm run status)
  -h, --help                   this help

Durations: 500ms, 30s, 10m, 1h. Exit code: 0 all passed, 1 a check failed, 2 bad usage.`;

/** "30m", "90s", "1h", "500ms", or a number of seconds. */
export function parseDuration(text: string): number {
    const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
    if (!match) {
        throw new UsageError(`"${text}" is not a duration such as 30s, 10m or 1h`);
    }
    const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(match[2] ?? "s") as "ms" | "s" | "m" | "h"];
    return Math.round(Number(match[1]) * unit);
}

function parseMailbox(text: string): { address: string; protocols: Protocol[] } {
    const separator = text.lastIndexOf(":");
    const address = separator > 0 ? text.slice(0, separator) : text;
    const list =
        separator > 0
            ? text
                  .slice(separator + 1)
                  .split(",")
                  .filter(Boolean)
            : [...protocols];
    for (const protocol of list) {
        if (!protocols.includes(protocol as Protocol)) throw new UsageError(`--mailbox ${text}: unknown protocol "${protocol}" (imap, pop, smtp)`);
    }
    if (!address.includes("@")) throw new UsageError(`--mailbox ${text}: "${address}" is not an address`);
    return { address, protocols: list as Protocol[] };
}

/** The authority of a token URL the program made (`<authority>/<tenant>/oauth2/v2.0/token`), the cloud's own. */
export function authorityOf(tokenUrl: string | undefined): string | undefined {
    const match = tokenUrl === undefined ? null : /^(https:\/\/[^/]+(?:\/[^/]+)*?)\/[^/]+\/oauth2\/v2\.0\/token$/.exec(tokenUrl);
    return match ? match[1] : undefined;
}

/** Reads the target from `pulumi stack output`, the way the README's main job leaves it. */
export function targetFromStack(stack: string, run = spawnSync): Omit<VerifyTarget, "authority"> & { authority?: string } {
    const result = run("pulumi", ["stack", "output", "--json", "--show-secrets", "--stack", stack], { encoding: "utf8" });
    if ((result.error as NodeJS.ErrnoException | undefined)?.code === "ENOENT") {
        throw new UsageError(
            "--stack needs the Pulumi CLI (pulumi) on PATH to read the stack's outputs: install it (https://www.pulumi.com/docs/install/), " +
                "or pass --tenant, --client-id and --mailbox with the secret in M365_CLIENT_SECRET",
        );
    }
    if (result.error || result.status !== 0) {
        throw new UsageError(`pulumi stack output --stack ${stack} failed: ${String(result.error?.message ?? result.stderr).trim()}`);
    }
    const outputs = JSON.parse(String(result.stdout)) as Partial<StackOutputs>;
    if (!outputs.clientSecret) throw new UsageError(`stack ${stack} has no clientSecret output (credential certificate?)`);
    const { tenantId, clientId } = outputs;
    if (!tenantId || !clientId) throw new UsageError(`stack ${stack} has no ${tenantId ? "clientId" : "tenantId"} output: has pulumi up completed for it?`);
    const authority = authorityOf(outputs.tokenUrl);
    return {
        ...(authority !== undefined ? { authority } : {}),
        tenant: tenantId,
        clientId,
        clientSecret: outputs.clientSecret,
        ...(typeof outputs.secretRotation === "number" ? { secretRotation: outputs.secretRotation } : {}),
        scope: outputs.scope ?? defaults.scope,
        smtpAuthorization: outputs.smtpAuthorization === "appRbac" ? "appRbac" : "mailboxPermission",
        mailboxes: (outputs.mailboxes ?? []).map((m) => ({ address: m.username, protocols: [...m.protocols] })),
        servers: { imap: outputs.imap ?? defaults.servers.imap, pop: outputs.pop ?? defaults.servers.pop, smtp: outputs.smtp ?? defaults.servers.smtp },
    };
}

export interface ParsedArgs {
    /** The stack named by --stack: its result is recorded for `npm run status`. */
    stack?: string;
    target: VerifyTarget;
    options: VerifyOptions;
}

const text = { type: "string" } as const;

export function parseArgs(args: readonly string[], env: NodeJS.ProcessEnv = process.env, fromStack = targetFromStack): ParsedArgs | "help" {
    if (args.some((arg) => arg === "--client-secret" || arg.startsWith("--client-secret="))) {
        throw new UsageError("the secret is read only from the environment variable M365_CLIENT_SECRET: flags are visible in the process list");
    }
    let values;
    try {
        ({ values } = parseNodeArgs({
            args: [...args],
            strict: true,
            allowPositionals: false,
            options: {
                stack: text,
                tenant: text,
                "client-id": text,
                mailbox: { type: "string", multiple: true },
                authority: text,
                cloud: text,
                "imap-host": text,
                "imap-port": text,
                "pop-host": text,
                "pop-port": text,
                "smtp-host": text,
                "smtp-port": text,
                "smtp-authorization": text,
                wait: text,
                timeout: text,
                "retry-delay": text,
                json: { type: "boolean", default: false },
                send: { type: "boolean", default: false },
                help: { type: "boolean", short: "h", default: false },
            },
        }));
    } catch (error) {
        throw new UsageError((error as Error).message);
    }
    if (values.help) {
        return "help";
    }
    const port = (name: "imap-port" | "pop-port" | "smtp-port", fallback: number) => {
        const value = values[name];
        if (value === undefined) return fallback;
        const n = Number(value);
        if (!Number.isInteger(n) || n < 1 || n > 65535) throw new UsageError(`--${name} ${value} is not a port`);
        return n;
    };
    let base: Omit<VerifyTarget, "authority"> & { authority?: string };
    const cloudName = values.cloud ?? defaultCloud;
    if (!(cloudNames as readonly string[]).includes(cloudName)) {
        throw new UsageError(`--cloud ${cloudName} is not one of ${cloudNames.join(", ")}`);
    }
    if (values.stack && values.cloud !== undefined) {
        throw new UsageError("--cloud goes without --stack: the stack's outputs name its cloud's token URL, scope and hosts");
    }
    const forCloud = cloudDefaults(cloudName as CloudName);
    if (values.stack) {
        base = fromStack(values.stack);
    } else {
        const missing = (["tenant", "client-id", "mailbox"] as const).filter((name) => values[name] === undefined);
        if (missing.length > 0) throw new UsageError(`without --stack give ${missing.map((m) => `--${m}`).join(", ")}`);
        if (!env.M365_CLIENT_SECRET) throw new UsageError("set the client secret in the environment variable M365_CLIENT_SECRET");
        base = {
            tenant: values.tenant!,
            clientId: values["client-id"]!,
            clientSecret: env.M365_CLIENT_SECRET,
            authority: forCloud.authority,
            scope: forCloud.scope,
            smtpAuthorization: "mailboxPermission",
            mailboxes: values.mailbox!.map(parseMailbox),
            servers: { ...forCloud.servers },
        };
    }
    const mode = values["smtp-authorization"];
    if (mode !== undefined && !(smtpAuthorizationModes as readonly string[]).includes(mode)) {
        throw new UsageError(`--smtp-authorization ${mode} is not one of ${smtpAuthorizationModes.join(", ")}`);
    }
    if (mode !== undefined) base = { ...base, smtpAuthorization: mode as VerifyTarget["smtpAuthorization"] };
    const servers = {
        imap: { host: values["imap-host"] ?? base.servers.imap.host, port: port("imap-port", base.servers.imap.port) },
        pop: { host: values["pop-host"] ?? base.servers.pop.host, port: port("pop-port", base.servers.pop.port) },
        smtp: { host: values["smtp-host"] ?? base.servers.smtp.host, port: port("smtp-port", base.servers.smtp.port) },
    };
    return {
        ...(values.stack ? { stack: values.stack } : {}),
        target: { ...base, servers, authority: values.authority ?? base.authority ?? forCloud.authority },
        options: {
            timeoutMs: values.timeout ? parseDuration(values.timeout) : defaults.timeoutMs,
            waitMs: values.wait ? parseDuration(values.wait) : 0,
            retryDelayMs: values["retry-delay"] ? parseDuration(values["retry-delay"]) : defaults.retryDelayMs,
            send: values.send,
            json: values.json,
        },
    };
}

/** The project the user runs verify in (where Pulumi.yaml is, as npm run finds it), else the current folder. */
function recordRoot(): string {
    try {
        return projectRoot(process.cwd());
    } catch {
        return process.cwd();
    }
}

export async function main(args: readonly string[], out: (text: string) => void, err: (text: string) => void): Promise<number> {
    let parsed: ParsedArgs | "help";
    try {
        parsed = parseArgs(args);
    } catch (error) {
        err(`${(error as Error).message}\n\n${usage}`);
        return 2;
    }
    if (parsed === "help") {
        out(usage);
        return 0;
    }
    const { results, rounds } = await verify(parsed.target, parsed.options, (message) => err(`... ${message}`));
    const failed = results.filter((r) => !r.ok).length;
    if (parsed.stack !== undefined) {
        // The record serves npm run status; a folder it cannot be written to changes nothing of the result.
        try {
            writeVerifyRecord(recordRoot(), verifyRecord(parsed.stack, new Date(), parsed.target, { results, rounds }));
        } catch (error) {
            err(`(the result was not kept for npm run status: ${(error as Error).message})`);
        }
    }
    if (parsed.options.json) {
        out(JSON.stringify({ ok: failed === 0, rounds, results }, null, 2));
    } else {
        out(renderTable(results));
        out(failed === 0 ? `all ${results.length} checks passed` : `${failed} of ${results.length} checks failed`);
    }
    return failed === 0 ? 0 : 1;
}
