/**
 * The offline plan as data: what `pulumi up` would declare for a stack, in the words of the mail admin who approves
 * it. JSON is this model as it is; text and Markdown render one document made from it (document.ts).
 */
import { StackSettings } from "../../config/schema";
import { isComponentType, resourceTypes } from "../../facts/project";
import { AccessPlan, MailboxAccess, planAccess } from "../../plan/accessPlan";
import { DeclaredResource } from "../mockEngine";

export interface PlanReport {
    readonly stack: string;
    readonly tenantId: string;
    readonly application: { displayName: string; signInAudience: string; redirectUris: readonly string[]; protect: boolean };
    readonly permissions: {
        api: string;
        name: string;
        id: string;
        kind: "application permission (app role)" | "delegated permission (scope)";
        consent: string;
    }[];
    readonly exchange?: {
        organization: string;
        auth: string;
        sessionsPerUpdate: number;
        organizationSmtpAuth: boolean;
        /** How app-only SMTP is authorised, and with appRbac what the stack makes for it. */
        smtpAuthorization: string;
        appRbac?: { group: string; scope: string; assignment: string; role: string; members: readonly string[] };
    };
    readonly mailboxes: { address: string; protocols: readonly string[]; operations: string[] }[];
    readonly credential: {
        kind: string;
        secret?: { lifetimeDays: number; expires: string; rotation: number; previousRotation?: number; warnDays: number };
        certificate?: { path: string; thumbprint?: string; expiresAt?: string };
        keyVault?: { vaultName: string; secretName: string; resourceGroupName: string };
    };
    readonly clientSettings: Record<string, unknown>;
    readonly resources: { type: string; name: string }[];
}

export function mailboxOperations(mailbox: MailboxAccess): string[] {
    const operations: string[] = [];
    if (mailbox.fullAccess) operations.push("Add-MailboxPermission FullAccess (no auto-mapping): the app may use the mailbox");
    if (mailbox.sendAs) operations.push("Add-RecipientPermission SendAs: send as the mailbox");
    if (mailbox.groupMember) operations.push("Add-DistributionGroupMember to the appRbac group: send as the mailbox through RBAC for Applications");
    if (mailbox.smtpClientAuth) operations.push("Set-CASMailbox -SmtpClientAuthenticationDisabled $false: SMTP AUTH on");
    if (mailbox.smtpClientAuthOrganization)
        operations.push("Set-CASMailbox -SmtpClientAuthenticationDisabled $null if it is $true: SMTP AUTH from the organization");
    if (mailbox.imapEnabled) operations.push("Set-CASMailbox -ImapEnabled $true");
    if (mailbox.popEnabled) operations.push("Set-CASMailbox -PopEnabled $true");
    return operations;
}

function consentOf(plan: AccessPlan, type: "Role" | "Scope"): string {
    return type === "Role"
        ? "admin consent: app role assignment to the tenant's Office 365 Exchange Online service principal"
        : `admin consent for all users: one delegated grant on Microsoft Graph (${plan.delegatedScopes.map((s) => s.name).join(" ")})`;
}

export function buildReport(stack: string, settings: StackSettings, resources: DeclaredResource[], outputs: Record<string, any>): PlanReport {
    const plan = planAccess(settings);
    const certificateResource = resources.find((r) => r.type === resourceTypes.certificate);
    return {
        stack,
        tenantId: outputs.tenantId,
        application: {
            displayName: settings.displayName,
            signInAudience: settings.signInAudience,
            redirectUris: plan.redirectUris,
            protect: settings.protect,
        },
        permissions: [...plan.appRoles, ...plan.delegatedScopes].map((permission) => ({
            api: permission.resourceName,
            name: permission.name,
            id: permission.id,
            kind: permission.type === "Role" ? "application permission (app role)" : "delegated permission (scope)",
            consent: consentOf(plan, permission.type),
        })),
        exchange: settings.exchange
            ? {
                  organization: settings.exchange.organization,
                  auth: settings.exchange.auth,
                  sessionsPerUpdate: resources.filter((r) => r.type === resourceTypes.command).length,
                  organizationSmtpAuth: plan.organizationSmtpAuth,
                  smtpAuthorization: plan.smtpAuthorization,
                  ...(plan.appRbac.wanted
                      ? {
                            appRbac: {
                                group: plan.appRbac.group,
                                scope: plan.appRbac.scope,
                                assignment: plan.appRbac.assignment,
                                role: plan.appRbac.role,
                                members: plan.appRbac.members,
                            },
                        }
                      : {}),
              }
            : undefined,
        mailboxes: plan.mailboxes.map((mailbox) => ({ address: mailbox.address, protocols: mailbox.protocols, operations: mailboxOperations(mailbox) })),
        credential: {
            kind: settings.credential,
            secret:
                settings.credential === "certificate"
                    ? undefined
                    : {
                          lifetimeDays: settings.secretLifetimeDays,
                          expires: `${settings.secretLifetimeDays} days after it is created (fixed then; not moved by later updates)`,
                          rotation: settings.secretRotation,
                          ...(settings.secretRotation > 0 ? { previousRotation: settings.secretRotation - 1 } : {}),
                          warnDays: settings.secretWarnDays,
                      },
            certificate: settings.certificatePath
                ? { path: settings.certificatePath, thumbprint: outputs.certificateThumbprint, expiresAt: certificateResource?.inputs.endDate }
                : undefined,
            keyVault: settings.keyVault,
        },
        clientSettings: {
            tokenUrl: outputs.tokenUrl,
            scope: outputs.scope,
            imap: outputs.imap,
            pop: outputs.pop,
            smtp: outputs.smtp,
            usernames: (outputs.mailboxes ?? []).map((m: { username: string }) => m.username),
            ...(outputs.userSignIn ? { userSignIn: outputs.userSignIn } : {}),
        },
        resources: resources.filter((r) => !isComponentType(r.type)).map((r) => ({ type: r.type, name: r.name })),
    };
}
