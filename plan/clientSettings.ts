/**
 * What a mail client (eBiss, i-net PDFC, ...) is configured with: the values the guides tell an admin to copy
 * by hand, derived from the plan and the tenant so that they cannot disagree with what was deployed.
 */
import { AccessPlan } from "./accessPlan";
import { authorizeUrl, clientCredentialsScope, delegatedMailResource, mailEndpoints, tokenUrl } from "../facts/microsoft";
import { MailProtocol, SignInAudience } from "../config/choices";

export interface ServerSettings {
    readonly host: string;
    readonly port: number;
    /** `implicit`: TLS from the first byte ("SSL"). `starttls`: plain, then upgraded ("explicit" in eBiss). */
    readonly tls: "implicit" | "starttls";
}

export interface MailboxClientSettings {
    /** The username field: the mailbox address itself. */
    readonly username: string;
    readonly protocols: readonly MailProtocol[];
}

export interface UserSignInClientSettings {
    readonly authorizeUrl: string;
    readonly tokenUrl: string;
    /** The scope string a client asks for when a user signs in (Exchange's resource, plus a refresh token). */
    readonly scope: string;
    readonly redirectUris: readonly string[];
}

export interface ClientSettings {
    readonly tokenUrl: string;
    readonly scope: string;
    readonly imap: ServerSettings;
    readonly pop: ServerSettings;
    readonly smtp: ServerSettings;
    readonly mailboxes: readonly MailboxClientSettings[];
    readonly userSignIn?: UserSignInClientSettings;
}

/** Delegated IMAP/POP/SMTP scopes are requested against Exchange's resource URI, not Graph's. */
const outlookScopeByProtocol: Record<MailProtocol, string> = {
    imap: `${delegatedMailResource}/IMAP.AccessAsUser.All`,
    pop: `${delegatedMailResource}/POP.AccessAsUser.All`,
    smtp: `${delegatedMailResource}/SMTP.Send`,
};

export function clientSettings(
    plan: Pick<AccessPlan, "mailboxes" | "delegatedScopes" | "redirectUris">,
    tenantId: string,
    signInAudience: SignInAudience,
    userSignInProtocols: readonly MailProtocol[] | undefined,
): ClientSettings {
    let userSignIn: UserSignInClientSettings | undefined;
    if (userSignInProtocols !== undefined) {
        // A multi-tenant app signs users in through the shared "organizations" endpoint.
        const tenant = signInAudience === "AzureADMyOrg" ? tenantId : "organizations";
        userSignIn = {
            authorizeUrl: authorizeUrl(tenant),
            tokenUrl: tokenUrl(tenant),
            scope: ["offline_access", ...userSignInProtocols.map((protocol) => outlookScopeByProtocol[protocol])].join(" "),
            redirectUris: plan.redirectUris,
        };
    }
    return {
        // The tenant's token endpoint, as the eBiss guide's "Server URL".
        tokenUrl: tokenUrl(tenantId),
        scope: clientCredentialsScope,
        imap: { ...mailEndpoints.imap },
        pop: { ...mailEndpoints.pop },
        smtp: { ...mailEndpoints.smtp },
        mailboxes: plan.mailboxes.map((mailbox) => ({ username: mailbox.address, protocols: mailbox.protocols })),
        userSignIn,
    };
}
