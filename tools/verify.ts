/**
 * npm run verify -- --stack dev   (or the same values as flags; the secret only from M365_CLIENT_SECRET)
 *
 * Proves the deployed credentials end to end: a client-credentials token from Entra ID, then per mailbox and
 * protocol a real login over IMAP (implicit TLS, SELECT INBOX), POP3 (implicit TLS, STAT) and SMTP (STARTTLS,
 * AUTH; with --send a message to itself). Every failure is mapped to the setup step that fixes it. The secret and
 * the token are never printed.
 */
import { ConfidentialClientApplication } from "@azure/msal-node";
import { spawnSync } from "child_process";
import { ImapFlow } from "imapflow";
import * as nodemailer from "nodemailer";
import * as tls from "tls";
import { clientCredentialsScope, loginAuthority, mailEndpoints } from "../facts/microsoft";
import { configNamespace } from "../facts/project";

export type Protocol = "imap" | "pop" | "smtp";
const protocols: Protocol[] = ["imap", "pop", "smtp"];
const requiredRole: Record<Protocol, string> = { imap: "IMAP.AccessAsApp", pop: "POP.AccessAsApp", smtp: "SMTP.SendAsApp" };

export interface Server {
    host: string;
    port: number;
}

export interface VerifyTarget {
    tenant: string;
    clientId: string;
    clientSecret: string;
    authority: string;
    scope: string;
    mailboxes: { address: string; protocols: Protocol[] }[];
    servers: Record<Protocol, Server>;
}

export interface VerifyOptions {
    /** Per network step. */
    timeoutMs: number;
    send: boolean;
    /** Retry until everything passes or this much time has passed; 0: one round. */
    waitMs: number;
    /** First pause between rounds; doubles up to a minute. */
    retryDelayMs: number;
    json: boolean;
}

export interface CheckResult {
    step: string;
    mailbox?: string;
    protocol?: Protocol;
    ok: boolean;
    detail: string;
    /** The setup step to fix, when the failure is recognised. */
    fix?: string;
}

export const defaults = {
    authority: loginAuthority,
    scope: clientCredentialsScope,
    servers: {
        imap: { host: mailEndpoints.imap.host, port: mailEndpoints.imap.port },
        pop: { host: mailEndpoints.pop.host, port: mailEndpoints.pop.port },
        smtp: { host: mailEndpoints.smtp.host, port: mailEndpoints.smtp.port },
    } as Record<Protocol, Server>,
    timeoutMs: 15_000,
    retryDelayMs: 10_000,
};

export class UsageError extends Error {}

/** "30m", "90s", "1h", "500ms", or a number of seconds. */
export function parseDuration(text: string): number {
    const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
    if (!match) {
        throw new UsageError(`"${text}" is not a duration such as 30s, 10m or 1h`);
    }
    const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(match[2] ?? "s") as "ms" | "s" | "m" | "h"];
    return Math.round(Number(match[1]) * unit);
}

// --- secrets never leave ----------------------------------------------------------------------------------------

/** Replaces every secret value (and its base64 forms) in a message. */
export class Redactor {
    private readonly secrets = new Set<string>();
    add(value: string | undefined): void {
        if (value && value.length >= 4) {
            this.secrets.add(value);
            this.secrets.add(Buffer.from(value).toString("base64"));
        }
    }
    addSasl(user: string, token: string): void {
        this.add(saslXoauth2(user, token));
    }
    clean(text: string): string {
        let result = text;
        for (const secret of [...this.secrets].sort((a, b) => b.length - a.length)) {
            result = result.split(secret).join("[redacted]");
        }
        return result;
    }
}

// --- the token -------------------------------------------------------------------------------------------------

export function saslXoauth2(user: string, token: string): string {
    return Buffer.from(`user=${user}\x01auth=Bearer ${token}\x01\x01`, "utf8").toString("base64");
}

/** The `roles` claim of an access token (not verified: that is the mail server's job). */
export function tokenRoles(token: string): string[] {
    const payload = token.split(".")[1];
    if (!payload) {
        return [];
    }
    try {
        const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { roles?: unknown };
        return Array.isArray(claims.roles) ? claims.roles.map(String) : [];
    } catch {
        return [];
    }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: no answer within ${Math.round(ms / 1000)} s (timed out)`)), ms);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export async function acquireToken(target: VerifyTarget, timeoutMs: number): Promise<string> {
    const authority = `${target.authority.replace(/\/+$/, "")}/${target.tenant}`;
    const app = new ConfidentialClientApplication({
        auth: {
            clientId: target.clientId,
            clientSecret: target.clientSecret,
            authority,
            // Any authority given: its own host is trusted for metadata, so no instance discovery at Microsoft.
            knownAuthorities: [new URL(authority).host],
        },
        system: { loggerOptions: { loggerCallback: () => undefined, piiLoggingEnabled: false } },
    });
    const result = await withTimeout(app.acquireTokenByClientCredential({ scopes: [target.scope], skipCache: true }), timeoutMs, `token request to ${authority}`);
    if (!result?.accessToken) {
        throw new Error(`token request to ${authority} returned no access token`);
    }
    return result.accessToken;
}

// --- what a failure means ----------------------------------------------------------------------------------------

export function explainTokenError(message: string): string {
    if (/AADSTS7000215|invalid_client|Invalid client secret/i.test(message)) return "the client secret is wrong: use clientSecret from `pulumi stack output --show-secrets` (M365_CLIENT_SECRET)";
    if (/AADSTS7000222|expired/i.test(message)) return "the client secret has expired: rotate it (pulumi config set secretRotation <label>; pulumi up)";
    if (/AADSTS700016|unauthorized_client|not found in the directory/i.test(message)) return "the client ID is not an app in this tenant: check --client-id / --tenant (stack outputs clientId, tenantId)";
    if (/AADSTS90002|tenant .* not found/i.test(message)) return "the tenant does not exist: check --tenant (stack output tenantId)";
    if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|timed out/i.test(message)) return "the token endpoint cannot be reached: check --authority and the network";
    return "the token request failed: check tenant, client ID and secret";
}

/** Maps a protocol failure to the step that fixes it. Exchange Online's own answers are recognised by text. */
export function explainMailError(protocol: Protocol, message: string): string {
    if (/ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN/.test(message)) return `the ${protocol.toUpperCase()} server cannot be reached: check host, port and firewall`;
    if (/timed out|timeout|in required time|ETIMEDOUT/i.test(message)) return `the ${protocol.toUpperCase()} server accepted the connection but stopped answering (timed out)`;
    if (/certificate|self[- ]signed|unable to verify/i.test(message)) return "the server's TLS certificate is not trusted: add its CA with NODE_EXTRA_CA_CERTS";
    if (/SmtpClientAuthentication is disabled|5\.7\.139/i.test(message)) return "SMTP AUTH is disabled for the mailbox or the organisation: set smtpAuth to mailbox or organization and pulumi up";
    if (/not connected|protocol.*disabled|ImapEnabled|PopEnabled/i.test(message)) return `${protocol.toUpperCase()} is disabled on the mailbox: Set-CASMailbox -${protocol === "imap" ? "Imap" : "Pop"}Enabled $true (pulumi up does it for mailboxes with ${protocol})`;
    if (protocol === "smtp") return "SMTP login refused: SMTP AUTH disabled for the mailbox, SendAs not granted (Add-RecipientPermission), or the service principal not registered in Exchange (New-ServicePrincipal); changes can take ~30 minutes";
    return `${protocol.toUpperCase()} login refused: the app has no FullAccess on the mailbox (Add-MailboxPermission) or its service principal is not registered in Exchange (New-ServicePrincipal); changes can take ~30 minutes`;
}

// --- the protocols --------------------------------------------------------------------------------------------

export async function checkImap(server: Server, user: string, token: string, timeoutMs: number): Promise<string> {
    const client = new ImapFlow({
        host: server.host,
        port: server.port,
        secure: true,
        auth: { user, accessToken: token },
        logger: false,
        connectionTimeout: timeoutMs,
        greetingTimeout: timeoutMs,
        socketTimeout: timeoutMs,
    });
    client.on("error", () => undefined);
    try {
        await withTimeout(client.connect(), timeoutMs, `IMAP ${server.host}:${server.port}`);
        const mailbox = await withTimeout(client.mailboxOpen("INBOX"), timeoutMs, "IMAP SELECT INBOX");
        await withTimeout(client.logout(), timeoutMs, "IMAP LOGOUT").catch(() => undefined);
        return `INBOX selected, ${mailbox.exists} message(s)`;
    } catch (error) {
        const e = error as Error & { responseText?: string; code?: string };
        throw new Error([e.message, e.responseText, e.code].filter(Boolean).join(": "));
    } finally {
        // A failed login leaves the socket open; without close() the process would not end.
        client.close();
    }
}

/** A small POP3 client: implicit TLS, AUTH XOAUTH2, STAT, QUIT. No maintained POP3 client exists for Node. */
export async function checkPop(server: Server, user: string, token: string, timeoutMs: number): Promise<string> {
    const socket = tls.connect({ host: server.host, port: server.port, servername: /^[\d.]+$/.test(server.host) ? undefined : server.host });
    socket.setEncoding("utf8");
    let buffer = "";
    const waiting: ((line: string) => void)[] = [];
    let failure: Error | undefined;
    const fail = (error: Error) => {
        failure = error;
        while (waiting.length > 0) waiting.shift()!("");
    };
    socket.on("data", (chunk: string) => {
        buffer += chunk;
        let index: number;
        while ((index = buffer.indexOf("\r\n")) >= 0 && waiting.length > 0) {
            const line = buffer.slice(0, index);
            buffer = buffer.slice(index + 2);
            waiting.shift()!(line);
        }
    });
    socket.on("error", fail);
    socket.on("close", () => fail(new Error("POP3 connection closed")));
    const readLine = (what: string): Promise<string> =>
        withTimeout(
            new Promise<string>((resolve, reject) => {
                if (failure) return reject(failure);
                const index = buffer.indexOf("\r\n");
                if (index >= 0) {
                    const line = buffer.slice(0, index);
                    buffer = buffer.slice(index + 2);
                    return resolve(line);
                }
                waiting.push((line) => (failure ? reject(failure) : resolve(line)));
            }),
            timeoutMs,
            `POP3 ${what}`,
        );
    const send = (line: string) => socket.write(`${line}\r\n`);
    try {
        await withTimeout(new Promise<void>((resolve, reject) => { socket.once("secureConnect", () => resolve()); socket.once("error", reject); }), timeoutMs, `POP3 ${server.host}:${server.port}`);
        const greeting = await readLine("greeting");
        if (!greeting.startsWith("+OK")) throw new Error(`POP3 greeting: ${greeting}`);
        send(`AUTH XOAUTH2 ${saslXoauth2(user, token)}`);
        let answer = await readLine("AUTH");
        if (answer.startsWith("+ ") || answer === "+") {
            // The server sent an error description as a challenge; an empty line ends the exchange.
            send("");
            answer = await readLine("AUTH");
        }
        if (!answer.startsWith("+OK")) throw new Error(`POP3 AUTH XOAUTH2 refused: ${answer}`);
        send("STAT");
        const stat = await readLine("STAT");
        if (!stat.startsWith("+OK")) throw new Error(`POP3 STAT: ${stat}`);
        send("QUIT");
        await readLine("QUIT").catch(() => "");
        return `STAT ${stat.slice(4)}`;
    } finally {
        socket.destroy();
    }
}

export async function checkSmtp(server: Server, user: string, token: string, timeoutMs: number, send: boolean): Promise<string> {
    const transport = nodemailer.createTransport({
        host: server.host,
        port: server.port,
        secure: false,
        requireTLS: true,
        auth: { type: "OAuth2", user, accessToken: token },
        connectionTimeout: timeoutMs,
        greetingTimeout: timeoutMs,
        socketTimeout: timeoutMs,
    });
    try {
        await withTimeout(transport.verify(), timeoutMs, `SMTP ${server.host}:${server.port}`);
        if (!send) return "STARTTLS and AUTH XOAUTH2 accepted";
        const info = await withTimeout(
            transport.sendMail({ from: user, to: user, subject: `${configNamespace} verify`, text: `Test message sent by npm run verify at ${new Date().toISOString()}.` }),
            timeoutMs,
            "SMTP send",
        );
        return `test message accepted (${info.response})`;
    } catch (error) {
        const e = error as Error & { response?: string };
        throw new Error([e.message, e.response].filter((part, i, all) => part && all.indexOf(part) === i).join(": "));
    } finally {
        transport.close();
    }
}

// --- one round, and the retries --------------------------------------------------------------------------------

export type Progress = (message: string) => void;

export async function verifyOnce(target: VerifyTarget, options: VerifyOptions, progress: Progress): Promise<CheckResult[]> {
    const redactor = new Redactor();
    redactor.add(target.clientSecret);
    const results: CheckResult[] = [];
    progress(`token: client credentials at ${target.authority}/${target.tenant}`);
    let token: string;
    try {
        token = await acquireToken(target, options.timeoutMs);
    } catch (error) {
        const message = redactor.clean((error as Error).message);
        return [{ step: "token", ok: false, detail: message.split("\n")[0], fix: explainTokenError(message) }];
    }
    redactor.add(token);
    const roles = tokenRoles(token);
    results.push({ step: "token", ok: true, detail: `roles: ${roles.join(", ") || "none"}` });

    for (const mailbox of target.mailboxes) {
        redactor.addSasl(mailbox.address, token);
        for (const protocol of protocols.filter((p) => mailbox.protocols.includes(p))) {
            const role = requiredRole[protocol];
            if (!roles.includes(role)) {
                results.push({ step: protocol, protocol, mailbox: mailbox.address, ok: false, detail: `the token has no ${role} role`, fix: `admin consent for ${role} is missing: pulumi up creates the app role assignment; then wait a few minutes` });
                continue;
            }
            progress(`${protocol}: ${mailbox.address} at ${target.servers[protocol].host}:${target.servers[protocol].port}`);
            try {
                const server = target.servers[protocol];
                const detail =
                    protocol === "imap"
                        ? await checkImap(server, mailbox.address, token, options.timeoutMs)
                        : protocol === "pop"
                          ? await checkPop(server, mailbox.address, token, options.timeoutMs)
                          : await checkSmtp(server, mailbox.address, token, options.timeoutMs, options.send);
                results.push({ step: protocol, protocol, mailbox: mailbox.address, ok: true, detail });
            } catch (error) {
                const message = redactor.clean((error as Error).message);
                results.push({ step: protocol, protocol, mailbox: mailbox.address, ok: false, detail: message.split("\n")[0], fix: explainMailError(protocol, message) });
            }
        }
    }
    return results;
}

export async function verify(target: VerifyTarget, options: VerifyOptions, progress: Progress, sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))): Promise<{ results: CheckResult[]; rounds: number }> {
    const deadline = Date.now() + options.waitMs;
    let delay = options.retryDelayMs;
    for (let round = 1; ; round++) {
        const results = await verifyOnce(target, options, progress);
        const failed = results.filter((r) => !r.ok);
        if (failed.length === 0 || options.waitMs <= 0 || Date.now() + delay > deadline) {
            return { results, rounds: round };
        }
        progress(`round ${round}: ${failed.length} check(s) still failing (${failed.map((f) => [f.protocol ?? f.step, f.mailbox].filter(Boolean).join(" ")).join("; ")}); retrying in ${Math.round(delay / 1000)} s`);
        await sleep(delay);
        delay = Math.min(delay * 2, 60_000);
    }
}

export function renderTable(results: CheckResult[]): string {
    const rows = [["check", "mailbox", "result", "detail"], ...results.map((r) => [r.step, r.mailbox ?? "", r.ok ? "ok" : "FAILED", r.ok ? r.detail : `${r.detail}${r.fix ? ` -> fix: ${r.fix}` : ""}`])];
    const widths = [0, 1, 2].map((column) => Math.max(...rows.map((row) => row[column].length)));
    return rows.map((row) => [...row.slice(0, 3).map((cell, i) => cell.padEnd(widths[i])), row[3]].join("  ").trimEnd()).join("\n");
}

// --- the command line ----------------------------------------------------------------------------------------

export interface ParsedArgs {
    target: VerifyTarget;
    options: VerifyOptions;
}

function parseMailbox(text: string): { address: string; protocols: Protocol[] } {
    const separator = text.lastIndexOf(":");
    const address = separator > 0 ? text.slice(0, separator) : text;
    const list = separator > 0 ? text.slice(separator + 1).split(",").filter(Boolean) : protocols;
    for (const protocol of list) {
        if (!protocols.includes(protocol as Protocol)) throw new UsageError(`--mailbox ${text}: unknown protocol "${protocol}" (imap, pop, smtp)`);
    }
    if (!address.includes("@")) throw new UsageError(`--mailbox ${text}: "${address}" is not an address`);
    return { address, protocols: list as Protocol[] };
}

/** Reads the target from `pulumi stack output`, the way the README's main job leaves it. */
export function targetFromStack(stack: string, run = spawnSync): Omit<VerifyTarget, "authority"> {
    const result = run("pulumi", ["stack", "output", "--json", "--show-secrets", "--stack", stack], { encoding: "utf8" });
    if (result.error || result.status !== 0) {
        throw new UsageError(`pulumi stack output --stack ${stack} failed: ${String(result.error?.message ?? result.stderr).trim()}`);
    }
    const outputs = JSON.parse(String(result.stdout)) as Record<string, any>;
    if (!outputs.clientSecret) throw new UsageError(`stack ${stack} has no clientSecret output (credential certificate?)`);
    return {
        tenant: outputs.tenantId,
        clientId: outputs.clientId,
        clientSecret: outputs.clientSecret,
        scope: outputs.scope ?? defaults.scope,
        mailboxes: (outputs.mailboxes ?? []).map((m: { username: string; protocols: Protocol[] }) => ({ address: m.username, protocols: m.protocols })),
        servers: { imap: outputs.imap ?? defaults.servers.imap, pop: outputs.pop ?? defaults.servers.pop, smtp: outputs.smtp ?? defaults.servers.smtp },
    };
}

export function parseArgs(args: readonly string[], env: NodeJS.ProcessEnv = process.env, fromStack = targetFromStack): ParsedArgs {
    const values: Record<string, string[]> = {};
    const flags = new Set<string>();
    const valued = ["stack", "tenant", "client-id", "mailbox", "authority", "imap-host", "imap-port", "pop-host", "pop-port", "smtp-host", "smtp-port", "wait", "timeout", "retry-delay"];
    for (let i = 0; i < args.length; i++) {
        const [name, inline] = args[i].replace(/^--/, "").split(/=(.*)/s, 2);
        if (!args[i].startsWith("--")) throw new UsageError(`unexpected argument ${args[i]}`);
        if (name === "client-secret") throw new UsageError("the secret is read only from the environment variable M365_CLIENT_SECRET: flags are visible in the process list");
        if (["json", "send"].includes(name)) flags.add(name);
        else if (valued.includes(name)) {
            const value = inline ?? args[++i];
            if (value === undefined) throw new UsageError(`--${name} needs a value`);
            (values[name] ??= []).push(value);
        } else throw new UsageError(`unknown flag --${name}`);
    }
    const one = (name: string) => values[name]?.[values[name].length - 1];
    const port = (name: string, fallback: number) => {
        const value = one(name);
        if (value === undefined) return fallback;
        const n = Number(value);
        if (!Number.isInteger(n) || n < 1 || n > 65535) throw new UsageError(`--${name} ${value} is not a port`);
        return n;
    };
    let base: Omit<VerifyTarget, "authority">;
    if (one("stack")) {
        base = fromStack(one("stack")!);
    } else {
        const missing = ["tenant", "client-id", "mailbox"].filter((name) => !values[name]);
        if (missing.length > 0) throw new UsageError(`without --stack give ${missing.map((m) => `--${m}`).join(", ")}`);
        if (!env.M365_CLIENT_SECRET) throw new UsageError("set the client secret in the environment variable M365_CLIENT_SECRET");
        base = {
            tenant: one("tenant")!,
            clientId: one("client-id")!,
            clientSecret: env.M365_CLIENT_SECRET,
            scope: defaults.scope,
            mailboxes: values.mailbox!.map(parseMailbox),
            servers: { ...defaults.servers },
        };
    }
    const servers = {
        imap: { host: one("imap-host") ?? base.servers.imap.host, port: port("imap-port", base.servers.imap.port) },
        pop: { host: one("pop-host") ?? base.servers.pop.host, port: port("pop-port", base.servers.pop.port) },
        smtp: { host: one("smtp-host") ?? base.servers.smtp.host, port: port("smtp-port", base.servers.smtp.port) },
    };
    return {
        target: { ...base, servers, authority: one("authority") ?? defaults.authority },
        options: {
            timeoutMs: one("timeout") ? parseDuration(one("timeout")!) : defaults.timeoutMs,
            waitMs: one("wait") ? parseDuration(one("wait")!) : 0,
            retryDelayMs: one("retry-delay") ? parseDuration(one("retry-delay")!) : defaults.retryDelayMs,
            send: flags.has("send"),
            json: flags.has("json"),
        },
    };
}

export async function main(args: readonly string[], out: (text: string) => void, err: (text: string) => void): Promise<number> {
    let parsed: ParsedArgs;
    try {
        parsed = parseArgs(args);
    } catch (error) {
        err(`${(error as Error).message}\nusage: npm run verify -- --stack <name> | --tenant <id> --client-id <id> --mailbox <address:imap,pop,smtp> [...] [--wait 30m] [--json] [--send]`);
        return 2;
    }
    const { results, rounds } = await verify(parsed.target, parsed.options, (message) => err(`... ${message}`));
    const failed = results.filter((r) => !r.ok).length;
    if (parsed.options.json) {
        out(JSON.stringify({ ok: failed === 0, rounds, results }, null, 2));
    } else {
        out(renderTable(results));
        out(failed === 0 ? `all ${results.length} checks passed` : `${failed} of ${results.length} checks failed`);
    }
    return failed === 0 ? 0 : 1;
}

if (require.main === module) {
    main(process.argv.slice(2), (text) => process.stdout.write(`${text}\n`), (text) => process.stderr.write(`${text}\n`)).then(
        (code) => process.exit(code),
        (error) => {
            process.stderr.write(`${(error as Error).message}\n`);
            process.exit(1);
        },
    );
}
