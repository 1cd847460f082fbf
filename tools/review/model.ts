/**
 * The offline review as data: what `pulumi up` would declare for a stack, in the words of the mail admin who approves
 * it. JSON is this model as it is; text and Markdown render one document made from it (document.ts).
 */
import { MailProtocol, mailProtocols } from "../../config/choices";
import { configDocs } from "../../config/schemaHelpers";
import { StackSettings } from "../../config/settings";
import { isComponentType, resourceTypes } from "../../facts/project";
import { CloudName, clouds } from "../../facts/clouds";
import { AccessPlan, MailboxAccess, planAccess } from "../../plan/accessPlan";
import { mailboxSettings } from "../../plan/mailboxSettings";
import { secretSlots } from "../../plan/secretRotation";
import { StackOutputs } from "../../plan/stackOutputs";
import { DeclaredResource } from "../mockEngine";
import { DeployedSecret } from "./deployedState";

/** One Exchange change for one mailbox, as fields: what a tool filters on, and the plain words an admin reads. */
export interface MailboxOperation {
    readonly cmdlet: string;
    /** The permission granted, or the setting and the value it gets. */
    readonly right: string;
    /** What it lets the app do, in plain words. */
    readonly reason: string;
}

/** A server the mail client connects to, for one protocol in use, and who signs in there. */
export interface ServerInUse {
    readonly protocol: MailProtocol;
    readonly host: string;
    readonly port: number;
    readonly tls: "implicit" | "starttls";
    /** The mailboxes that sign in over this protocol (their address is the user name). */
    readonly usernames: readonly string[];
    /** Whether users also sign in over this protocol themselves (user sign-in). */
    readonly userSignIn: boolean;
}

export interface ReviewReport {
    readonly stack: string;
    readonly tenantId: string;
    /** Microsoft's cloud the tenant lives in, and what the stack takes from it (facts/clouds.ts). */
    readonly cloud: {
        name: CloudName;
        label: string;
        azureadEnvironment: string;
        exchangeEnvironmentName: string;
        graphEndpoint: string;
        /** Values that follow a documented pattern rather than a page naming them for this cloud. */
        inferred: readonly string[];
    };
    readonly application: {
        displayName: string;
        signInAudience: string;
        redirectUris: readonly string[];
        protect: boolean;
        /** The configured owners' object IDs, or in words who becomes owner. */
        owners: readonly string[] | string;
        /** The enterprise application's sign-in switch and assignment requirement, as declared. */
        enterpriseApplication: { readonly accountEnabled: boolean; readonly appRoleAssignmentRequired: boolean };
    };
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
        /** An interactive sign-in opens a browser during `pulumi up`: someone must be there to sign in. */
        interactiveSignIn: boolean;
        sessionsPerUpdate: number;
        organizationSmtpAuth: boolean;
        /** How app-only SMTP is authorised, and with appRbac what the stack makes for it. */
        smtpAuthorization: string;
        appRbac?: { group: string; scope: string; assignment: string; role: string; members: readonly string[] };
    };
    readonly mailboxes: { mailbox: string; protocols: readonly string[]; operations: MailboxOperation[] }[];
    readonly credential: {
        kind: string;
        secret?: {
            lifetimeDays: number;
            /** The deployed current secret's end date, when the stack's state has this rotation's secret. */
            expiresAt?: string;
            /** The end date in words: the date, or how it is set when the secret is created. */
            expires: string;
            rotation: number;
            previousRotation?: number;
            /** secretRetiredThrough: the rotations whose secrets are retired. */
            retiredThrough?: number;
            warnDays: number;
        };
        certificate?: { path: string; thumbprint?: string; expiresAt?: string };
        keyVault?: { vaultName: string; secretName: string; resourceGroupName: string };
        /** legacySecretsRetired: key IDs of hand-made secrets the update removes from the app. */
        legacySecretsRetired?: readonly string[];
    };
    readonly clientSettings: {
        tokenUrl: string;
        scope: string;
        /** Only the protocols some mailbox or the user sign-in uses. */
        servers: ServerInUse[];
        userSignIn?: { authorizeUrl: string; tokenUrl: string; scope: string };
    };
    readonly resources: { type: string; name: string }[];
    /** A provider's stack of a multi-tenant app: the customers, each consenting in its own tenant. */
    readonly customerTenants?: { readonly customers: readonly { name: string; tenantId: string }[]; readonly protocols: readonly string[] };
    /** A customer's stack: the provider's stack whose app it uses, fully named, and how long `pulumi up` waits for consent. */
    readonly providerApp?: { readonly stack: string; readonly waitMinutes: number };
}

/** A retired hand-made secret in a mail admin's words: the review's and the change review's line. */
export function legacySecretRetiredLine(keyId: string): string {
    return `legacy secret ${keyId} retired (a client secret made by hand, legacySecretsRetired): removed from the app once the stack's own secret exists; a mail client still using it stops signing in`;
}

/** The previous secret the slots keep (none before the first rotation, none once retired), and the one retired. */
function previousSecret(settings: StackSettings): { previousRotation?: number; retiredThrough?: number } {
    const slots = secretSlots(settings.secretRotation, settings.secretRetiredThrough);
    return {
        ...(slots.previous ? { previousRotation: slots.previous.rotation } : {}),
        ...(slots.retiredThrough !== undefined ? { retiredThrough: slots.retiredThrough } : {}),
    };
}

export function mailboxOperations(mailbox: MailboxAccess): MailboxOperation[] {
    return mailboxSettings.filter((setting) => mailbox[setting.key]).map(({ cmdlet, right, reason }) => ({ cmdlet, right, reason }));
}

/** One operation as a line: cmdlet, right, and why. */
export function describeOperation(operation: MailboxOperation): string {
    return `${operation.cmdlet} ${operation.right}: ${operation.reason}`;
}

/** Who owns the app when `owners` is unset: the config's own documented default, so the two never differ. */
export const defaultOwners = configDocs.find((doc) => doc.key === "owners")!.default;

function consentOf(access: AccessPlan, type: "Role" | "Scope"): string {
    return type === "Role"
        ? "admin consent: app role assignment to the tenant's Office 365 Exchange Online service principal"
        : `admin consent for all users: one delegated grant on Microsoft Graph (${access.delegatedScopes.map((s) => s.name).join(" ")})`;
}

/** The servers of the protocols in use, each with the mailboxes that sign in there. */
function serversInUse(access: AccessPlan, settings: StackSettings, outputs: StackOutputs): ServerInUse[] {
    const userProtocols: readonly MailProtocol[] = settings.userSignIn?.protocols ?? [];
    return mailProtocols.flatMap((protocol) => {
        const usernames = access.mailboxes.filter((mailbox) => mailbox.protocols.includes(protocol)).map((mailbox) => mailbox.address);
        const userSignIn = userProtocols.includes(protocol);
        const server = outputs[protocol];
        return usernames.length > 0 || userSignIn ? [{ protocol, host: server.host, port: server.port, tls: server.tls, usernames, userSignIn }] : [];
    });
}

/** When the current secret ends: its date if the deployed stack already holds this rotation's secret. */
function secretEnd(lifetimeDays: number, rotation: number, deployed: DeployedSecret | undefined): { expiresAt?: string; expires: string } {
    if (deployed && deployed.rotation === rotation) {
        return { expiresAt: deployed.expiresAt, expires: `${deployed.expiresAt} (the deployed secret's end date)` };
    }
    return { expires: `${lifetimeDays} days after it is created (fixed then; not moved by later updates)` };
}

export function buildReport(
    stack: string,
    settings: StackSettings,
    resources: DeclaredResource[],
    outputs: StackOutputs,
    deployed?: DeployedSecret,
): ReviewReport {
    const access = planAccess(settings);
    const certificateResource = resources.find((r) => r.type === resourceTypes.certificate);
    const cloud = clouds[settings.cloud];
    return {
        stack,
        tenantId: outputs.tenantId,
        cloud: {
            name: settings.cloud,
            label: cloud.label,
            azureadEnvironment: cloud.azureadEnvironment,
            exchangeEnvironmentName: cloud.exchange.environmentName,
            graphEndpoint: cloud.graphEndpoint,
            inferred: cloud.inferred,
        },
        ...(settings.customerTenants
            ? { customerTenants: { customers: settings.customerTenants.customers, protocols: settings.customerTenants.protocols } }
            : {}),
        ...(settings.providerApp && outputs.providerStack
            ? { providerApp: { stack: outputs.providerStack, waitMinutes: settings.providerApp.waitMinutes } }
            : {}),
        application: {
            displayName: settings.displayName,
            signInAudience: settings.signInAudience,
            redirectUris: access.redirectUris,
            protect: settings.protect,
            owners: settings.owners ?? defaultOwners,
            enterpriseApplication: settings.enterpriseApplication,
        },
        permissions: [...access.appRoles, ...access.delegatedScopes].map((permission) => ({
            api: permission.resourceName,
            name: permission.name,
            id: permission.id,
            kind: permission.type === "Role" ? "application permission (app role)" : "delegated permission (scope)",
            consent: consentOf(access, permission.type),
        })),
        exchange: settings.exchange
            ? {
                  organization: settings.exchange.organization,
                  auth: settings.exchange.auth,
                  interactiveSignIn: settings.exchange.auth === "interactive",
                  sessionsPerUpdate: resources.filter((r) => r.type === resourceTypes.command).length,
                  organizationSmtpAuth: access.organizationSmtpAuth,
                  smtpAuthorization: access.smtpAuthorization,
                  ...(access.appRbac.wanted
                      ? {
                            appRbac: {
                                group: access.appRbac.group,
                                scope: access.appRbac.scope,
                                assignment: access.appRbac.assignment,
                                role: access.appRbac.role,
                                members: access.appRbac.members,
                            },
                        }
                      : {}),
              }
            : undefined,
        mailboxes: access.mailboxes.map((mailbox) => ({ mailbox: mailbox.address, protocols: mailbox.protocols, operations: mailboxOperations(mailbox) })),
        credential: {
            kind: settings.credential,
            secret:
                settings.credential === "certificate"
                    ? undefined
                    : {
                          lifetimeDays: settings.secretLifetimeDays,
                          ...secretEnd(settings.secretLifetimeDays, settings.secretRotation, deployed),
                          rotation: settings.secretRotation,
                          ...previousSecret(settings),
                          warnDays: settings.secretWarnDays,
                      },
            certificate: settings.certificatePath
                ? { path: settings.certificatePath, thumbprint: outputs.certificateThumbprint, expiresAt: certificateResource?.inputs.endDate }
                : undefined,
            keyVault: settings.keyVault,
            ...(settings.legacySecretsRetired ? { legacySecretsRetired: settings.legacySecretsRetired } : {}),
        },
        clientSettings: {
            tokenUrl: outputs.tokenUrl,
            scope: outputs.scope,
            servers: serversInUse(access, settings, outputs),
            ...(outputs.userSignIn
                ? { userSignIn: { authorizeUrl: outputs.userSignIn.authorizeUrl, tokenUrl: outputs.userSignIn.tokenUrl, scope: outputs.userSignIn.scope } }
                : {}),
        },
        resources: resources.filter((r) => !isComponentType(r.type)).map((r) => ({ type: r.type, name: r.name })),
    };
}
