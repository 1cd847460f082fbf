/**
 * The SMTP check: STARTTLS, AUTH XOAUTH2 (nodemailer), and with --send a message from the mailbox to itself.
 *
 * nodemailer puts the token on the AUTH line. An SMTP command line is at most 512 octets (RFC 5321), and RFC 4954
 * forbids an initial response that would exceed it; with a real Entra token (1.5 to 3 KB) an RFC-strict server
 * answers "500 5.5.2 Line too long". So when the inline line would be long, a custom handler does what Microsoft
 * documents: `AUTH XOAUTH2`, wait for 334, then the response on its own line.
 */
import * as nodemailer from "nodemailer";
import { configNamespace } from "../../facts/project";
import { fitsInline, lineLimits, saslXoauth2 } from "./sasl";
import { Server, withTimeout } from "./types";

/** nodemailer treats "XOAUTH2" as its own OAuth2 flow, so the handler has a name of its own. */
const documentedXoauth2 = "XOAUTH2-DOCUMENTED";

interface AuthContext {
    auth: { credentials: { user: string; pass: string } };
    sendCommand(command: string): Promise<{ status: number; response: string }>;
}

/** `AUTH XOAUTH2`, 334, the response; on a 334 error challenge an empty line, then the final answer. */
async function xoauth2WithContinuation(context: AuthContext): Promise<void> {
    const response = saslXoauth2(context.auth.credentials.user, context.auth.credentials.pass);
    const go = await context.sendCommand("AUTH XOAUTH2");
    if (go.status !== 334) throw new Error(`AUTH XOAUTH2: ${go.response}`);
    let answer = await context.sendCommand(response);
    if (answer.status === 334) {
        answer = await context.sendCommand("");
    }
    if (answer.status < 200 || answer.status >= 300) throw new Error(`Invalid login: ${answer.response}`);
}

export function smtpAuthentication(user: string, token: string): Record<string, unknown> {
    if (fitsInline("AUTH XOAUTH2", saslXoauth2(user, token), lineLimits.smtp)) {
        return { auth: { type: "OAuth2", user, accessToken: token } };
    }
    return {
        auth: { type: "custom", method: documentedXoauth2, user, pass: token },
        customAuth: { [documentedXoauth2]: xoauth2WithContinuation },
    };
}

export async function checkSmtp(server: Server, user: string, token: string, timeoutMs: number, send: boolean): Promise<string> {
    const transport = nodemailer.createTransport({
        host: server.host,
        port: server.port,
        secure: false,
        requireTLS: true,
        connectionTimeout: timeoutMs,
        greetingTimeout: timeoutMs,
        socketTimeout: timeoutMs,
        ...smtpAuthentication(user, token),
    } as nodemailer.TransportOptions);
    try {
        await withTimeout(transport.verify(), timeoutMs, `SMTP ${server.host}:${server.port}`);
        if (!send) return "STARTTLS and AUTH XOAUTH2 accepted";
        const info = await withTimeout(
            transport.sendMail({
                from: user,
                to: user,
                subject: `${configNamespace} verify`,
                text: `Test message sent by npm run verify at ${new Date().toISOString()}.`,
            }),
            timeoutMs,
            "SMTP send",
        );
        return `test message accepted (${(info as { response?: string }).response ?? "ok"})`;
    } catch (error) {
        const e = error as Error & { response?: string };
        throw new Error([e.message, e.response].filter((part, i, all) => part && all.indexOf(part) === i).join(": "), { cause: error });
    } finally {
        transport.close();
    }
}
