/**
 * `npm run adopt`'s decisions (pure): from what Graph and Exchange Online hold for a hand-made app, the stack
 * config that describes it, the objects to import under the program's names, the credentials that cannot be
 * imported (legacy), and what the tenant grants beyond what the mail client needs, each with what removes it.
 */
import { exchangeOnline } from "../../facts/microsoft";
import { configNamespace, mailApplicationName, resourceTypes } from "../../facts/project";
import { defaults, MailProtocol, mailProtocols, signInAudiences } from "../../config/choices";
import { appRoleForProtocol } from "../../facts/microsoft";
import { dayMs } from "../../config/rfc3339";
import { planAccess } from "../../plan/accessPlan";
import { appRoleConsentName, delegatedConsentName } from "../../components/entraApplication/entraMailApplication";
import { AppReading, isMailProtocolRole } from "../tenant/appReading";
import { ExchangeReading } from "../tenant/exchangeApp";
import { LostObject } from "../repair/lostObjects";

/** A secret living longer than this is a finding (Microsoft recommends less than 12 months; the portal offers 24 at most). */
export const longSecretDays = 730;

export interface Finding {
    /** What was found, in a mail admin's words. */
    readonly what: string;
    /** The config or command that removes it. */
    readonly fix: string;
}

export interface LegacyCredential {
    readonly kind: "password" | "certificate";
    readonly keyId: string;
    readonly displayName: string | null;
    readonly endDateTime: string | null;
    /** A password's: the config that retires it once the mail client uses the stack's secret (legacySecretsRetired). */
    readonly retire?: string;
}

export interface Adoption {
    /** The stack file's config (namespaced keys; values as YAML writes them). Never a secret. */
    readonly config: Record<string, unknown>;
    /** What `pulumi import --file` brings into the state, under the Entra ID component. */
    readonly imports: readonly LostObject[];
    readonly legacyCredentials: readonly LegacyCredential[];
    readonly findings: readonly Finding[];
    /** Facts worth saying that need no fix. */
    readonly notes: readonly string[];
}

export interface AdoptionOptions {
    readonly now: Date;
    readonly secretWarnDays: number;
    /** The Exchange sign-in to write into the stack file (exchange block), when Exchange was read. */
    readonly exchange?: Record<string, unknown>;
    /** The azuread provider's config to write (tenantId, metadataHost). */
    readonly azuread: Record<string, string>;
    /**
     * `--take-ownership`: the grants found on the adopted mailboxes count as the stack's (exchange.adoptedGrants),
     * so a later destroy removes them; without it they stay pre-existing and untouched.
     */
    readonly takeOwnership?: boolean;
    /** The stack's name, for the commands printed; a placeholder when not given. */
    readonly stack?: string;
}

const key = (name: string) => `${configNamespace}:${name}`;

/** The protocols a mailbox's grants and the app's roles imply: FullAccess opens it for IMAP and POP, SendAs or FullAccess for SMTP. */
export function impliedProtocols(roles: ReadonlySet<MailProtocol>, mailbox: { fullAccess: readonly string[]; sendAs: readonly string[] }): MailProtocol[] {
    const full = mailbox.fullAccess.length > 0;
    const sendAs = mailbox.sendAs.length > 0;
    return mailProtocols.filter((protocol) => roles.has(protocol) && (protocol === "smtp" ? full || sendAs : full));
}

/**
 * The config that retires a hand-made secret (the program's legacySecretsRetired), the n-th of the list. A key ID is
 * no secret, but the CLI takes a GUID for one and refuses it without --plaintext.
 */
export function legacyRetirementCommand(stack: string, keyId: string, index: number): string {
    return `pulumi config set --plaintext --path '${key("legacySecretsRetired")}[${index}]' ${keyId} --stack ${stack} && pulumi up --stack ${stack}`;
}

const graphDelete = (path: string) => `az rest --method DELETE --url https://graph.microsoft.com/v1.0/${path}`;

export function adopt(app: AppReading, exchange: ExchangeReading | undefined, options: AdoptionOptions): Adoption {
    const findings: Finding[] = [];
    const notes: string[] = [];
    const roles = new Set(
        mailProtocols.filter((protocol) =>
            app.appRoleAssignments.some(
                (a) => a.resourceAppId === exchangeOnline.appId && a.appRoleId === exchangeOnline.appRoles[appRoleForProtocol[protocol]],
            ),
        ),
    );
    const application = app.application;

    // Mailboxes: those whose grants the app's roles use.
    const mailboxes: { address: string; protocols: MailProtocol[] }[] = [];
    for (const mailbox of exchange?.mailboxes ?? []) {
        const protocols = impliedProtocols(roles, mailbox);
        if (protocols.length > 0) mailboxes.push({ address: mailbox.address.toLowerCase(), protocols });
        if (mailbox.fullAccess.length > 0 && !roles.has("imap") && !roles.has("pop") && !roles.has("smtp"))
            findings.push({
                what: `FullAccess on ${mailbox.address}, which none of the app's roles (IMAP.AccessAsApp, POP.AccessAsApp, SMTP.SendAsApp) uses`,
                fix: `Remove-MailboxPermission -Identity ${mailbox.address} -User ${mailbox.fullAccess[0]} -AccessRights FullAccess`,
            });
        if (mailbox.sendAs.length > 0 && !roles.has("smtp"))
            findings.push({
                what: `SendAs on ${mailbox.address} without SMTP.SendAsApp: the app cannot send over SMTP, so the grant is unused`,
                fix: `Remove-RecipientPermission -Identity ${mailbox.address} -Trustee ${mailbox.sendAs[0]} -AccessRights SendAs`,
            });
        if (mailbox.recipientTypeDetails && !/^(UserMailbox|SharedMailbox)$/.test(mailbox.recipientTypeDetails))
            notes.push(`${mailbox.address} is a ${mailbox.recipientTypeDetails}, not a user or shared mailbox`);
    }

    // SMTP AUTH: as found. Organisation-wide only where the organisation has it on and a mailbox sends.
    const sends = mailboxes.some((mailbox) => mailbox.protocols.includes("smtp"));
    let smtpAuth: "mailbox" | "organization" | "unchanged" = defaults.smtpAuth;
    if (exchange && sends && !exchange.organizationSmtpClientAuthenticationDisabled) {
        smtpAuth = "organization";
        findings.push({
            what: "SMTP AUTH is enabled for the whole organisation (the vendor guides' Option B), while only the adopted mailboxes send with it",
            fix: "set smtpAuth: mailbox (the next pulumi up enables it per sending mailbox), then turn it off organisation-wide: Set-TransportConfig -SmtpClientAuthenticationDisabled $true",
        });
    }

    // Exchange's registration of the app: the guides' mistake (the app registration's object ID).
    for (const registration of exchange?.servicePrincipals ?? []) {
        if (registration.objectIdIs === "appRegistration")
            findings.push({
                what: `Exchange's service principal ${registration.identity} was registered with the app registration's object ID (${registration.objectId}) instead of the enterprise application's${app.servicePrincipal ? ` (${app.servicePrincipal.objectId})` : ""}: tokens of the app do not match it`,
                fix:
                    "nothing to run: the first pulumi up registers the enterprise application's object ID and moves the grants it owns; grants the stack does not own stay with the old registration until removed by hand (Remove-ServicePrincipal -Identity " +
                    `${registration.identity})`,
            });
    }

    // Extra permissions: every application permission that is not IMAP/POP/SMTP, every delegated grant the plan does not make.
    for (const assignment of app.appRoleAssignments.filter((a) => !isMailProtocolRole(a)))
        findings.push({
            what: `application permission ${assignment.resourceDisplayName || assignment.resourceAppId} ${assignment.roleName}, which IMAP, POP and SMTP do not need`,
            fix: graphDelete(`servicePrincipals/${assignment.resourceId}/appRoleAssignedTo/${assignment.id}`),
        });
    const redirectUris = application.webRedirectUris;
    const userProtocols = mailProtocols.filter((protocol) =>
        app.delegatedGrants.some((grant) => grant.scopes.includes({ imap: "IMAP.AccessAsUser.All", pop: "POP.AccessAsUser.All", smtp: "SMTP.Send" }[protocol])),
    );
    const userSignIn = redirectUris.length > 0 ? { redirectUris: [...redirectUris], protocols: userProtocols } : undefined;

    const config: Record<string, unknown> = {
        ...options.azuread,
        [key("displayName")]: application.displayName,
        ...(application.signInAudience !== defaults.signInAudience && (signInAudiences as readonly string[]).includes(application.signInAudience)
            ? { [key("signInAudience")]: application.signInAudience }
            : {}),
        ...(mailboxes.length > 0 ? { [key("mailboxes")]: mailboxes } : {}),
        ...(userSignIn ? { [key("userSignIn")]: userSignIn } : {}),
        ...(smtpAuth !== defaults.smtpAuth ? { [key("smtpAuth")]: smtpAuth } : {}),
        ...(options.secretWarnDays !== defaults.secretWarnDays ? { [key("secretWarnDays")]: options.secretWarnDays } : {}),
        ...(application.owners.length > 0 ? { [key("owners")]: application.owners.map((owner) => owner.id.toLowerCase()) } : {}),
        ...(app.servicePrincipal && (!app.servicePrincipal.accountEnabled || app.servicePrincipal.appRoleAssignmentRequired)
            ? {
                  [key("enterpriseApplication")]: {
                      accountEnabled: app.servicePrincipal.accountEnabled,
                      appRoleAssignmentRequired: app.servicePrincipal.appRoleAssignmentRequired,
                  },
              }
            : {}),
        ...(exchange && options.exchange && mailboxes.length > 0
            ? {
                  [key("exchange")]: {
                      ...options.exchange,
                      ...(options.takeOwnership ? { adoptedGrants: mailboxes.map((mailbox) => mailbox.address) } : {}),
                  },
              }
            : {}),
    };
    if (!(signInAudiences as readonly string[]).includes(application.signInAudience))
        findings.push({
            what: `sign-in audience ${application.signInAudience}: the stack supports ${signInAudiences.join(" and ")}; the next pulumi up would change it`,
            fix: `choose one: pulumi config set ${key("signInAudience")} AzureADMyOrg`,
        });

    // What the program declares for this config decides which objects are imported under its names.
    const plan = planAccess({ mailboxes, smtpAuth, userSignIn });
    const imports: LostObject[] = [{ type: resourceTypes.application, name: mailApplicationName, id: `/applications/${application.objectId}`, meets: "" }];
    if (app.servicePrincipal)
        imports.push({ type: resourceTypes.servicePrincipal, name: mailApplicationName, id: `/servicePrincipals/${app.servicePrincipal.objectId}`, meets: "" });
    for (const role of plan.appRoles) {
        const held = app.appRoleAssignments.find((a) => a.appRoleId === role.id && a.resourceAppId === role.resourceAppId);
        if (held)
            imports.push({
                type: resourceTypes.appRoleAssignment,
                name: appRoleConsentName(mailApplicationName, role.name),
                id: `/servicePrincipals/${held.resourceId}/appRoleAssignedTo/${held.id}`,
                meets: "",
            });
    }
    for (const assignment of app.appRoleAssignments.filter((a) => isMailProtocolRole(a) && !plan.appRoles.some((role) => role.id === a.appRoleId)))
        findings.push({
            what: `application permission ${assignment.roleName}, which no adopted mailbox uses`,
            fix: graphDelete(`servicePrincipals/${assignment.resourceId}/appRoleAssignedTo/${assignment.id}`),
        });
    const planned = new Set(plan.delegatedScopes.map((scope) => scope.name));
    const adminGrant = app.delegatedGrants.find((g) => g.consentType === "AllPrincipals" && g.resourceId === app.graphServicePrincipalId);
    if (plan.delegatedScopes.length > 0 && adminGrant)
        imports.push({
            type: resourceTypes.delegatedGrant,
            name: delegatedConsentName(mailApplicationName),
            id: `/oauth2PermissionGrants/${adminGrant.id}`,
            meets: "",
        });
    for (const grant of app.delegatedGrants) {
        const imported = grant === adminGrant && plan.delegatedScopes.length > 0;
        const extra = imported ? grant.scopes.filter((scope) => !planned.has(scope)) : grant.scopes;
        if (extra.length === 0) continue;
        findings.push({
            what: `delegated permission${extra.length > 1 ? "s" : ""} ${extra.join(", ")} (${grant.consentType === "AllPrincipals" ? "admin consent for all users" : `one user's consent, ${grant.principalId}`})`,
            fix: imported
                ? `nothing to run: the grant is imported, and the next pulumi up narrows it to ${[...planned].join(" ")} (the preview shows it)`
                : graphDelete(`oauth2PermissionGrants/${grant.id}`),
        });
    }

    // Owners: the stack sets the app's owners on both objects; owners only the enterprise application has go.
    const appOwners = new Set(application.owners.map((owner) => owner.id.toLowerCase()));
    for (const owner of app.servicePrincipal?.owners ?? [])
        if (!appOwners.has(owner.id.toLowerCase()))
            findings.push({
                what: `${owner.displayName ?? owner.id} owns the enterprise application but not the app registration`,
                fix: `the next pulumi up removes it (owners: ${[...appOwners].join(", ") || "the deploying identity"}); to keep it, add ${owner.id.toLowerCase()} to ${key("owners")}`,
            });

    // Credentials: none can be imported with its value; each stays as a legacy credential.
    const stack = options.stack ?? "<stack>";
    const retire = (keyId: string) =>
        `once the mail client uses the stack's secret: ${legacyRetirementCommand(
            stack,
            keyId.toLowerCase(),
            application.passwordCredentials.findIndex((c) => c.keyId === keyId),
        )}`;
    const legacyCredentials: LegacyCredential[] = [
        ...application.passwordCredentials.map((c) => ({
            kind: "password" as const,
            keyId: c.keyId,
            displayName: c.displayName,
            endDateTime: c.endDateTime,
            retire: retire(c.keyId),
        })),
        ...application.keyCredentials.map((c) => ({ kind: "certificate" as const, keyId: c.keyId, displayName: c.displayName, endDateTime: c.endDateTime })),
    ];
    for (const secret of application.passwordCredentials) {
        const end = secret.endDateTime ? Date.parse(secret.endDateTime) : NaN;
        const start = secret.startDateTime ? Date.parse(secret.startDateTime) : NaN;
        const remove = retire(secret.keyId);
        const name = `secret "${secret.displayName ?? ""}" (key ID ${secret.keyId})`;
        if (end - start > longSecretDays * dayMs)
            findings.push({
                what: `${name} lives ${Math.round((end - start) / dayMs)} days (until ${secret.endDateTime}), longer than two years`,
                fix: remove,
            });
        if (end - options.now.getTime() < options.secretWarnDays * dayMs)
            findings.push({
                what: `${name} ${end < options.now.getTime() ? "expired" : "expires"} on ${secret.endDateTime}, within secretWarnDays (${options.secretWarnDays})`,
                fix: remove,
            });
    }

    for (const policy of exchange?.applicationAccessPolicies ?? [])
        findings.push({
            what: `Application Access Policy ${policy.identity} (${policy.accessRight} ${policy.scopeName}): it limits Graph and EWS mail permissions, which IMAP, POP and SMTP do not use`,
            fix: `Remove-ApplicationAccessPolicy -Identity "${policy.identity}" (after removing the Graph or EWS permissions it scoped)`,
        });
    for (const assignment of exchange?.managementRoleAssignments ?? [])
        findings.push({
            what: `Exchange management role assignment ${assignment.name} (${assignment.role}${assignment.customResourceScope ? `, scope ${assignment.customResourceScope}` : ""}) to the app`,
            fix:
                assignment.role === "Application SMTP.SendAsApp"
                    ? `SMTP through RBAC for Applications: set ${key("exchange")}.smtpAuthorization: appRbac to let the stack manage it, or Remove-ManagementRoleAssignment -Identity "${assignment.name}"`
                    : `Remove-ManagementRoleAssignment -Identity "${assignment.name}"`,
        });
    if (exchange && mailboxes.length > 0)
        notes.push(
            options.takeOwnership
                ? `the grants found on ${mailboxes.length} mailbox(es) count as the stack's (exchange.adoptedGrants): a destroy, or a mailbox leaving the config, removes them`
                : "the grants found stay pre-existing: the stack never removes them, also on destroy (--take-ownership makes them the stack's)",
        );
    if (exchange && exchange.applicationAccessPolicies === null)
        notes.push(
            "Application Access Policies were not read: the Exchange session has no Get-ApplicationAccessPolicy (the signed-in identity's roles leave it out)",
        );
    if (!exchange) notes.push("Exchange Online was not read (no --exchange-organization or exchange block): mailboxes are left for you to add");
    return { config, imports, legacyCredentials, findings, notes };
}
