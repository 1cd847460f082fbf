/**
 * The values a config key may take and the defaults it falls back to: the schema (schema.ts) checks against
 * these lists, and the program, the plan and the tools compare with them by name.
 */
import { defaultCloud } from "../facts/clouds";
export const mailProtocols = ["imap", "pop", "smtp"] as const;
export type MailProtocol = (typeof mailProtocols)[number];
export const signInAudiences = ["AzureADMyOrg", "AzureADMultipleOrgs"] as const;
export type SignInAudience = (typeof signInAudiences)[number];
export const smtpAuthModes = ["mailbox", "organization", "unchanged"] as const;
export type SmtpAuthMode = (typeof smtpAuthModes)[number];
export const exchangeAuthModes = ["interactive", "certificate", "managedIdentity"] as const;
export type ExchangeAuthMode = (typeof exchangeAuthModes)[number];
export const exchangeReconcileModes = ["changed", "all"] as const;
export type ExchangeReconcileMode = (typeof exchangeReconcileModes)[number];
/** How an app's SMTP sending is authorised: per-mailbox grants, or Exchange's RBAC for Applications (Oct 2025). */
export const smtpAuthorizationModes = ["mailboxPermission", "appRbac"] as const;
export type SmtpAuthorizationMode = (typeof smtpAuthorizationModes)[number];
export const credentialKinds = ["secret", "certificate", "both"] as const;
export type CredentialKind = (typeof credentialKinds)[number];

export const defaults = {
    cloud: defaultCloud,
    signInAudience: "AzureADMyOrg",
    smtpAuth: "mailbox",
    secretLifetimeDays: 180,
    secretRotation: 0,
    secretWarnDays: 30,
    secretHandoverDays: 14,
    credential: "secret",
    protect: false,
    pwsh: "pwsh",
    certificatePasswordEnv: "M365_EXO_CERTIFICATE_PASSWORD",
    exchangeAuth: "interactive",
    reconcile: "changed",
    smtpAuthorization: "mailboxPermission",
    // Entra's own defaults for a new enterprise application (the provider's too: service_principal_resource.go).
    enterpriseApplication: { accountEnabled: true, appRoleAssignmentRequired: false },
} as const;

export const secretLifetimeBounds = { min: 1, max: 730 } as const;
