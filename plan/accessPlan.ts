/**
 * Decide, then declare: the access a stack configuration calls for, worked out without the Pulumi engine.
 *
 * Components turn this plan into resources and the Exchange step turns it into cmdlet calls; the tests and the
 * benchmark read it directly. Least privilege lives here: a permission, consent or mailbox grant that no
 * configured protocol needs is never in the plan.
 */
import { ExchangeAppRoleName, GraphDelegatedScopeName, exchangeOnline, microsoftGraph } from "../facts/microsoft";
import { MailProtocol, mailProtocols, StackSettings } from "../config/schema";

export interface Permission {
    /** The API that defines the permission, by its well-known app ID. */
    readonly resourceAppId: string;
    readonly resourceName: "Office 365 Exchange Online" | "Microsoft Graph";
    readonly name: string;
    readonly id: string;
    /** `Role`: application permission (app-only), consented by an app role assignment. `Scope`: delegated. */
    readonly type: "Role" | "Scope";
}

/** What one mailbox needs in Exchange Online for the protocols configured on it. */
export interface MailboxAccess {
    readonly address: string;
    readonly protocols: readonly MailProtocol[];
    /**
     * `Add-MailboxPermission -AccessRights FullAccess`: every app-only mailbox. Microsoft's procedure grants it for
     * IMAP, POP and SMTP alike (an app's SMTP token is accepted for a mailbox it has FullAccess to).
     */
    readonly fullAccess: boolean;
    /** `Add-RecipientPermission -AccessRights SendAs`: sending as the mailbox over SMTP, on top of FullAccess. */
    readonly sendAs: boolean;
    /** `Set-CASMailbox -SmtpClientAuthenticationDisabled $false` on this mailbox. */
    readonly smtpClientAuth: boolean;
    /** `Set-CASMailbox -ImapEnabled $true`. */
    readonly imapEnabled: boolean;
    /** `Set-CASMailbox -PopEnabled $true`. */
    readonly popEnabled: boolean;
}

export interface RequiredResourceAccess {
    readonly resourceAppId: string;
    readonly resourceAccesses: readonly { readonly id: string; readonly type: "Role" | "Scope" }[];
}

export interface AccessPlan {
    /** Exchange Online application permissions, each consented by an app role assignment. */
    readonly appRoles: readonly Permission[];
    /** Microsoft Graph delegated scopes, consented tenant-wide by one delegated permission grant. */
    readonly delegatedScopes: readonly Permission[];
    /** The app registration's "API permissions" list: exactly the roles and scopes above. */
    readonly requiredResourceAccesses: readonly RequiredResourceAccess[];
    readonly mailboxes: readonly MailboxAccess[];
    /** `Set-TransportConfig -SmtpClientAuthenticationDisabled $false`. */
    readonly organizationSmtpAuth: boolean;
    readonly redirectUris: readonly string[];
}

const appRoleByProtocol: Record<MailProtocol, ExchangeAppRoleName> = {
    imap: "IMAP.AccessAsApp",
    pop: "POP.AccessAsApp",
    smtp: "SMTP.SendAsApp",
};

const delegatedScopeByProtocol: Record<MailProtocol, GraphDelegatedScopeName> = {
    imap: "IMAP.AccessAsUser.All",
    pop: "POP.AccessAsUser.All",
    smtp: "SMTP.Send",
};

/** Always requested for user sign-in: the signed-in user's profile and a refresh token. */
const baseDelegatedScopes: readonly GraphDelegatedScopeName[] = ["User.Read", "offline_access"];

function exchangeRole(name: ExchangeAppRoleName): Permission {
    return {
        resourceAppId: exchangeOnline.appId,
        resourceName: "Office 365 Exchange Online",
        name,
        id: exchangeOnline.appRoles[name],
        type: "Role",
    };
}

function graphScope(name: GraphDelegatedScopeName): Permission {
    return {
        resourceAppId: microsoftGraph.appId,
        resourceName: "Microsoft Graph",
        name,
        id: microsoftGraph.delegatedScopes[name],
        type: "Scope",
    };
}

export function mailboxAccess(address: string, protocols: readonly MailProtocol[], smtpAuthPerMailbox: boolean): MailboxAccess {
    const has = (protocol: MailProtocol) => protocols.includes(protocol);
    return {
        address,
        protocols,
        fullAccess: protocols.length > 0,
        sendAs: has("smtp"),
        smtpClientAuth: has("smtp") && smtpAuthPerMailbox,
        imapEnabled: has("imap"),
        popEnabled: has("pop"),
    };
}

export function planAccess(settings: Pick<StackSettings, "mailboxes" | "userSignIn" | "smtpAuth">): AccessPlan {
    const appProtocols = new Set(settings.mailboxes.flatMap((mailbox) => mailbox.protocols));
    const appRoles = mailProtocols.filter((protocol) => appProtocols.has(protocol)).map((protocol) => exchangeRole(appRoleByProtocol[protocol]));

    const delegatedScopes = settings.userSignIn
        ? [...baseDelegatedScopes.map(graphScope), ...settings.userSignIn.protocols.map((protocol) => graphScope(delegatedScopeByProtocol[protocol]))]
        : [];

    const requiredResourceAccesses: RequiredResourceAccess[] = [];
    for (const group of [appRoles, delegatedScopes]) {
        if (group.length > 0) {
            requiredResourceAccesses.push({
                resourceAppId: group[0].resourceAppId,
                resourceAccesses: group.map((permission) => ({ id: permission.id, type: permission.type })),
            });
        }
    }

    const smtpAuthPerMailbox = settings.smtpAuth === "mailbox";
    const mailboxes = settings.mailboxes.map((mailbox) => mailboxAccess(mailbox.address, mailbox.protocols, smtpAuthPerMailbox));
    const anySmtp = appProtocols.has("smtp") || (settings.userSignIn?.protocols.includes("smtp") ?? false);

    return {
        appRoles,
        delegatedScopes,
        requiredResourceAccesses,
        mailboxes,
        organizationSmtpAuth: settings.smtpAuth === "organization" && anySmtp,
        redirectUris: settings.userSignIn?.redirectUris ?? [],
    };
}
