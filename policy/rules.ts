/**
 * The policy rules as pure functions of a resource's type, properties and the stack's tags, so they are tested
 * without the policy engine. index.ts wires them into the pack that `pulumi preview --policy-pack policy` runs.
 */
import { configNamespace, resourceTypes } from "../facts/project";
import { dayMs } from "../config/rfc3339";
import { tenantWideMailRoles } from "../facts/microsoft";

export interface ResourceUnderReview {
    readonly type: string;
    readonly props: Record<string, any>;
    readonly stackTags: ReadonlyMap<string, string>;
}

export interface RuleConfig {
    readonly maxSecretLifetimeDays: number;
}

export const defaultRuleConfig: RuleConfig = { maxSecretLifetimeDays: 365 };

export const allowOrganizationSmtpAuthTag = `${configNamespace}:allowOrganizationSmtpAuth`;

const types = resourceTypes;

type Rule = (resource: ResourceUnderReview, config: RuleConfig) => string[];

function appRoleIds(props: Record<string, any>): string[] {
    const accesses: any[] = props.requiredResourceAccesses ?? [];
    return accesses.flatMap((access) => (access.resourceAccesses ?? []).filter((entry: any) => entry.type === "Role").map((entry: any) => String(entry.id)));
}

export const noTenantWideMailPermissions: Rule = ({ type, props }) => {
    const ids = type === types.application ? appRoleIds(props) : type === types.appRoleAssignment ? [String(props.appRoleId)] : [];
    return ids
        .filter((id) => id in tenantWideMailRoles)
        .map(
            (id) =>
                `${tenantWideMailRoles[id]} (${id}) gives access to every mailbox in the tenant; use IMAP.AccessAsApp / POP.AccessAsApp / SMTP.SendAsApp with per-mailbox grants`,
        );
};

export const secretLifetimeAtMost: Rule = ({ type, props }, { maxSecretLifetimeDays }) => {
    const max = maxSecretLifetimeDays;
    if (type === types.secretExpiry && typeof props.lifetimeDays === "number" && props.lifetimeDays > max) {
        return [`the client secret lives ${props.lifetimeDays} days; this policy allows at most ${max}`];
    }
    if (type === types.password && typeof props.endDate === "string") {
        const start = typeof props.startDate === "string" ? Date.parse(props.startDate) : Date.now();
        const days = (Date.parse(props.endDate) - start) / dayMs;
        if (days > max + 1) {
            return [`the client secret ends on ${props.endDate}, ${Math.round(days)} days after it starts; this policy allows at most ${max}`];
        }
    }
    return [];
};

export const appOnlyAppsSingleTenant: Rule = ({ type, props }) => {
    if (type !== types.application || appRoleIds(props).length === 0) {
        return [];
    }
    const audience = props.signInAudience ?? "AzureADMyOrg";
    return audience === "AzureADMyOrg"
        ? []
        : [`the app holds application permissions (app-only mail access) but signs in ${audience}; app-only apps must be single tenant (AzureADMyOrg)`];
};

function runsExchangePowerShell(props: Record<string, any>): boolean {
    const interpreter: string[] = Array.isArray(props.interpreter) ? props.interpreter.map(String) : [];
    const commands = [props.create, props.update, props.delete].filter((c) => typeof c === "string").join(" ");
    return interpreter.some((part) => /(^|[\\/])(pwsh|powershell)(\.exe)?$/i.test(part)) || /\.ps1\b|pwsh|powershell/i.test(commands);
}

export const exchangeCommandsDoNotLogStdout: Rule = ({ type, props }) => {
    if (type !== types.command || !runsExchangePowerShell(props)) {
        return [];
    }
    const logging = props.logging ?? "stdoutAndStderr";
    return logging === "stderr" || logging === "none"
        ? []
        : [`a command running Exchange PowerShell logs stdout (logging "${logging}"); set logging to "stderr" or "none"`];
};

export const organizationSmtpAuthOnlyWhereAllowed: Rule = ({ type, props, stackTags }) => {
    if (type !== types.command || props.environment?.M365_ORGANIZATION_SMTP_AUTH !== "true") {
        return [];
    }
    return stackTags.get(allowOrganizationSmtpAuthTag) === "true"
        ? []
        : [`SMTP AUTH would be enabled for the whole organization; allow it for this stack with: pulumi stack tag set ${allowOrganizationSmtpAuthTag} true`];
};

/**
 * Advisory on every stack that turns SMTP AUTH on for the whole organisation: the CIS Microsoft 365 Foundations
 * Benchmark ("Ensure SMTP AUTH is disabled") and CISA's SCuBA baseline for Exchange Online (MS.EXO.5.1: SMTP AUTH
 * disabled) both want it off organisation-wide, with per-mailbox exceptions: smtpAuth mailbox.
 */
export const organizationSmtpAuthAdvisory: Rule = ({ type, props }) => {
    if (type !== types.command || props.environment?.M365_ORGANIZATION_SMTP_AUTH !== "true") {
        return [];
    }
    return [
        "smtpAuth organization turns SMTP AUTH on for every mailbox of the tenant; the CIS Microsoft 365 benchmark and CISA's SCuBA baseline (MS.EXO.5.1) want it off organisation-wide with per-mailbox exceptions: prefer smtpAuth mailbox",
    ];
};

export const rules: { name: string; description: string; rule: Rule; enforcementLevel?: "advisory" | "mandatory" }[] = [
    {
        name: "no-tenant-wide-mail-permissions",
        description: "No Graph Mail.* application permissions and no full_access_as_app.",
        rule: noTenantWideMailPermissions,
    },
    { name: "secret-lifetime-at-most", description: "Client secrets live at most maxSecretLifetimeDays (default 365).", rule: secretLifetimeAtMost },
    { name: "app-only-apps-single-tenant", description: "Apps with application permissions are single tenant.", rule: appOnlyAppsSingleTenant },
    {
        name: "exchange-commands-do-not-log-stdout",
        description: "Commands running Exchange PowerShell do not log stdout.",
        rule: exchangeCommandsDoNotLogStdout,
    },
    {
        name: "organization-smtp-auth-only-where-allowed",
        description: "Org-wide SMTP AUTH only in stacks tagged to allow it.",
        rule: organizationSmtpAuthOnlyWhereAllowed,
    },
    {
        name: "organization-smtp-auth-advisory",
        description: "Warns on org-wide SMTP AUTH: CIS and CISA baselines want it off, with per-mailbox exceptions.",
        rule: organizationSmtpAuthAdvisory,
        enforcementLevel: "advisory",
    },
];
