/**
 * Microsoft's published identifiers for the two first-party APIs this project asks permissions of.
 *
 * They are the same in every commercial tenant, which is why the portal guides can tell an admin to
 * "search for IMAP.AccessAsApp": the app registration refers to them by these IDs. The tenant-specific
 * *object* IDs of the matching service principals are looked up at deploy time, never assumed.
 */

export const exchangeOnline = {
    /** "Office 365 Exchange Online", the resource behind IMAP, POP and SMTP AUTH. */
    appId: "00000002-0000-0ff1-ce00-000000000000",
    /** Application permissions (app roles) for the client-credentials flow. */
    appRoles: {
        "IMAP.AccessAsApp": "5e5addcd-3e8d-4e90-baf5-964efab2b20a",
        "POP.AccessAsApp": "cb842b43-da6e-4506-86fe-bb12199c656d",
        "SMTP.SendAsApp": "7146a1f0-8703-45b3-9eae-527a64c00995",
    },
} as const;

export const microsoftGraph = {
    appId: "00000003-0000-0000-c000-000000000000",
    /** Delegated permissions (OAuth2 scopes) for the user sign-in flow. */
    delegatedScopes: {
        "User.Read": "e1fe6dd8-ba31-4d61-89e7-88639da4683d",
        offline_access: "7427e0e9-2fba-42fe-b0c0-848c9e6a8182",
        "IMAP.AccessAsUser.All": "652390e4-393a-48de-9484-05f9b1212954",
        "POP.AccessAsUser.All": "d7b7f2d9-0f45-4ea1-9d42-e50810c06991",
        "SMTP.Send": "258f6531-6087-4cc4-bb90-092c5fb3ed3f",
    },
} as const;

/**
 * Application permissions that open every mailbox of the tenant, never needed for IMAP/POP/SMTP: the policy pack
 * refuses them. Their IDs as Microsoft Graph's permissions reference and Exchange Online's app roles publish them.
 */
export const tenantWideMailRoles: Readonly<Record<string, string>> = {
    "810c84a8-4a9e-49e6-bf7d-12d183f40d01": "Microsoft Graph Mail.Read",
    "e2a3a72e-5f79-4c64-b1b1-878b674786c9": "Microsoft Graph Mail.ReadWrite",
    "b633e1c5-b582-4048-a93e-9f11b44c7e96": "Microsoft Graph Mail.Send",
    "693c5e45-0940-467d-9b8a-1022fb9d42ef": "Microsoft Graph Mail.ReadBasic.All",
    "6be147d2-ea4f-4b5a-a3fa-3eab6f3c140a": "Microsoft Graph Mail.ReadBasic",
    "dc890d15-9560-4a4c-9b7f-a736ec74ec40": "Office 365 Exchange Online full_access_as_app",
};

export type ExchangeAppRoleName = keyof typeof exchangeOnline.appRoles;
export type GraphDelegatedScopeName = keyof typeof microsoftGraph.delegatedScopes;

// The endpoints that differ by cloud (token authority, Exchange Online's scopes, the mail servers, Microsoft Graph)
// are in facts/clouds.ts, one row per cloud.

/** The application permission a client-credentials token needs for each mail protocol, as Exchange checks it. */
export const appRoleForProtocol: Readonly<Record<"imap" | "pop" | "smtp", ExchangeAppRoleName>> = {
    imap: "IMAP.AccessAsApp",
    pop: "POP.AccessAsApp",
    smtp: "SMTP.SendAsApp",
};

/**
 * The Exchange management role that authorises app-only SMTP AUTH through RBAC for Applications: the only role
 * Microsoft supports for it ("Configure SMTP onboarding to App RBAC", office-developer-exchange-docs
 * docs/legacy-protocols/smtp-app-rbac-onboarding.md, 2025-10-17). The page names no sovereign cloud, so the
 * config offers it only where facts/clouds.ts says `appRbacSmtp` (Worldwide).
 */
export const appRbacSmtpRole = "Application SMTP.SendAsApp";

/**
 * ExchangeOnlineManagement versions that matter here (PowerShell Gallery release notes): 3.10.0 and later need
 * PowerShell 7.6, so 3.9.2 is the newest for 7.4 and 7.5; `Connect-ExchangeOnline -DisableWAM` exists from 3.7.2.
 * scripts/ExchangeMailAccess/ExchangeMailAccess.psm1 holds the same three numbers (a test keeps them equal).
 */
export const exchangeModule = {
    needsPowerShell76From: "3.10.0",
    newestBeforePowerShell76: "3.9.2",
    disableWamSince: "3.7.2",
} as const;

/** The install commands for ExchangeOnlineManagement 3.x, for PowerShell 7.6 and for 7.4 / 7.5. */
export const exchangeModuleInstall = {
    powerShell76: "Install-Module ExchangeOnlineManagement -MinimumVersion 3.0.0 -Scope CurrentUser",
    beforePowerShell76: `Install-Module ExchangeOnlineManagement -MinimumVersion 3.0.0 -MaximumVersion ${exchangeModule.newestBeforePowerShell76} -Scope CurrentUser`,
} as const;
