/** What a failure means, and the setup step that fixes it. Exchange Online's own answers are recognised by text. */
import { SmtpAuthorizationMode } from "../../config/choices";
import { rotateCommand } from "../../plan/secretRotation";
import { Protocol } from "./types";

const networkCodes = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ECONNRESET|ETIMEDOUT|CERT_|network_error|fetch failed|timed out/i;

function networkCause(message: string): string {
    // The system's own code (ENOTFOUND, ECONNREFUSED, ...) says most; the library's wrapper word comes next.
    const code = /\b(E[A-Z_]{4,}|CERT_[A-Z_]+)\b/.exec(message)?.[1] ?? /\b(network_error|fetch failed)\b/.exec(message)?.[1];
    return code ?? (/timed out/i.test(message) ? "no answer in time" : "no connection");
}

/** @param tokenHost the host of the token endpoint, named when it cannot be reached. */
export function explainTokenError(message: string, tokenHost: string): string {
    // Before the generic invalid_client: a disabled enterprise application refuses every credential.
    if (/AADSTS7000112|is disabled/i.test(message))
        return 'the enterprise application is disabled ("Enabled for users to sign-in?" is off): switch it on in the portal, or let `pulumi up --refresh` do it; to keep it off, set enterpriseApplication.accountEnabled: false';
    if (/AADSTS7000215|invalid_client|Invalid client secret/i.test(message))
        return "the client secret is wrong, or was deleted in the portal: use clientSecret from `pulumi stack output --show-secrets` (M365_CLIENT_SECRET); if the app no longer lists its key ID (clientSecretKeyId) under Certificates & secrets, `pulumi up --refresh` makes a new one in its slot";
    if (/AADSTS7000222|expired/i.test(message))
        return `the client secret has expired: rotate it (${rotateCommand("<the stack's secretRotation + 1>", "<stack>")}) and give the mail client the new clientSecret`;
    if (/AADSTS700016|unauthorized_client|not found in the directory/i.test(message))
        return "the client ID is not an app in this tenant: check --client-id / --tenant (stack outputs clientId, tenantId)";
    if (/AADSTS90002|tenant .* not found/i.test(message)) return "the tenant does not exist: check --tenant (stack output tenantId)";
    if (/endpoints_resolution_error.*HTTP 4\d\d/.test(message))
        return `the tenant is not known at ${tokenHost}: check --tenant (stack output tenantId) and --authority`;
    if (networkCodes.test(message)) {
        return `the token service at ${tokenHost} could not be reached (${networkCause(message)}): check the network, DNS and any proxy, or --authority`;
    }
    return "the token request failed: check tenant, client ID and secret";
}

export function explainMailError(protocol: Protocol, message: string, smtpAuthorization: SmtpAuthorizationMode = "mailboxPermission"): string {
    const name = protocol.toUpperCase();
    if (/ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN/.test(message))
        return `the ${name} server cannot be reached (${networkCause(message)}): check host, port and firewall`;
    if (/timed out|timeout|in required time|ETIMEDOUT/i.test(message)) return `the ${name} server accepted the connection but stopped answering (timed out)`;
    if (/certificate|self[- ]signed|unable to verify/i.test(message)) return "the server's TLS certificate is not trusted: add its CA with NODE_EXTRA_CA_CERTS";
    // Before the SMTP AUTH checks: a refused long line is the client's framing, not the mailbox's settings.
    if (/line too long|5\.5\.2|line.{0,20}(length|limit)|too long/i.test(message)) {
        return `the ${name} server refused the AUTH line as too long (a ${protocol === "pop" ? "POP3 command is at most 255" : "command line is at most 512"} octets): the client must send the XOAUTH2 command alone, wait for the continuation and send the token on its own line, as Microsoft documents`;
    }
    if (/SmtpClientAuthentication is disabled|5\.7\.139/i.test(message))
        return "SMTP AUTH is disabled for the mailbox or the organisation: set smtpAuth to mailbox or organization and pulumi up";
    if (/not connected|protocol.*disabled|ImapEnabled|PopEnabled/i.test(message))
        return `${name} is disabled on the mailbox: Set-CASMailbox -${protocol === "imap" ? "Imap" : "Pop"}Enabled $true (pulumi up does it for mailboxes with ${protocol})`;
    if (protocol === "smtp" && smtpAuthorization === "appRbac")
        return "SMTP login refused: SMTP AUTH disabled for the mailbox, the mailbox not in the stack's appRbac group, or the 'Application SMTP.SendAsApp' role assignment missing (Test-ServicePrincipalAuthorization -Identity <app> -Resource <mailbox> shows InScope); changes can take ~30 minutes";
    if (protocol === "smtp")
        return "SMTP login refused: SMTP AUTH disabled for the mailbox, SendAs not granted (Add-RecipientPermission), or the service principal not registered in Exchange (New-ServicePrincipal); changes can take ~30 minutes";
    return `${name} login refused: the app has no FullAccess on the mailbox (Add-MailboxPermission) or its service principal is not registered in Exchange (New-ServicePrincipal); changes can take ~30 minutes`;
}

/**
 * Microsoft Graph's refusals under a credential policy (Entra ID app management policies), as the azuread provider
 * prints them when `pulumi up` still meets one (the program's preview names them first where it can read the
 * policy: components/entraApplication/credentialPolicyCheck.ts). Each with the config that avoids it.
 */
export const credentialPolicyFixes: readonly { readonly error: RegExp; readonly fix: string }[] = [
    {
        error: /CredentialInvalidLifetimeAsPerAppPolicy|Credential lifetime exceeds the max value allowed as per assigned policy/,
        fix: "the tenant's credential policy caps a client secret's lifetime below secretLifetimeDays: set secretLifetimeDays to the policy's maximum or less (the preview names it where the deployer may read the policy, with Policy.Read.All), or set credential to certificate, or have an administrator assign this app a reviewed per-app app management policy; then `pulumi up` (docs/credential-policies.md)",
    },
    {
        error: /CredentialTypeNotAllowedAsPerAppPolicy|Credential type not allowed as per assigned policy/,
        fix: "the tenant's credential policy forbids client secrets (passwordAddition): set credential to certificate, or have an administrator assign this app a reviewed per-app app management policy that allows a secret; then `pulumi up` (docs/credential-policies.md)",
    },
    {
        error: /SignInAudienceNotAllowedAsPerAppPolicy/,
        fix: "the tenant's credential policy forbids multi-tenant apps: set signInAudience to AzureADMyOrg, then `pulumi up` (docs/credential-policies.md)",
    },
];

/** The fix for a provider error a credential policy causes, or undefined. */
export function explainCredentialPolicyError(message: string): string | undefined {
    return credentialPolicyFixes.find(({ error }) => error.test(message))?.fix;
}
