/**
 * Waiting for a customer's admin consent: the provider's multi-tenant app has a service principal in the customer's
 * tenant only once an administrator there has consented (learn.microsoft.com/entra/identity-platform/
 * application-consent-experience and v2-admin-consent: consent creates the service principal and grants the
 * permissions). The wait asks the azuread provider's own data source, signed in to the customer's tenant, so it needs
 * no credentials of its own; it is bounded, and a preview asks once and goes on with the object ID unknown, so
 * `pulumi up`'s own preview never fails for a consent the update will wait for.
 */
import * as azuread from "@pulumi/azuread";
import * as pulumi from "@pulumi/pulumi";

/**
 * The data source's answer when the tenant has no service principal for the client ID: summary "No service
 * principal found", detail "no service principal found" (hashicorp/terraform-provider-azuread v3.8.0,
 * internal/services/serviceprincipals/service_principal_data_source.go line 352), which the bridge joins as
 * "<summary>: <detail>" (pulumi/pulumi-terraform-bridge v3.130.0, pkg/tfshim/diagnostics/error.go lines 46-50). Any
 * other failure (a sign-in refused, a throttled read that gave up) is not a missing consent and is not waited out.
 */
export const noServicePrincipalPattern = /No service principal found/;

/** Seconds between two reads while waiting: consent shows within seconds to minutes (Entra replicates it). */
export const consentPollSeconds = 10;

export interface ConsentWait {
    readonly clientId: string;
    readonly waitMinutes: number;
    /** The message of a preview that found no consent (a warning), and of an update that waited in vain (the error). */
    readonly missing: (preview: boolean) => string;
    readonly parent: pulumi.Resource;
}

/** The object ID of the service principal the consent made in the customer's tenant; undefined in a preview without it. */
export async function servicePrincipalAfterConsent(wait: ConsentWait): Promise<string | undefined> {
    const preview = pulumi.runtime.isDryRun();
    const deadline = Date.now() + wait.waitMinutes * 60_000;
    for (let attempt = 1; ; attempt++) {
        try {
            const found = await azuread.getServicePrincipal({ clientId: wait.clientId }, { parent: wait.parent });
            return found.objectId;
        } catch (error) {
            if (!noServicePrincipalPattern.test(String((error as Error).message ?? error))) throw error;
        }
        if (preview) {
            pulumi.log.warn(wait.missing(true), wait.parent);
            return undefined;
        }
        if (Date.now() + consentPollSeconds * 1000 > deadline) {
            throw new pulumi.ResourceError(wait.missing(false), wait.parent);
        }
        if (attempt === 1) pulumi.log.info(wait.missing(true), wait.parent);
        await new Promise((resolve) => setTimeout(resolve, consentPollSeconds * 1000));
    }
}
