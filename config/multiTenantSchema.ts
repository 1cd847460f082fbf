/**
 * The two blocks of a provider that runs one multi-tenant app for many customers (issue #30, part 3):
 * - `customerTenants`, on the provider's stack: which protocols every customer consents to, where Entra ID sends the
 *   customer's admin after consent, and the customers, each with its tenant (one admin-consent URL each);
 * - `providerApp`, on a customer's stack: the provider's stack whose app this tenant consented to, and how long
 *   `pulumi up` waits for that consent.
 * Each key is documented where it is declared; which other keys they exclude is checked by crossFieldRules.ts.
 */
import { z } from "zod";
import { mailProtocols } from "./choices";
import { guidPattern, redirectUriProblem, show } from "./formats";
import { documented, patterned, says, strictObject, wholeNumber } from "./schemaHelpers";

/** A customer's name: a Pulumi stack name's characters, so the customer's stack can carry the same name. */
export const customerNamePattern = /^[A-Za-z0-9_.-]{1,100}$/;
/** A stack reference: `<stack>` (this project, this organization) or `<organization>/<project>/<stack>`. */
export const stackReferencePattern = /^([A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/)?[A-Za-z0-9_.-]+$/;

export const consentWaitBounds = { min: 1, max: 120, default: 15 } as const;

const customer = strictObject(
    {
        name: patterned(customerNamePattern, "a customer name (letters, digits, _ . -, as a stack name)"),
        tenantId: patterned(guidPattern, "a tenant ID GUID"),
    },
    "{ name, tenantId }",
);

/** Names and tenants are each listed once: one consent URL per customer, one customer per tenant. */
function uniqueCustomers(list: unknown[], context: z.RefinementCtx): void {
    for (const field of ["name", "tenantId"] as const) {
        const seen = new Map<string, number>();
        list.forEach((entry, index) => {
            const value = (entry as Record<string, unknown> | null)?.[field];
            if (typeof value !== "string") return;
            const first = seen.get(value.toLowerCase());
            if (first === undefined) seen.set(value.toLowerCase(), index);
            else context.addIssue({ code: "custom", path: [index, field], input: value, message: `${show(value)} duplicates customers[${first}].${field}` });
        });
    }
}

export const customerTenantsBlock = strictObject(
    {
        consentRedirectUri: z
            .string(says("missing; give the https:// page Entra ID sends the customer's admin to after consent", (value) => `${show(value)} is not a URI`))
            .superRefine((uri, context) => {
                const problem = redirectUriProblem(uri);
                if (problem !== undefined) context.addIssue({ code: "custom", input: uri, message: `${show(uri)} ${problem}` });
            }),
        protocols: z
            .array(
                z.enum(
                    mailProtocols,
                    says(undefined, (value) => `unknown protocol ${show(value)}; expected ${mailProtocols.join(", ")}`),
                ),
                says(
                    `missing; give the protocols every customer consents to (${mailProtocols.join(", ")})`,
                    (value) => `${show(value)} must be a list of ${mailProtocols.join(", ")}`,
                ),
            )
            .min(1, { error: () => `[] is empty; give at least one of ${mailProtocols.join(", ")}` })
            .transform((protocols) => mailProtocols.filter((protocol) => protocols.includes(protocol))),
        customers: z
            .array(
                customer,
                says(undefined, (value) => `${show(value)} must be a list of { name, tenantId }`),
            )
            .superRefine(uniqueCustomers, { when: (payload) => Array.isArray(payload.value) })
            .default([]),
    },
    "{ consentRedirectUri, protocols, customers }",
);

export const providerAppBlock = strictObject(
    {
        stack: patterned(stackReferencePattern, "a stack name, or <organization>/<project>/<stack>", "missing; give the provider's stack, e.g. provider"),
        waitMinutes: wholeNumber(consentWaitBounds.min, consentWaitBounds.max, "minutes").default(consentWaitBounds.default),
    },
    "{ stack, waitMinutes? }",
);

export const multiTenantKeys = {
    customerTenants: documented(
        "customerTenants",
        "`{ consentRedirectUri, protocols, customers: [{ name, tenantId }] }`",
        "–",
        "The provider's stack of one multi-tenant app for many customers (needs `signInAudience: AzureADMultipleOrgs`): the protocols every customer consents to, the page Entra ID sends a customer's admin to after consent (added to the app's web redirect URIs), and the customers; output `adminConsentUrls` holds one URL per customer, see [One multi-tenant app](operations.md#one-multi-tenant-app-consented-in-each-customer-tenant).",
        customerTenantsBlock.optional(),
    ),
    providerApp: documented(
        "providerApp",
        "`{ stack, waitMinutes? }`",
        `waitMinutes ${consentWaitBounds.default}`,
        "A customer's stack of the provider's multi-tenant app: the provider's stack (read through a stack reference), and how long `pulumi up` waits for the customer's admin consent. The stack makes no app registration and no secret, only this tenant's Exchange Online side; `azuread:tenantId` is the customer's tenant.",
        providerAppBlock.optional(),
    ),
};
