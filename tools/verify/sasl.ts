/**
 * SASL XOAUTH2 as Microsoft documents it for IMAP, POP and SMTP: base64("user=" user ^A "auth=Bearer " token ^A^A),
 * sent inline only when the protocol's line limit allows; otherwise the command alone, then the response on its own
 * line after the server's continuation.
 */
export function saslXoauth2(user: string, token: string): string {
    return Buffer.from(`user=${user}\x01auth=Bearer ${token}\x01\x01`, "utf8").toString("base64");
}

/** Line limits, CRLF included: SMTP commands (RFC 5321 4.5.3.1.4, RFC 4954 4) and POP3 commands (RFC 2449 4). */
export const lineLimits = { smtp: 512, pop: 255 } as const;

/** Whether `command initialResponse` fits the protocol's command line. */
export function fitsInline(command: string, response: string, limit: number): boolean {
    return command.length + 1 + response.length + 2 <= limit;
}
