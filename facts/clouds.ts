/**
 * Microsoft's clouds, one row each: every endpoint and name that differs between Microsoft 365 Worldwide and the
 * sovereign clouds, for the azuread provider, the token service, Exchange Online (the mail servers, the token's
 * resource, the PowerShell environment) and Microsoft Graph. Each value names the page it comes from; a value that
 * follows a documented pattern rather than a page naming it outright is listed in the row's `inferred`, so the
 * offline review and docs/clouds.md can say so.
 *
 * Sources, cited by the short names used beside the values:
 * - [graph-deployments]: "Microsoft Graph national cloud deployments", microsoftgraph/microsoft-graph-docs-contrib
 *   concepts/deployments.md ("App registration and token service root endpoints"; "Microsoft Graph and Graph
 *   Explorer service root endpoints", and its note: GCC uses the worldwide endpoints, GCC High graph.microsoft.us,
 *   DoD dod-graph.microsoft.us).
 * - [connect-exo]: Connect-ExchangeOnline, MicrosoftDocs/office-docs-powershell
 *   exchange/exchange-ps/ExchangePowerShell/Connect-ExchangeOnline.md at 0c37c33a (the commit
 *   test/fixtures/exchange-cmdlets.json was read from): -ExchangeEnvironmentName ("Microsoft 365 or Microsoft 365
 *   GCC: Don't use this parameter ... O365Default"; 21Vianet O365China; GCC High O365USGovGCCHigh; DoD O365USGovDoD)
 *   and -ConnectionUri (outlook.office365.com, partner.outlook.cn, outlook.office365.us, webmail.apps.mil).
 * - [endpoints-*]: Microsoft's endpoint lists, MicrosoftDocs/microsoft-365-docs microsoft-365/includes/:
 *   office-365-u.s.-government-gcc-high-endpoints.md at 2a383d8a (version 2023073100; Exchange Online row 5:
 *   outlook.office365.us on TCP 143, 25, 587, 993, 995), office-365-u.s.-government-dod-endpoints.md at d7df5144
 *   (2023073100; row 4: outlook-dod.office365.us and webmail.apps.mil on the same ports) and
 *   office-365-operated-by-21vianet-endpoints.md at 7a02a96a (2023062900; the mail ports 587, 993, 995 only for the
 *   wildcard *.partner.outlook.cn, row 20: no host a client could be given).
 * - [imap-oauth]: "Authenticate an IMAP, POP or SMTP connection using OAuth", MicrosoftDocs/office-developer-exchange-docs
 *   docs/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth.md: the delegated scopes on
 *   https://outlook.office.com and the client-credentials scope https://outlook.office365.com/.default. The page
 *   names no sovereign cloud; for those the Exchange Online host of the cloud stands where the page has Worldwide's
 *   (hence `inferred`).
 * - [app-rbac]: "Configure SMTP onboarding to App RBAC", office-developer-exchange-docs
 *   docs/legacy-protocols/smtp-app-rbac-onboarding.md (2025-10-17): names no sovereign cloud.
 * - [azuread-v3.8.0]: hashicorp/terraform-provider-azuread v3.8.0 (bridged by @pulumi/azuread 6.9.1):
 *   internal/provider/provider.go lines 119-124 (`environment`: global, usgovernmentl4, usgovernmentl5, china),
 *   vendor/github.com/hashicorp/go-azure-sdk/sdk/environments/from_name.go lines 11-30 (the names), azure_gov.go
 *   lines 17, 21 and 45-49 (login.microsoftonline.us; graph.microsoft.us for L4, dod-graph.microsoft.us for L5) and
 *   azure_china.go lines 17, 21 (login.chinacloudapi.cn, microsoftgraph.chinacloudapi.cn).
 */

export const cloudNames = ["global", "usGovGccHigh", "usGovDod", "china"] as const;
export type CloudName = (typeof cloudNames)[number];

export interface MailServer {
    readonly host: string;
    readonly port: number;
    /** `implicit`: TLS from the first byte ("SSL"). `starttls`: plain, then upgraded ("explicit" in eBiss). */
    readonly tls: "implicit" | "starttls";
}

export interface CloudFacts {
    /** Microsoft's name for the cloud, as the pages above write it. */
    readonly label: string;
    /** The azuread provider's `environment` for this cloud (its own names, not Microsoft's). */
    readonly azureadEnvironment: "global" | "usgovernmentl4" | "usgovernmentl5" | "china";
    /** Entra ID's login endpoint; the tenant ID is appended. */
    readonly loginAuthority: string;
    /** Microsoft Graph's service root. */
    readonly graphEndpoint: string;
    /** Exchange Online: the token resource (client credentials), the delegated scopes' resource, PowerShell's name. */
    readonly exchange: {
        readonly clientCredentialsScope: string;
        readonly delegatedMailResource: string;
        readonly environmentName: "O365Default" | "O365USGovGCCHigh" | "O365USGovDoD" | "O365China";
    };
    /** Where the mail protocols listen; absent where Microsoft lists no IMAP, POP or SMTP submission endpoint. */
    readonly mail?: { readonly imap: MailServer; readonly pop: MailServer; readonly smtp: MailServer };
    /** Why `mail` is absent, in the words of the config's refusal. */
    readonly noMailBecause?: string;
    /** How the tenant's initial domain ends, the one Connect-ExchangeOnline -Organization wants. */
    readonly initialDomainSuffixes: readonly string[];
    /** SMTP through Exchange RBAC for Applications: documented for this cloud. */
    readonly appRbacSmtp: boolean;
    /** The values above that follow a documented pattern, not a page naming them for this cloud. */
    readonly inferred: readonly string[];
}

const worldwideMail = {
    // The vendor guides' and Microsoft's "POP and IMAP email settings for Outlook" servers.
    imap: { host: "outlook.office365.com", port: 993, tls: "implicit" },
    pop: { host: "outlook.office365.com", port: 995, tls: "implicit" },
    smtp: { host: "smtp.office365.com", port: 587, tls: "starttls" },
} as const;

/** The same host for all three protocols, as the US Government endpoint lists give one row for TCP 587, 993, 995. */
function oneHost(host: string) {
    return {
        imap: { host, port: 993, tls: "implicit" },
        pop: { host, port: 995, tls: "implicit" },
        smtp: { host, port: 587, tls: "starttls" },
    } as const;
}

/** [endpoints-*] GCC High row 4 and DoD row 5: autodiscover.<tenant>.onmicrosoft.us and .onmicrosoft.com. */
const usGovInitialDomains = [".onmicrosoft.us", ".onmicrosoft.com"];

const sovereignInferred = ["exchange.clientCredentialsScope", "exchange.delegatedMailResource"] as const;

export const clouds: Readonly<Record<CloudName, CloudFacts>> = {
    global: {
        label: "Microsoft 365 Worldwide (commercial and GCC)",
        azureadEnvironment: "global", // [azuread-v3.8.0] the default
        loginAuthority: "https://login.microsoftonline.com", // [graph-deployments]
        graphEndpoint: "https://graph.microsoft.com", // [graph-deployments]
        exchange: {
            clientCredentialsScope: "https://outlook.office365.com/.default", // [imap-oauth]
            delegatedMailResource: "https://outlook.office.com", // [imap-oauth]
            environmentName: "O365Default", // [connect-exo]: the default, so never passed
        },
        mail: worldwideMail,
        initialDomainSuffixes: [".onmicrosoft.com"], // [connect-exo] examples: contoso.onmicrosoft.com
        appRbacSmtp: true, // [app-rbac]
        inferred: [],
    },
    usGovGccHigh: {
        label: "Microsoft 365 GCC High",
        azureadEnvironment: "usgovernmentl4", // [azuread-v3.8.0]: Azure US Government with graph.microsoft.us
        loginAuthority: "https://login.microsoftonline.us", // [graph-deployments]
        graphEndpoint: "https://graph.microsoft.us", // [graph-deployments] "GCC High environment"
        exchange: {
            clientCredentialsScope: "https://outlook.office365.us/.default", // [endpoints-*] GCC High host, [imap-oauth] form
            delegatedMailResource: "https://outlook.office365.us", // [endpoints-*] GCC High host, [imap-oauth] form
            environmentName: "O365USGovGCCHigh", // [connect-exo]
        },
        mail: oneHost("outlook.office365.us"), // [endpoints-*] GCC High row 5
        initialDomainSuffixes: usGovInitialDomains,
        appRbacSmtp: false, // [app-rbac] names no sovereign cloud
        inferred: sovereignInferred,
    },
    usGovDod: {
        label: "Microsoft 365 DoD",
        azureadEnvironment: "usgovernmentl5", // [azuread-v3.8.0]: Azure US Government with dod-graph.microsoft.us
        loginAuthority: "https://login.microsoftonline.us", // [graph-deployments]
        graphEndpoint: "https://dod-graph.microsoft.us", // [graph-deployments] "DoD environment"
        exchange: {
            // webmail.apps.mil: the DoD host both [connect-exo] (-ConnectionUri) and [endpoints-*] DoD row 4 name.
            clientCredentialsScope: "https://webmail.apps.mil/.default",
            delegatedMailResource: "https://webmail.apps.mil",
            environmentName: "O365USGovDoD", // [connect-exo]
        },
        mail: oneHost("webmail.apps.mil"), // [endpoints-*] DoD row 4
        initialDomainSuffixes: usGovInitialDomains,
        appRbacSmtp: false, // [app-rbac] names no sovereign cloud
        inferred: sovereignInferred,
    },
    china: {
        label: "Microsoft 365 operated by 21Vianet",
        azureadEnvironment: "china", // [azuread-v3.8.0]
        loginAuthority: "https://login.chinacloudapi.cn", // [graph-deployments]; the provider's too (azure_china.go)
        graphEndpoint: "https://microsoftgraph.chinacloudapi.cn", // [graph-deployments]
        exchange: {
            clientCredentialsScope: "https://partner.outlook.cn/.default", // [connect-exo] host, [imap-oauth] form
            delegatedMailResource: "https://partner.outlook.cn", // [connect-exo] host, [imap-oauth] form
            environmentName: "O365China", // [connect-exo]
        },
        noMailBecause:
            "Microsoft's endpoint list for Microsoft 365 operated by 21Vianet names the mail ports only for the wildcard *.partner.outlook.cn, no IMAP, POP or SMTP host, so the project has no server to give the mail client",
        initialDomainSuffixes: [".onmschina.cn"], // [endpoints-*] 21Vianet row 8: *.onmschina.cn
        appRbacSmtp: false, // [app-rbac] names no sovereign cloud
        inferred: sovereignInferred,
    },
};

export const defaultCloud: CloudName = "global";

/** Entra ID's v2.0 endpoints of a tenant (a tenant ID, or `organizations` for a multi-tenant app's user sign-in). */
export function authorizeUrl(tenant: string, authority: string = clouds[defaultCloud].loginAuthority): string {
    return `${authority}/${tenant}/oauth2/v2.0/authorize`;
}

export function tokenUrl(tenant: string, authority: string = clouds[defaultCloud].loginAuthority): string {
    return `${authority}/${tenant}/oauth2/v2.0/token`;
}

/**
 * The v2.0 admin consent endpoint of a customer's tenant, as "Admin consent on the Microsoft identity platform"
 * (learn.microsoft.com/entra/identity-platform/v2-admin-consent, "Request the permissions from a directory admin")
 * writes it: `{authority}/{tenant}/v2.0/adminconsent?client_id=...&scope=...&redirect_uri=...&state=...`. `scope`
 * is the static `/.default` form the page allows, so the admin consents to exactly the app's configured
 * permissions; `redirect_uri` must be one of the app's redirect URIs.
 */
export function adminConsentUrl(
    consent: { tenant: string; clientId: string; scope: string; redirectUri: string; state?: string },
    authority: string = clouds[defaultCloud].loginAuthority,
): string {
    const query = new URLSearchParams({ client_id: consent.clientId, scope: consent.scope, redirect_uri: consent.redirectUri });
    if (consent.state !== undefined) query.set("state", consent.state);
    return `${authority}/${consent.tenant}/v2.0/adminconsent?${query.toString()}`;
}
