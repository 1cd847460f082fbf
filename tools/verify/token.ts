/** The client-credentials token, taken as the mail client takes it, and what it says about consent. */
import { ConfidentialClientApplication } from "@azure/msal-node";
import * as https from "https";
import { VerifyTarget, withTimeout } from "./types";

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
    const result = await withTimeout(
        app.acquireTokenByClientCredential({ scopes: [target.scope], skipCache: true }),
        timeoutMs,
        `token request to ${authority}`,
    );
    if (!result?.accessToken) {
        throw new Error(`token request to ${authority} returned no access token`);
    }
    return result.accessToken;
}

/**
 * msal reports an unreachable authority only as "endpoints_resolution_error": this asks the metadata URL itself
 * and returns what happened (the system's error code, or the HTTP status), so the report can say why.
 */
export function probeAuthority(target: VerifyTarget, timeoutMs: number): Promise<string> {
    const url = `${target.authority.replace(/\/+$/, "")}/${target.tenant}/v2.0/.well-known/openid-configuration`;
    return new Promise((resolve) => {
        const request = https.get(url, { timeout: timeoutMs }, (response) => {
            response.resume();
            resolve(`HTTP ${response.statusCode}`);
        });
        request.on("timeout", () => request.destroy(Object.assign(new Error("timed out"), { code: "ETIMEDOUT" })));
        request.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    });
}
