/**
 * One multi-tenant app in the provider's tenant, consented in each customer's tenant: the decisions both kinds of
 * stack make without the engine. The provider's stack turns its customers into admin-consent URLs; a customer's
 * stack checks what its mailboxes need against what the provider's app asks every customer to consent to, and
 * says what to do while the consent is missing.
 */
import { MailProtocol } from "../config/choices";
import { StackSettings } from "../config/settings";
import { adminConsentUrl, CloudName, clouds } from "../facts/clouds";
import { configNamespace } from "../facts/project";

export type CustomerTenants = NonNullable<StackSettings["customerTenants"]>;
export type ProviderApp = NonNullable<StackSettings["providerApp"]>;

/** One admin-consent URL per customer, in the customer's tenant; `state` carries the customer's name back. */
export function customerConsentUrls(customers: CustomerTenants, clientId: string, cloud: CloudName): Record<string, string> {
    const facts = clouds[cloud];
    return Object.fromEntries(
        customers.customers.map((customer) => [
            customer.name,
            adminConsentUrl(
                {
                    tenant: customer.tenantId,
                    clientId,
                    scope: facts.exchange.clientCredentialsScope,
                    redirectUri: customers.consentRedirectUri,
                    state: customer.name,
                },
                facts.loginAuthority,
            ),
        ]),
    );
}

/**
 * A stack reference's full name: `<stack>` alone means this project in this organization (the local file backend's
 * organization is `organization`), as `pulumi stack select` reads a short name.
 */
export function providerStackName(stack: string, organization: string, project: string): string {
    return stack.includes("/") ? stack : `${organization}/${project}/${stack}`;
}

/** A stack reference's last part: the stack's name as this project's stack files and statuses name it. */
export function shortStackName(fullName: string): string {
    return fullName.split("/").pop() ?? fullName;
}

/**
 * The provider's outputs a customer's stack needs, each checked: a provider stack that is not (yet) one of the
 * multi-tenant app gives a message naming what is missing and the fix.
 */
export interface ProviderOutputs {
    readonly clientId?: unknown;
    readonly customerProtocols?: unknown;
    readonly adminConsentUrls?: unknown;
}

export function providerOutputsProblem(stack: string, outputs: ProviderOutputs, customerTenant: string): string | undefined {
    if (typeof outputs.clientId !== "string") {
        return `${configNamespace}:providerApp.stack: "${stack}" has no clientId output; run \`pulumi up\` on the provider's stack first`;
    }
    if (!Array.isArray(outputs.customerProtocols)) {
        return `${configNamespace}:providerApp.stack: "${stack}" is not a provider's stack of a multi-tenant app (no customerProtocols output); set ${configNamespace}:customerTenants there and run \`pulumi up\` on it`;
    }
    if (consentUrlFor(outputs, customerTenant) === undefined) {
        return `${configNamespace}:providerApp.stack: "${stack}" lists no customer with tenant ${customerTenant}; add it to ${configNamespace}:customerTenants.customers of that stack and run \`pulumi up\` on it, so the customer's admin gets an admin-consent URL`;
    }
    return undefined;
}

/** The mailboxes that need a protocol the provider's app does not ask customers to consent to, each by its key. */
export function unconsentedProtocolProblems(
    mailboxes: readonly { readonly address: string; readonly protocols: readonly MailProtocol[] }[],
    consented: readonly string[],
    stack: string,
): string[] {
    return mailboxes.flatMap((mailbox, index) => {
        const missing = mailbox.protocols.filter((protocol) => !consented.includes(protocol));
        return missing.length === 0
            ? []
            : [
                  `${configNamespace}:mailboxes[${index}].protocols: ${JSON.stringify(missing)} for ${mailbox.address}, but the provider's app (stack "${stack}") asks customers to consent to ${JSON.stringify(consented)} only; add ${missing.join(", ")} to customerTenants.protocols there, run \`pulumi up\` on it, and have this tenant's admin open its admin-consent URL again`,
              ];
    });
}

/** The consent URL of this customer's tenant among the provider's, if the provider lists the tenant. */
export function consentUrlFor(outputs: ProviderOutputs, customerTenant: string): string | undefined {
    return Object.values((outputs.adminConsentUrls ?? {}) as Record<string, string>).find((url) => url.includes(`/${customerTenant}/v2.0/adminconsent`));
}

/** What a customer's stack says while its tenant holds no service principal of the provider's app. */
export function consentMissingMessage(customerTenant: string, consentUrl: string, waitMinutes: number, preview: boolean): string {
    const open = `an administrator of tenant ${customerTenant} (Global Administrator, or Privileged Role Administrator / Cloud Application Administrator where Microsoft allows) opens ${consentUrl} and accepts`;
    return preview
        ? `tenant ${customerTenant} has not consented to the provider's app yet: until ${open}, the Exchange step cannot run; \`pulumi up\` waits up to ${waitMinutes} minute${waitMinutes === 1 ? "" : "s"} (providerApp.waitMinutes) for it`
        : `tenant ${customerTenant} still holds no service principal of the provider's app after ${waitMinutes} minute${waitMinutes === 1 ? "" : "s"} (providerApp.waitMinutes); nothing was changed. Have ${open}, then run \`pulumi up\` again`;
}
