/**
 * Reads the tenant's credential policy (Entra ID app management policies) for the stack's app through Microsoft
 * Graph v1.0, with the deployer's sign-in: the tenant's `GET /policies/defaultAppManagementPolicy`
 * (tenantappmanagementpolicy-get.md) and, where the stack's app exists already, its `createdDateTime` and
 * `GET /applications/{id}/appManagementPolicies` (appmanagementpolicy-list-appliesto's counterpart on the app).
 * Both need Policy.Read.All (the pages' permission tables); without it Graph answers 403 and the read says so
 * instead of failing: the caller goes on. Used by the program's preview and by the readiness check.
 *
 * Before the first `pulumi up` the app's ID is in no state; the app is looked up by the configured display name.
 * Two apps of that name cannot be told apart: the read then decides for a new app (the tenant's policy, today).
 * A caller that reads the apps of that name for itself (the readiness check) hands its read over, so Graph is asked
 * once; the read must select `id` and `createdDateTime` (appsOfNameQuery).
 * The multi-tenant restriction (`audiences`) is documented in Graph beta only; it counts where v1.0 returns it.
 */
import { CredentialPolicy, CredentialPolicyFacts, PolicyRestriction } from "../../plan/credentialPolicy";
import { eqFilter, GraphReadError, GraphSignIn } from "./graphReader";

type Json = Record<string, any>;

export type CredentialPolicyRead = { facts: CredentialPolicyFacts } | { unreadable: string };

function policyOf(name: string, isEnabled: unknown, restrictions: Json | undefined, audiences: Json | undefined): CredentialPolicy {
    return {
        name,
        isEnabled: isEnabled === true,
        restrictions: {
            passwordCredentials: ((restrictions?.passwordCredentials as PolicyRestriction[] | undefined) ?? []).filter(Boolean),
            ...(audiences?.azureAdMultipleOrgs ? { azureAdMultipleOrgs: audiences.azureAdMultipleOrgs as PolicyRestriction } : {}),
        },
    };
}

/** An app of the stack's display name, as `GET /applications` lists it. */
export interface AppOfName {
    readonly id?: unknown;
    readonly appId?: unknown;
    readonly createdDateTime?: unknown;
}

/** The list of the apps of this display name, with the fields the read (and the readiness check) needs. */
export function appsOfNameQuery(displayName: string): string {
    return `applications?${eqFilter("displayName", displayName)}&$select=id,appId,createdDateTime`;
}

/**
 * The policy facts for an app of this display name, or why they could not be read (never a throw).
 * @param appsOfName the apps of that name (appsOfNameQuery), already asked for by the caller; its failure is this
 *                   read's as if it had asked itself (the caller handles it too: a read that fails earlier never
 *                   awaits it). Without it, the read lists them.
 */
export async function readCredentialPolicy(
    get: (pathAndQuery: string) => Promise<Json>,
    displayName: string,
    appsOfName?: PromiseLike<readonly AppOfName[]>,
): Promise<CredentialPolicyRead> {
    try {
        const tenantPolicy = await get("policies/defaultAppManagementPolicy");
        const restrictions = tenantPolicy.applicationRestrictions as Json | undefined;
        const tenant = policyOf("the tenant's default app management policy", tenantPolicy.isEnabled, restrictions, restrictions?.audiences);
        const apps = appsOfName ? await appsOfName : (((await get(appsOfNameQuery(displayName))).value as Json[] | undefined) ?? []);
        if (apps.length !== 1) return { facts: { tenant } };
        const [own] = ((await get(`applications/${String(apps[0].id)}/appManagementPolicies`)).value as Json[] | undefined) ?? [];
        const policy = own
            ? policyOf(
                  `the app management policy "${own.displayName ?? own.id}"`,
                  own.isEnabled,
                  own.restrictions,
                  own.restrictions?.applicationRestrictions?.audiences,
              )
            : undefined;
        return { facts: { tenant, app: { createdDateTime: String(apps[0].createdDateTime), ...(policy ? { policy } : {}) } } };
    } catch (error) {
        if (error instanceof GraphReadError && error.status === 403)
            return {
                unreadable: `the deploying identity may not read the tenant's credential policy (Microsoft Graph answered 403 ${error.code ?? ""}; it needs Policy.Read.All)`,
            };
        return { unreadable: `the tenant's credential policy could not be read: ${(error as Error).message}` };
    }
}

/**
 * The deployer's client-secret sign-in as the azuread provider takes it: ARM_TENANT_ID / ARM_CLIENT_ID /
 * ARM_CLIENT_SECRET from the environment first, then the stack's `azuread:*` config (the metadata host the other
 * way round, as the provider's config wins over ARM_METADATA_HOSTNAME). Undefined when there is no
 * client secret (an Azure CLI or managed-identity sign-in), which this read does not reproduce.
 */
export function deployerSignIn(
    env: NodeJS.ProcessEnv,
    config: { tenantId?: string; clientId?: string; clientSecret?: string; metadataHost?: string },
): GraphSignIn | undefined {
    const tenantId = env.ARM_TENANT_ID || config.tenantId;
    const clientId = env.ARM_CLIENT_ID || config.clientId;
    const clientSecret = env.ARM_CLIENT_SECRET || config.clientSecret;
    if (!tenantId || !clientId || !clientSecret) return undefined;
    const metadataHost = config.metadataHost || env.ARM_METADATA_HOSTNAME;
    return { tenantId, clientId, clientSecret, ...(metadataHost ? { metadataHost } : {}) };
}
