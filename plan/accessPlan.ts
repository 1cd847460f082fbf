/**
 * Decide, then declare: the access a stack configuration calls for, worked out without the Pulumi engine.
 *
 * Components turn this plan into resources and the Exchange step turns it into cmdlet calls; the tests and the
 * benchmark read it directly. Least privilege lives here: a permission, consent or mailbox grant that no
 * configured protocol needs is never in the plan.
 */
import { MailboxSettingFlags } from "./mailboxSettings";
import { ExchangeAppRoleName, GraphDelegatedScopeName, exchangeOnline, microsoftGraph } from "../facts/microsoft";
import { defaults, MailProtocol, mailProtocols, SmtpAuthorizationMode } from "../config/choices";
import { StackSettings } from "../config/settings";
import { appRbacSmtpRole, appRoleForProtocol } from "../facts/microsoft";

export interface Permission {
    /** The API that defines the permission, by its well-known app ID. */
    readonly resourceAppId: string;
    readonly resourceName: "Office 365 Exchange Online" | "Microsoft Graph";
    readonly name: string;
    readonly id: string;
    /** `Role`: application permission (app-only), consented by an app role assignment. `Scope`: delegated. */
    readonly type: "Role" | "Scope";
}

/**
 * What one mailbox needs in Exchange Online for the protocols configured on it: which of the settings of
 * plan/mailboxSettings.ts it gets (how each is decided: mailboxAccess below).
 */
export interface MailboxAccess extends MailboxSettingFlags {
    readonly address: string;
    readonly protocols: readonly MailProtocol[];
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
    /** How app-only SMTP is authorised. */
    readonly smtpAuthorization: SmtpAuthorizationMode;
    /**
     * SMTP through RBAC for Applications: the names of what the stack makes (present in both modes, so leaving
     * `appRbac` still names what to remove) and whether it is wanted.
     */
    readonly appRbac: AppRbacPlan;
    readonly redirectUris: readonly string[];
}

export interface AppRbacPlan {
    /** Whether the group, scope and role assignment are wanted: `appRbac` with at least one smtp mailbox. */
    readonly wanted: boolean;
    /** The mail-enabled security group holding exactly the smtp mailboxes. */
    readonly group: string;
    /** `New-ManagementScope -RecipientRestrictionFilter "MemberOfGroup -eq '<group DN>'"`. */
    readonly scope: string;
    /** `New-ManagementRoleAssignment -Role 'Application SMTP.SendAsApp' -App <service principal> -CustomResourceScope`. */
    readonly assignment: string;
    readonly role: typeof appRbacSmtpRole;
    /** The group's members: every mailbox with smtp. */
    readonly members: readonly string[];
}

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

export function mailboxAccess(
    address: string,
    protocols: readonly MailProtocol[],
    smtpAuth: StackSettings["smtpAuth"],
    smtpAuthorization: SmtpAuthorizationMode = defaults.smtpAuthorization,
): MailboxAccess {
    const has = (protocol: MailProtocol) => protocols.includes(protocol);
    const byRbac = smtpAuthorization === "appRbac";
    return {
        address,
        protocols,
        // Every app-only IMAP or POP mailbox, and with mailboxPermission every SMTP one too (Microsoft's procedure
        // grants it for IMAP, POP and SMTP alike). With appRbac an smtp-only mailbox gets none: RBAC for
        // Applications needs no mailbox permission.
        fullAccess: has("imap") || has("pop") || (has("smtp") && !byRbac),
        // Sending as the mailbox over SMTP: SendAs with mailboxPermission, the stack's group with appRbac.
        sendAs: has("smtp") && !byRbac,
        groupMember: has("smtp") && byRbac,
        smtpClientAuth: has("smtp") && smtpAuth === "mailbox",
        // smtpAuth organization: SMTP AUTH comes from the organisation, and the mailbox's own setting must not be
        // $true (it wins over the organisation's): a $true becomes $null.
        smtpClientAuthOrganization: has("smtp") && smtpAuth === "organization",
        imapEnabled: has("imap"),
        popEnabled: has("pop"),
    };
}

/** The appRbac group's default name: from the app's display name, as an Exchange alias allows (≤ 64). */
export function defaultAppRbacGroup(displayName: string): string {
    const slug = displayName
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-+|-+$/g, "");
    return `${slug || "app"}-smtp-senders`.slice(0, 64).replace(/[-.]+$/, "");
}

export type PlanInput = Pick<StackSettings, "mailboxes" | "userSignIn" | "smtpAuth"> & {
    /** A provider's multi-tenant app: the protocols every customer consents to, and the page consent returns to. */
    readonly customerTenants?: { readonly protocols: readonly MailProtocol[]; readonly consentRedirectUri: string };
    readonly displayName?: string;
    readonly exchange?: { readonly smtpAuthorization?: SmtpAuthorizationMode; readonly appRbacGroup?: string };
};

export function planAccess(settings: PlanInput): AccessPlan {
    const smtpAuthorization = settings.exchange?.smtpAuthorization ?? defaults.smtpAuthorization;
    // A provider's app asks for what its own mailboxes need and what every customer consents to.
    const appProtocols = new Set([...settings.mailboxes.flatMap((mailbox) => mailbox.protocols), ...(settings.customerTenants?.protocols ?? [])]);
    // With appRbac the Entra SMTP.SendAsApp permission is left out: Microsoft warns it brings back the
    // mailbox-permission check that RBAC for Applications replaces.
    const appRoles = mailProtocols
        .filter((protocol) => appProtocols.has(protocol) && !(protocol === "smtp" && smtpAuthorization === "appRbac"))
        .map((protocol) => exchangeRole(appRoleForProtocol[protocol]));

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

    const mailboxes = settings.mailboxes.map((mailbox) => mailboxAccess(mailbox.address, mailbox.protocols, settings.smtpAuth, smtpAuthorization));
    const anySmtp = appProtocols.has("smtp") || (settings.userSignIn?.protocols.includes("smtp") ?? false);
    const group = settings.exchange?.appRbacGroup ?? defaultAppRbacGroup(settings.displayName ?? "");
    const members = mailboxes.filter((mailbox) => mailbox.groupMember).map((mailbox) => mailbox.address);

    return {
        appRoles,
        delegatedScopes,
        requiredResourceAccesses,
        mailboxes,
        organizationSmtpAuth: settings.smtpAuth === "organization" && anySmtp,
        smtpAuthorization,
        appRbac: {
            wanted: members.length > 0,
            group,
            scope: `${group}-scope`,
            assignment: `${group}-SMTP.SendAsApp`,
            role: appRbacSmtpRole,
            members,
        },
        // Admin consent returns the admin to a redirect URI of the app, as user sign-in does: Entra ID sends users only
        // to redirect URIs added to the app registration (learn.microsoft.com/entra/identity-platform/reply-url).
        redirectUris: [
            ...new Set([...(settings.userSignIn?.redirectUris ?? []), ...(settings.customerTenants ? [settings.customerTenants.consentRedirectUri] : [])]),
        ],
    };
}
