/**
 * The offline review as a document of sections: the one shape text and Markdown are both rendered from, so neither can show
 * what the other leaves out.
 */
import { describeOperation, legacySecretRetiredLine, ReviewReport, ServerInUse } from "./model";
import { placeholderTenant } from "../../config/validate";
import { resourceTypeWords } from "../../facts/project";
import { shortStackName } from "../../plan/multiTenant";

export interface Section {
    readonly title: string;
    readonly paragraphs: readonly string[];
    readonly table?: { readonly headers: readonly string[]; readonly rows: readonly (readonly string[])[] };
}

const protocolNames = { imap: "IMAP", pop: "POP3", smtp: "SMTP" } as const;

/** A server in use: where to connect, and who signs in there. */
function server(value: ServerInUse): [string, string] {
    const who = [...value.usernames, ...(value.userSignIn ? ["users signing in themselves"] : [])];
    return [
        protocolNames[value.protocol],
        `${value.host}:${value.port} (${value.tls === "implicit" ? "implicit TLS" : "STARTTLS"}), user name: ${who.join(", ")}`,
    ];
}

/** How many resources of each kind, in words (the type token where the project has no words for it). */
export function resourceCounts(report: ReviewReport): [string, number][] {
    const counts = new Map<string, number>();
    report.resources.forEach((resource) => {
        const kind = resourceTypeWords[resource.type] ?? resource.type;
        counts.set(kind, (counts.get(kind) ?? 0) + 1);
    });
    return [...counts.entries()];
}

/**
 * What `pulumi destroy` leaves behind in Entra ID: Microsoft Graph's DELETE moves an application to deleted items,
 * restorable for 30 days (Graph v1.0, "Delete application" and "directory: deletedItems"); the provider never
 * purges it (terraform-provider-azuread v3.8.0 makes no call to /directory/deletedItems).
 */
export const deletedItemsNotice =
    "pulumi destroy moves the app registration to Entra ID's deleted items for 30 days (restorable, with its credentials); its secrets stop signing in at once";

export function reportDocument(report: ReviewReport): { title: string; sections: Section[] } {
    const sections: Section[] = report.providerApp ? providerAppSections(report, report.providerApp) : ownAppSections(report);
    if (report.exchange || report.mailboxes.length > 0) {
        const exchange = report.exchange;
        sections.push({
            title: "Exchange Online",
            paragraphs: exchange
                ? [
                      `Organization ${exchange.organization}, ${exchange.auth} sign-in, ${exchange.sessionsPerUpdate} session per update`,
                      ...(exchange.interactiveSignIn
                          ? ["Interactive sign-in: `pulumi up` opens a browser for the Exchange administrator's sign-in when it reaches this step (not in CI)"]
                          : []),
                      "New-ServicePrincipal -AppId <client ID> -ObjectId <enterprise application object ID> (once; the first grant naming it waits while Entra ID replicates)",
                      ...(exchange.organizationSmtpAuth
                          ? ["Set-TransportConfig -SmtpClientAuthenticationDisabled $false: SMTP AUTH for the whole organization"]
                          : []),
                      `SMTP authorization: ${exchange.smtpAuthorization}`,
                      ...(exchange.appRbac
                          ? [
                                `New-DistributionGroup -Name ${exchange.appRbac.group} -Type Security: a mail-enabled security group the stack owns, holding exactly the ${exchange.appRbac.members.length} smtp mailbox(es)`,
                                `New-ManagementScope -Name ${exchange.appRbac.scope} -RecipientRestrictionFilter "MemberOfGroup -eq '<the group's DN>'"`,
                                `New-ManagementRoleAssignment -Name ${exchange.appRbac.assignment} -Role '${exchange.appRbac.role}' -App <service principal> -CustomResourceScope ${exchange.appRbac.scope}; each smtp mailbox checked with Test-ServicePrincipalAuthorization`,
                                "No Entra SMTP.SendAsApp permission and no SendAs: RBAC for Applications authorises SMTP (Worldwide cloud)",
                            ]
                          : []),
                  ]
                : [],
            table: {
                headers: ["Mailbox", "Protocols", "Operations"],
                rows: report.mailboxes.map((m) => [m.mailbox, m.protocols.join(", "), m.operations.map(describeOperation).join("; ")]),
            },
        });
    }
    const credential = report.credential;
    if (!report.providerApp)
        sections.push({
            title: `Credential: ${credential.kind}`,
            paragraphs: [
                ...(credential.secret
                    ? [
                          `Client secret of rotation ${credential.secret.rotation}${credential.secret.previousRotation !== undefined ? ` (and rotation ${credential.secret.previousRotation}'s, valid until the next rotation)` : ""}${credential.secret.retiredThrough !== undefined && credential.secret.previousRotation === undefined && credential.secret.rotation > 0 ? ` (rotation ${credential.secret.rotation - 1}'s retired: secretRetiredThrough ${credential.secret.retiredThrough})` : ""}, expires ${credential.secret.expires}; warning ${credential.secret.warnDays} days before`,
                      ]
                    : []),
                ...(credential.certificate
                    ? [
                          `Certificate ${credential.certificate.path}, thumbprint ${credential.certificate.thumbprint}, expires ${credential.certificate.expiresAt}`,
                      ]
                    : []),
                ...(credential.legacySecretsRetired ?? []).map((keyId) => `Retiring: ${legacySecretRetiredLine(keyId)}`),
                ...(credential.keyVault
                    ? [
                          `Delivered to Key Vault ${credential.keyVault.vaultName} (resource group ${credential.keyVault.resourceGroupName}) as secret ${credential.keyVault.secretName}`,
                      ]
                    : []),
            ],
        });
    const c = report.clientSettings;
    const settings: string[][] = [
        ["Token URL", c.tokenUrl],
        ["Scope", c.scope],
        ...c.servers.map(server),
        ...(c.userSignIn
            ? [
                  ["User sign-in authorize URL", c.userSignIn.authorizeUrl],
                  ["User sign-in token URL", c.userSignIn.tokenUrl],
                  ["User sign-in scopes", c.userSignIn.scope],
              ]
            : []),
    ];
    const cloud = report.cloud;
    sections.push({
        title: "Mail client settings",
        paragraphs: [
            `Cloud: ${cloud.label} (${cloud.name}): the azuread provider's environment ${cloud.azureadEnvironment}, Exchange Online PowerShell ${cloud.exchangeEnvironmentName}, Microsoft Graph ${cloud.graphEndpoint}`,
            ...(cloud.inferred.length > 0
                ? [
                      `Microsoft's IMAP, POP and SMTP OAuth page names Worldwide's Exchange Online scopes only; the scopes below follow it with this cloud's Exchange Online host (${cloud.inferred.join(", ")} in facts/clouds.ts): \`npm run verify\` after the first update confirms them`,
                  ]
                : []),
        ],
        table: { headers: ["Setting", "Value"], rows: settings },
    });
    const counts = resourceCounts(report);
    sections.push({
        title: `Resources: ${report.resources.length}`,
        paragraphs: [],
        table: { headers: ["Kind", "Count"], rows: counts.map(([type, count]) => [type, String(count)]) },
    });
    return { title: `Offline review of stack "${report.stack}"`, sections };
}

/** The stack's own app registration and the permissions it is consented to. */
function ownAppSections(report: ReviewReport): Section[] {
    const app = report.application;
    const sections: Section[] = [];
    sections.push({
        title: "App registration",
        paragraphs: [
            `${app.displayName}: ${app.signInAudience}, tenant ${report.tenantId}${app.protect ? "; protected from destroy" : ""}`,
            ...(report.tenantId === placeholderTenant
                ? ["This is the example's placeholder tenant: pulumi preview and pulumi up refuse it until `pulumi config set azuread:tenantId <tenant-id>`."]
                : []),
            `Owners: ${typeof app.owners === "string" ? app.owners : app.owners.join(", ")}`,
            ...(app.redirectUris.length > 0 ? [`Web redirect URIs: ${app.redirectUris.join(", ")}`] : []),
            `Enterprise application: sign-in ${app.enterpriseApplication.accountEnabled ? "enabled" : "disabled"}, assignment ${app.enterpriseApplication.appRoleAssignmentRequired ? "required" : "not required"}; a change made in the portal shows as drift in \`pulumi preview --refresh\``,
            ...(report.customerTenants
                ? [
                      `Customers consenting in their own tenants (${report.customerTenants.protocols.join(", ")}): ${report.customerTenants.customers.map((customer) => `${customer.name} (tenant ${customer.tenantId})`).join(", ") || "none yet"}; each one's admin-consent URL is in the output adminConsentUrls`,
                  ]
                : []),
            deletedItemsNotice,
        ],
    });
    sections.push({
        title: "Permissions (and nothing else)",
        paragraphs: [],
        table: { headers: ["API", "Permission", "ID", "Kind", "Consent"], rows: report.permissions.map((p) => [p.api, p.name, p.id, p.kind, p.consent]) },
    });
    return sections;
}

/** A customer's stack: the provider's app, consented here, and what this stack does and never does with it. */
function providerAppSections(report: ReviewReport, provider: NonNullable<ReviewReport["providerApp"]>): Section[] {
    const short = shortStackName(provider.stack);
    return [
        {
            title: "The provider's app",
            paragraphs: [
                `${report.application.displayName}: the multi-tenant app of stack ${provider.stack}, read through a stack reference; nothing is made in Entra ID here (tenant ${report.tenantId})`,
                `Consent: an administrator of this tenant opens its admin-consent URL (pulumi stack output adminConsentUrls --stack ${short}); \`pulumi up\` waits up to ${provider.waitMinutes} minute(s) for the service principal the consent makes, and a preview before it goes on without it`,
                "The consent's service principal and its permissions are the tenant's: this stack's destroy revokes only its Exchange Online grants",
                `Client secret: the provider's current one, passed on as a secret output; it is rotated on stack ${short}, then \`pulumi up\` here hands the new one on`,
            ],
            table: {
                headers: ["API", "Permission", "ID", "Kind", "Consent"],
                rows: report.permissions.map((p) => [p.api, p.name, p.id, p.kind, "the customer's admin consent"]),
            },
        },
    ];
}
