/** One round of checks, the retries of --wait, and the table. */
import { explainMailError, explainTokenError } from "./diagnosis";
import { checkImap } from "./imap";
import { checkPop } from "./pop3";
import { Redactor } from "./redactor";
import { checkSmtp } from "./smtp";
import { acquireToken, probeAuthority, tokenRoles } from "./token";
import { CheckResult, protocols, requiredRole, VerifyOptions, VerifyTarget } from "./types";

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
        let message = redactor.clean(String((error as Error).message));
        if (/endpoints_resolution_error|network_error/.test(message)) {
            message = `${message.split("\n")[0]} (${await probeAuthority(target, options.timeoutMs)})`;
        }
        return [{ step: "token", ok: false, detail: message.split("\n")[0], fix: explainTokenError(message, new URL(target.authority).host) }];
    }
    redactor.add(token);
    const roles = tokenRoles(token);
    results.push({ step: "token", ok: true, detail: `roles: ${roles.join(", ") || "none"}` });

    for (const mailbox of target.mailboxes) {
        redactor.addSasl(mailbox.address, token);
        for (const protocol of protocols.filter((p) => mailbox.protocols.includes(p))) {
            const role = requiredRole[protocol];
            const roleNeeded = !(protocol === "smtp" && target.smtpAuthorization === "appRbac");
            if (roleNeeded && !roles.includes(role)) {
                results.push({
                    step: protocol,
                    protocol,
                    mailbox: mailbox.address,
                    ok: false,
                    detail: `the token has no ${role} role`,
                    fix: `admin consent for ${role} is missing: pulumi up creates the app role assignment; then wait a few minutes`,
                });
                continue;
            }
            const server = target.servers[protocol];
            progress(`${protocol}: ${mailbox.address} at ${server.host}:${server.port}`);
            try {
                const detail =
                    protocol === "imap"
                        ? await checkImap(server, mailbox.address, token, options.timeoutMs)
                        : protocol === "pop"
                          ? await checkPop(server, mailbox.address, token, options.timeoutMs)
                          : await checkSmtp(server, mailbox.address, token, options.timeoutMs, options.send);
                results.push({ step: protocol, protocol, mailbox: mailbox.address, ok: true, detail });
            } catch (error) {
                const message = redactor.clean((error as Error).message);
                results.push({
                    step: protocol,
                    protocol,
                    mailbox: mailbox.address,
                    ok: false,
                    detail: message.split("\n")[0],
                    fix: explainMailError(protocol, message, target.smtpAuthorization),
                });
            }
        }
    }
    return results;
}

export async function verify(
    target: VerifyTarget,
    options: VerifyOptions,
    progress: Progress,
    sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<{ results: CheckResult[]; rounds: number }> {
    const deadline = Date.now() + options.waitMs;
    let delay = options.retryDelayMs;
    for (let round = 1; ; round++) {
        const results = await verifyOnce(target, options, progress);
        const failed = results.filter((r) => !r.ok);
        if (failed.length === 0 || options.waitMs <= 0 || Date.now() + delay > deadline) {
            return { results, rounds: round };
        }
        progress(
            `round ${round}: ${failed.length} check(s) still failing (${failed.map((f) => [f.protocol ?? f.step, f.mailbox].filter(Boolean).join(" ")).join("; ")}); retrying in ${Math.round(delay / 1000)} s`,
        );
        await sleep(delay);
        delay = Math.min(delay * 2, 60_000);
    }
}

export function renderTable(results: CheckResult[]): string {
    const rows = [
        ["check", "mailbox", "result", "detail"],
        ...results.map((r) => [r.step, r.mailbox ?? "", r.ok ? "ok" : "FAILED", r.ok ? r.detail : `${r.detail}${r.fix ? ` -> fix: ${r.fix}` : ""}`]),
    ];
    const widths = [0, 1, 2].map((column) => Math.max(...rows.map((row) => row[column].length)));
    return rows.map((row) => [...row.slice(0, 3).map((cell, i) => cell.padEnd(widths[i])), row[3]].join("  ").trimEnd()).join("\n");
}
