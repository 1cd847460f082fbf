/**
 * What a mail client (eBiss, i-net PDFC, ...) is configured with: the values the guides tell an admin to copy
 * by hand, derived from the plan and the tenant so that they cannot disagree with what was deployed.
 */
import { AccessPlan } from "./accessPlan";
import { authorizeUrl, CloudName, clouds, defaultCloud, MailServer, tokenUrl } from "../facts/clouds";
import { MailProtocol, SignInAudience } from "../config/choices";

export type ServerSettings = MailServer;

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
const delegatedScopeName: Record<MailProtocol, string> = {
    imap: "IMAP.AccessAsUser.All",
    pop: "POP.AccessAsUser.All",
    smtp: "SMTP.Send",
};

export function clientSettings(
    plan: Pick<AccessPlan, "mailboxes" | "delegatedScopes" | "redirectUris">,
    tenantId: string,
    signInAudience: SignInAudience,
    userSignInProtocols: readonly MailProtocol[] | undefined,
    cloud: CloudName = defaultCloud,
): ClientSettings {
    const facts = clouds[cloud];
    const mail = facts.mail;
    if (mail === undefined) {
        // The config refuses such a cloud (crossFieldRules.ts); reaching here is a defect of the rules.
        throw new Error(`cloud ${cloud} passed validation without mail servers: ${facts.noMailBecause}`);
    }
    let userSignIn: UserSignInClientSettings | undefined;
    if (userSignInProtocols !== undefined) {
        // A multi-tenant app signs users in through the shared "organizations" endpoint.
        const tenant = signInAudience === "AzureADMyOrg" ? tenantId : "organizations";
        userSignIn = {
            authorizeUrl: authorizeUrl(tenant, facts.loginAuthority),
            tokenUrl: tokenUrl(tenant, facts.loginAuthority),
            scope: ["offline_access", ...userSignInProtocols.map((protocol) => `${facts.exchange.delegatedMailResource}/${delegatedScopeName[protocol]}`)].join(
                " ",
            ),
            redirectUris: plan.redirectUris,
        };
    }
    return {
        // The tenant's token endpoint, as the eBiss guide's "Server URL".
        tokenUrl: tokenUrl(tenantId, facts.loginAuthority),
        scope: facts.exchange.clientCredentialsScope,
        imap: { ...mail.imap },
        pop: { ...mail.pop },
        smtp: { ...mail.smtp },
        mailboxes: plan.mailboxes.map((mailbox) => ({ username: mailbox.address, protocols: mailbox.protocols })),
        userSignIn,
    };
}
