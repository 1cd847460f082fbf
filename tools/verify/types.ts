/** What `npm run verify` checks, with what, and what it reports. */
import { appRoleForProtocol } from "../../facts/microsoft";
import { CloudName, clouds, defaultCloud } from "../../facts/clouds";
import { MailProtocol, mailProtocols, SmtpAuthorizationMode, smtpAuthorizationModes } from "../../config/choices";

export { smtpAuthorizationModes };

export type Protocol = MailProtocol;
export const protocols: readonly Protocol[] = mailProtocols;
/** The application permission a client-credentials token needs for each protocol. */
export const requiredRole: Readonly<Record<Protocol, string>> = appRoleForProtocol;

export interface Server {
    host: string;
    port: number;
}

export interface VerifyTarget {
    tenant: string;
    /**
     * How the app's SMTP sending is authorised. With `appRbac` the token carries no SMTP.SendAsApp role by design
     * (Exchange's RBAC for Applications authorises it), so that role is not asked of the token.
     */
    smtpAuthorization: SmtpAuthorizationMode;
    clientId: string;
    clientSecret: string;
    /** With --stack: the rotation number of the secret (the stack's `secretRotation` output), for the verify record. */
    secretRotation?: number;
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

/** A mistake in the command line: exit code 2 with usage. */
export class UsageError extends Error {}

/** What verify signs in to and connects to in a cloud (facts/clouds.ts), unless the stack or a flag says otherwise. */
export function cloudDefaults(cloud: CloudName): { authority: string; scope: string; servers: Record<Protocol, Server> } {
    const facts = clouds[cloud];
    const mail = facts.mail;
    if (mail === undefined) {
        throw new UsageError(`--cloud ${cloud}: ${facts.noMailBecause}`);
    }
    const server = (protocol: Protocol): Server => ({ host: mail[protocol].host, port: mail[protocol].port });
    return {
        authority: facts.loginAuthority,
        scope: facts.exchange.clientCredentialsScope,
        servers: { imap: server("imap"), pop: server("pop"), smtp: server("smtp") },
    };
}

export const defaults = {
    ...cloudDefaults(defaultCloud),
    timeoutMs: 15_000,
    retryDelayMs: 10_000,
};

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: no answer within ${Math.round(ms / 1000)} s (timed out)`)), ms);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
