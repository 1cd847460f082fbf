/**
 * The tenant's credential policy (Entra ID app management policies) against the stack's config: whether Microsoft
 * Graph will accept the client secret and the sign-in audience the config declares, decided before anything is
 * created. Pure: the policy comes in as read from Graph (components/entraApplication/credentialPolicyRead.ts), the
 * findings go out for the program's preview, the readiness check and the docs (docs/credential-policies.md).
 *
 * How Entra decides, from Microsoft Graph's pages (microsoftgraph/microsoft-graph-docs-contrib, api-reference/):
 * - the tenant's `defaultAppManagementPolicy` applies to every app when `isEnabled` (tenantappmanagementpolicy.md,
 *   "Default value is false"), unless an `appManagementPolicy` is assigned to the app: the app "adopts this policy
 *   over the tenant-wide" one (appmanagementpolicy-post-appliesto.md). A per-app policy an administrator reviewed
 *   and assigned is therefore the way to exempt one app; the pages do not say what a disabled per-app policy does,
 *   so here (as in the stand-in) the tenant's then applies;
 * - a restriction is evaluated unless its `state` is `disabled`, and only for apps created on or after its
 *   `restrictForAppsCreatedAfterDateTime` (passwordcredentialconfiguration.md);
 * - `passwordAddition` forbids secrets; `passwordLifetime` caps a secret's lifetime at `maxLifetime`, an ISO 8601
 *   duration; `audiences.azureAdMultipleOrgs` (beta audiencesconfiguration.md) forbids multi-tenant apps.
 */
import { CredentialKind, SignInAudience } from "../config/choices";
import { configNamespace } from "../facts/project";

const dayMs = 86_400_000;

/** One passwordCredentialConfiguration, or an audienceRestriction (no restrictionType), as Graph returns it. */
export interface PolicyRestriction {
    restrictionType?: string;
    maxLifetime?: string | null;
    restrictForAppsCreatedAfterDateTime?: string | null;
    state?: string | null;
}

/** A policy's restrictions that matter to this stack: password credentials and the multi-tenant audience. */
export interface PolicyRestrictions {
    passwordCredentials: PolicyRestriction[];
    azureAdMultipleOrgs?: PolicyRestriction;
}

export interface CredentialPolicy {
    /** Shown in findings: "the tenant's default policy" or the per-app policy's display name. */
    name: string;
    isEnabled: boolean;
    restrictions: PolicyRestrictions;
}

/** What Graph holds: the tenant's default policy, and the stack's app if it exists already (with its own policy). */
export interface CredentialPolicyFacts {
    tenant: CredentialPolicy;
    app?: { createdDateTime: string; policy?: CredentialPolicy };
}

/** The rules in force for the stack's app. */
export interface SecretRules {
    /** Which policy decides ("none" when neither is enabled). */
    source: string;
    secretsAllowed: boolean;
    /** Whole days a new secret may live, where a passwordLifetime restriction is in force. */
    maxLifetimeDays?: number;
    /** The restriction's own value, e.g. P30D. */
    maxLifetime?: string;
    multiTenantAllowed: boolean;
}

/** An ISO 8601 duration (PnYnMnWnDTnHnMnS) in milliseconds; years and months as 365 and 30 days. Undefined if not one. */
export function isoDurationMs(duration: string): number | undefined {
    const match = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(duration);
    if (!match || duration === "P" || duration.endsWith("T")) return undefined;
    const [years, months, weeks, days, hours, minutes, seconds] = match.slice(1).map((part) => Number(part ?? 0));
    return ((((years * 365 + months * 30 + weeks * 7 + days) * 24 + hours) * 60 + minutes) * 60 + seconds) * 1000;
}

function inForce(restriction: PolicyRestriction | undefined, appCreatedAt: Date): restriction is PolicyRestriction {
    if (!restriction || restriction.state === "disabled") return false;
    const after = restriction.restrictForAppsCreatedAfterDateTime;
    return !after || appCreatedAt.getTime() >= Date.parse(after);
}

/**
 * The rules for the stack's app: the per-app policy when one is assigned and enabled, else the tenant's when
 * enabled; restrictions for apps created later than the app do not apply. A new app is created now.
 */
export function secretRules(facts: CredentialPolicyFacts, now: Date): SecretRules {
    const appCreatedAt = facts.app ? new Date(facts.app.createdDateTime) : now;
    const own = facts.app?.policy?.isEnabled ? facts.app.policy : undefined;
    const policy = own ?? (facts.tenant.isEnabled ? facts.tenant : undefined);
    if (!policy) return { source: "none", secretsAllowed: true, multiTenantAllowed: true };
    const password = policy.restrictions.passwordCredentials.filter((restriction) => inForce(restriction, appCreatedAt));
    const lifetime = password.find((restriction) => restriction.restrictionType === "passwordLifetime" && restriction.maxLifetime);
    const lifetimeMs = lifetime ? isoDurationMs(String(lifetime.maxLifetime)) : undefined;
    return {
        source: policy.name,
        secretsAllowed: !password.some((restriction) => restriction.restrictionType === "passwordAddition"),
        ...(lifetimeMs !== undefined ? { maxLifetimeDays: Math.floor(lifetimeMs / dayMs), maxLifetime: String(lifetime!.maxLifetime) } : {}),
        multiTenantAllowed: !inForce(policy.restrictions.azureAdMultipleOrgs, appCreatedAt),
    };
}

export interface CredentialPolicyFinding {
    /** The config key the finding is about. */
    key: "secretLifetimeDays" | "credential" | "signInAudience";
    /** The refusal Graph would answer. */
    graphCode: "CredentialInvalidLifetimeAsPerAppPolicy" | "CredentialTypeNotAllowedAsPerAppPolicy" | "SignInAudienceNotAllowedAsPerAppPolicy";
    message: string;
}

export interface CredentialConfig {
    credential: CredentialKind;
    secretLifetimeDays: number;
    signInAudience: SignInAudience;
}

const exemption = "or have an administrator assign this app a reviewed per-app app management policy that allows it (see docs/credential-policies.md)";

/** What the config asks that the policy forbids; empty when Graph will accept the app and its secret. */
export function credentialPolicyFindings(rules: SecretRules, config: CredentialConfig): CredentialPolicyFinding[] {
    const findings: CredentialPolicyFinding[] = [];
    const secret = config.credential !== "certificate";
    if (secret && !rules.secretsAllowed) {
        findings.push({
            key: "credential",
            graphCode: "CredentialTypeNotAllowedAsPerAppPolicy",
            message:
                `${configNamespace}:credential: "${config.credential}" makes a client secret, and ${rules.source} forbids client secrets ` +
                `(passwordAddition; Microsoft Graph would refuse it with CredentialTypeNotAllowedAsPerAppPolicy). ` +
                `Fix: set credential to "certificate" (a mail client that needs a secret, such as eBiss, cannot sign in then), ${exemption}.`,
        });
    } else if (secret && rules.maxLifetimeDays !== undefined && config.secretLifetimeDays > rules.maxLifetimeDays) {
        findings.push({
            key: "secretLifetimeDays",
            graphCode: "CredentialInvalidLifetimeAsPerAppPolicy",
            message:
                `${configNamespace}:secretLifetimeDays: ${config.secretLifetimeDays} is longer than ${rules.source} allows for a client secret ` +
                `(passwordLifetime ${rules.maxLifetime}: at most ${rules.maxLifetimeDays} days; Microsoft Graph would refuse the secret with ` +
                `CredentialInvalidLifetimeAsPerAppPolicy). Fix: set secretLifetimeDays to ${rules.maxLifetimeDays} or less ` +
                `(\`pulumi config set secretLifetimeDays ${rules.maxLifetimeDays}\`), use credential "certificate", ${exemption}.`,
        });
    }
    if (config.signInAudience === "AzureADMultipleOrgs" && !rules.multiTenantAllowed) {
        findings.push({
            key: "signInAudience",
            graphCode: "SignInAudienceNotAllowedAsPerAppPolicy",
            message:
                `${configNamespace}:signInAudience: "AzureADMultipleOrgs" is forbidden by ${rules.source} (audiences.azureAdMultipleOrgs; ` +
                `Microsoft Graph would refuse the app with SignInAudienceNotAllowedAsPerAppPolicy). Fix: set signInAudience to "AzureADMyOrg" ` +
                `(a mail client in this tenant needs nothing more), ${exemption}.`,
        });
    }
    return findings;
}
