/**
 * The environment the Exchange scripts read: the access plan in the form PowerShell receives it.
 *
 * Every value travels as data in an environment variable, never as script text, so an address such as
 * o'brien@contoso.com or $x@contoso.com reaches Exchange exactly as written. One variable per mailbox keeps
 * a pull-request preview readable: it shows which mailbox's access changes, not one changed blob.
 */
import * as crypto from "crypto";
import { AccessPlan, MailboxAccess } from "../../plan/accessPlan";
import { settingFlags } from "../../plan/mailboxSettings";
import { ExchangeConnectionConfig } from "../../config/settings";
import { clouds, defaultCloud } from "../../facts/clouds";

export const mailboxVariablePrefix = "M365_MAILBOX_";

/**
 * `M365_MAILBOX_<ADDRESS>_<HASH>`: readable, valid on every platform, and stable for an address whatever else
 * is in the list (the hash keeps o'brien@ and o_brien@ apart; it is of the address in lower case, as Exchange
 * compares addresses).
 */
export function mailboxVariableName(address: string): string {
    const readable = address
        .toUpperCase()
        .replace(/[^A-Z0-9]+/g, "_")
        .replace(/^_+|_+$/g, "")
        .slice(0, 60);
    const hash = crypto.createHash("sha256").update(address.toLowerCase()).digest("hex").slice(0, 8).toUpperCase();
    return `${mailboxVariablePrefix}${readable}_${hash}`;
}

/** The JSON one mailbox variable holds: the address as written and the operations it needs. */
export function mailboxVariableValue(mailbox: MailboxAccess): string {
    return JSON.stringify({ address: mailbox.address, ...settingFlags(mailbox) });
}

/**
 * The environment that does not depend on other resources' outputs: connection, mailboxes, org-wide SMTP AUTH.
 * Sorted by name so the same config always yields the same inputs.
 */
export function staticExchangeEnvironment(
    access: Pick<AccessPlan, "mailboxes" | "organizationSmtpAuth" | "smtpAuthorization" | "appRbac">,
    connection: ExchangeConnectionConfig,
    scriptsDigest: string,
): Record<string, string> {
    const environment: Record<string, string> = {
        M365_EXO_ORGANIZATION: connection.organization,
        M365_EXO_AUTH: connection.auth,
        M365_ORGANIZATION_SMTP_AUTH: String(access.organizationSmtpAuth),
        M365_SCRIPTS_DIGEST: scriptsDigest,
        // appRbac: the names go in both modes, so the scripts can tell the stack's objects from others' either way.
        M365_EXO_SMTP_AUTHORIZATION: access.appRbac.wanted ? "appRbac" : "mailboxPermission",
        M365_EXO_RBAC_GROUP: access.appRbac.group,
        M365_EXO_RBAC_SCOPE: access.appRbac.scope,
        M365_EXO_RBAC_ASSIGNMENT: access.appRbac.assignment,
    };
    if (connection.auth === "certificate") {
        environment.M365_EXO_APP_ID = connection.appId;
        environment.M365_EXO_CERTIFICATE_PATH = connection.certificatePath;
        environment.M365_EXO_CERTIFICATE_PASSWORD_ENV = connection.certificatePasswordEnv;
    }
    if (connection.auth === "managedIdentity" && connection.managedIdentityAccountId) {
        environment.M365_EXO_MANAGED_IDENTITY_ACCOUNT_ID = connection.managedIdentityAccountId;
    }
    if (connection.auth === "interactive" && connection.userPrincipalName) {
        environment.M365_EXO_USER_PRINCIPAL_NAME = connection.userPrincipalName;
    }
    if (connection.auth === "interactive" && connection.disableWam) {
        environment.M365_EXO_DISABLE_WAM = "true";
    }
    // Connect-ExchangeOnline's own default is Worldwide (O365Default), so the variable is set only for another
    // cloud: a Worldwide stack's inputs stay exactly what they were before `cloud` existed.
    const environmentName = clouds[connection.cloud].exchange.environmentName;
    if (environmentName !== clouds[defaultCloud].exchange.environmentName) {
        environment.M365_EXO_ENVIRONMENT_NAME = environmentName;
    }
    if (connection.reconcile === "all") {
        environment.M365_EXO_RECONCILE = "all";
    }
    // The grants found on these mailboxes count as the stack's (docs/adopt.md): the list, lower case, as JSON.
    if (connection.adoptedGrants && connection.adoptedGrants.length > 0) {
        environment.M365_EXO_ADOPTED_GRANTS = JSON.stringify(connection.adoptedGrants);
    }
    if (connection.reconcileRun !== "") {
        environment.M365_EXO_RECONCILE_RUN = connection.reconcileRun;
    }
    for (const mailbox of access.mailboxes) {
        environment[mailboxVariableName(mailbox.address)] = mailboxVariableValue(mailbox);
    }
    return Object.fromEntries(Object.entries(environment).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The identities the Exchange step works for: known only once Entra ID has made them (outputs in the program). */
export interface ExchangeIdentities<T> {
    /** The stack's tenant; the script stops before any change when the sign-in reached another one. */
    readonly tenantId: T;
    /** The app's client ID (New-ServicePrincipal -AppId). */
    readonly appId: T;
    /** The enterprise application's object ID (New-ServicePrincipal -ObjectId). */
    readonly servicePrincipalObjectId: T;
    /** The name the app gets in Exchange Online. */
    readonly displayName: T;
}

export function identityEnvironment<T>(ids: ExchangeIdentities<T>): Record<string, T> {
    return {
        M365_TENANT_ID: ids.tenantId,
        M365_APP_ID: ids.appId,
        M365_SP_OBJECT_ID: ids.servicePrincipalObjectId,
        M365_SP_DISPLAY_NAME: ids.displayName,
    };
}

/** Set when the PFX password comes on stdin (secret stack config) rather than from a named variable. */
export const passwordOnStdinVariable = "M365_EXO_CERTIFICATE_PASSWORD_STDIN";
