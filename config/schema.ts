/**
 * The stack configuration's shape, written once: this zod schema is the validation (every problem at once, each
 * naming the key and the bad value), the JSON Schema editors use for Pulumi.<stack>.yaml
 * (config/stack-config.schema.json) and the config table in docs/configuration.md (config/docs.ts). Rules between keys are in
 * crossFieldRules.ts; the settings the program works from (defaults filled in, types narrowed) in settings.ts.
 *
 * The schema reads config values as Pulumi hands them to programs: strings, with objects, lists, numbers and
 * booleans as JSON (see validate.ts).
 */
import { z } from "zod";
import { credentialKinds, defaults, mailProtocols, secretLifetimeBounds, signInAudiences, smtpAuthModes } from "./choices";
import { exchangeBlock } from "./exchangeSchema";
import { multiTenantKeys } from "./multiTenantSchema";
import { cloudNames } from "../facts/clouds";
import { guidPattern, isMailAddress, redirectUriProblem, keyVaultSecretNamePattern, resourceGroupPattern, show, vaultNamePattern } from "./formats";
import { checked, documented, enumOf, Issue, nonEmptyString, patterned, says, strictObject, wholeNumber } from "./schemaHelpers";

const protocolList = (allowEmpty: boolean) => {
    const list = z.array(
        z.enum(
            mailProtocols,
            says(undefined, (value) => `unknown protocol ${show(value)}; expected ${mailProtocols.join(", ")}`),
        ),
        says(`missing; give a list of ${mailProtocols.join(", ")}`, (value) => `${show(value)} must be a list of ${mailProtocols.join(", ")}`),
    );
    const sized = allowEmpty ? list : list.min(1, { error: () => `[] is empty; give at least one of ${mailProtocols.join(", ")}` });
    // Sorted, without duplicates: the same protocols always give the same plan.
    return sized.transform((protocols) => mailProtocols.filter((protocol) => protocols.includes(protocol)));
};

const mailbox = strictObject(
    {
        address: checked(isMailAddress, "an e-mail address", "missing; give the mailbox's e-mail address"),
        protocols: protocolList(false),
    },
    "{ address, protocols }",
);

const mailboxes = z
    .array(
        mailbox,
        says(undefined, (value) => `${show(value)} must be a list of { address, protocols }`),
    )
    .superRefine(
        (list, context) => {
            // Exchange compares addresses without regard to case. Runs even when other entries are invalid, so
            // every problem shows at once; entries are read defensively.
            const seen = new Map<string, number>();
            (list as unknown[]).forEach((entry, index) => {
                const address = (entry as { address?: unknown } | null)?.address;
                if (typeof address !== "string" || !isMailAddress(address)) {
                    return;
                }
                const first = seen.get(address.toLowerCase());
                if (first !== undefined) {
                    context.addIssue({
                        code: "custom",
                        path: [index, "address"],
                        input: address,
                        message: `${show(address)} duplicates mailboxes[${first}].address`,
                    });
                } else {
                    seen.set(address.toLowerCase(), index);
                }
            });
        },
        { when: (payload) => Array.isArray(payload.value) },
    );

const userSignIn = strictObject(
    {
        redirectUris: z
            .array(
                z.string(says("missing; give a redirect URI", (value) => `${show(value)} is not a URI`)).superRefine((uri, context) => {
                    const problem = redirectUriProblem(uri);
                    if (problem !== undefined) context.addIssue({ code: "custom", input: uri, message: `${show(uri)} ${problem}` });
                }),
                says(undefined, (value) => `${show(value)} must be a non-empty list of URIs`),
            )
            .min(1, { error: () => "[] must be a non-empty list of URIs" }),
        protocols: protocolList(true).default([]),
    },
    "{ redirectUris, protocols }",
);

const certificate = strictObject(
    {
        publicCertPath: nonEmptyString()
            .refine(
                (path) => !/\.(pfx|p12|key)$/i.test(path),
                says(undefined, (value) => `${show(value)} looks like a private key container; give the public certificate only (.cer, .crt, .pem)`),
            )
            .optional(),
    },
    "{ publicCertPath }",
);

const keyVault = strictObject(
    {
        resourceGroupName: patterned(resourceGroupPattern, "a resource group name (letters, digits, - _ . ( ), at most 90, not ending in .)"),
        vaultName: patterned(vaultNamePattern, "a Key Vault name (3-24 letters, digits and single hyphens, starting with a letter)"),
        secretName: patterned(keyVaultSecretNamePattern, "a Key Vault secret name (1-127 letters, digits and hyphens)"),
        subscriptionId: patterned(guidPattern, "a subscription ID GUID").optional(),
    },
    "{ resourceGroupName, vaultName, secretName, subscriptionId? }",
);

const rotationMessage = says(undefined, (value) => `${show(value)} must be a whole number from 0, raised by one to rotate the client secret`);

const retiredMessage = says(undefined, (value) => `${show(value)} must be a whole number from 0: the rotation whose secret is retired`);

/** The keys under the project's namespace, as they arrive (before defaults and cross-field rules). */
export const configShape = {
    displayName: documented(
        "displayName",
        "string, required",
        "–",
        "Name of the app registration (and of the app in Exchange Online).",
        z
            .string(
                says(
                    "missing; set the app registration's name with `pulumi config set displayName <name>`",
                    (value) => `${show(value)} must be a non-empty name of at most 120 characters`,
                ),
            )
            .refine(
                (name) => name.trim() !== "" && name.length <= 120,
                says(undefined, (value) => `${show(value)} must be a non-empty name of at most 120 characters`),
            ),
    ),
    cloud: documented(
        "cloud",
        "`global` \\| `usGovGccHigh` \\| `usGovDod` \\| `china`",
        "`global`",
        "Microsoft's cloud the tenant lives in (`global`: Worldwide, GCC included). Sets the token authority, Exchange Online's scope, the mail servers in the outputs and `Connect-ExchangeOnline -ExchangeEnvironmentName`; `azuread:environment` must name the same cloud. See [Sovereign clouds](clouds.md).",
        enumOf(cloudNames).default(defaults.cloud),
    ),
    signInAudience: documented(
        "signInAudience",
        "`AzureADMyOrg` \\| `AzureADMultipleOrgs`",
        "`AzureADMyOrg`",
        "Single tenant (the guides' default) or multi-tenant.",
        enumOf(signInAudiences).default(defaults.signInAudience),
    ),
    ...multiTenantKeys,
    mailboxes: documented(
        "mailboxes",
        "list of `{ address, protocols }`",
        "`[]`",
        "App-only (client credentials) access; `protocols` a non-empty subset of `imap`, `pop`, `smtp`. Every mailbox gets FullAccess; `smtp` adds SendAs.",
        mailboxes.default([]),
    ),
    userSignIn: documented(
        "userSignIn",
        "`{ redirectUris, protocols? }`",
        "–",
        'User-based flow ("Office 365 (As User)" / login provider in PDFC): Web redirect URIs (`https://` or `http://localhost`, with a path: at least `/`), and the protocols users need.',
        userSignIn.optional(),
    ),
    smtpAuth: documented(
        "smtpAuth",
        "`mailbox` \\| `organization` \\| `unchanged`",
        "`mailbox`",
        "Where SMTP AUTH is enabled: per mailbox with `smtp`, organisation-wide, or not touched.",
        enumOf(smtpAuthModes).default(defaults.smtpAuth),
    ),
    secretLifetimeDays: documented(
        "secretLifetimeDays",
        "whole number 1–730",
        "180",
        "Lifetime of a client secret, fixed when that secret is created.",
        wholeNumber(secretLifetimeBounds.min, secretLifetimeBounds.max, "days").default(defaults.secretLifetimeDays),
    ),
    exchange: documented(
        "exchange",
        "object, see below",
        "–",
        "How the Exchange Online step signs in and runs; required with mailboxes.",
        exchangeBlock.optional(),
    ),
    secretRotation: documented(
        "secretRotation",
        "whole number",
        "0",
        "The rotation number; raising it by one rotates the client secret (one step at a time), see [Rotating the secret](rotation-and-key-vault.md#rotating-the-secret).",
        z
            .number(
                says(
                    undefined,
                    (value) => `${show(value)} must be a whole number, raised by one to rotate the client secret (labels such as "2027-05" are no longer used)`,
                ),
            )
            .int(rotationMessage)
            .min(0, rotationMessage)
            .default(defaults.secretRotation),
    ),
    secretRetiredThrough: documented(
        "secretRetiredThrough",
        "whole number",
        "(none)",
        "Retires the previous client secret before it expires: the secret of this rotation number and older ones are removed (set it to `secretRotation` minus one once no client uses the previous secret), see [Retiring the previous secret](rotation-and-key-vault.md#retiring-the-previous-secret).",
        z.number(retiredMessage).int(retiredMessage).min(0, retiredMessage).optional(),
    ),
    legacySecretsRetired: documented(
        "legacySecretsRetired",
        "list of key IDs (GUID)",
        "(none)",
        "Retires client secrets the stack did not make (a secret made by hand, listed by `npm run adopt` as a legacy credential): each key ID is removed from the app once the stack's own secret exists; never one of the stack's own secrets, see [Retiring the hand-made secret](adopt.md#retiring-the-hand-made-secret).",
        z
            .array(
                patterned(guidPattern, "a key ID GUID"),
                says(undefined, (value) => `${show(value)} must be a list of key IDs`),
            )
            // Graph returns key IDs in lower case: one spelling, so the same secret is never declared twice.
            .transform((ids) => ids.map((id) => id.toLowerCase()))
            .refine((ids) => new Set(ids).size === ids.length, { error: () => "names a key ID twice; list each legacy secret once" })
            .optional(),
    ),
    secretWarnDays: documented(
        "secretWarnDays",
        "whole number 1–365",
        "30",
        "Every preview and update warns when the current secret expires within this many days.",
        wholeNumber(1, 365, "days").default(defaults.secretWarnDays),
    ),
    secretHandoverDays: documented(
        "secretHandoverDays",
        "whole number 1–365",
        "14",
        "After a rotation, `npm run status` calls the previous secret due for retirement this many days after the new one was made (sooner once `verify` passed with it), see [Operations](operations.md).",
        wholeNumber(1, 365, "days").default(defaults.secretHandoverDays),
    ),
    credential: documented(
        "credential",
        "`secret` \\| `certificate` \\| `both`",
        "`secret`",
        "Client secret, certificate credential, or both (eBiss needs a secret).",
        enumOf(credentialKinds).default(defaults.credential),
    ),
    certificate: documented(
        "certificate",
        "`{ publicCertPath }`",
        "–",
        "With `certificate` / `both`: the public certificate (PEM or DER, `.cer` / `.crt` / `.pem`); a file with a private key is refused.",
        certificate.optional(),
    ),
    keyVault: documented(
        "keyVault",
        "`{ resourceGroupName, vaultName, secretName, subscriptionId? }`",
        "–",
        "Also write the current secret to this Azure Key Vault (in `subscriptionId`, else the azure-native provider's), see [Key Vault delivery](rotation-and-key-vault.md#key-vault-delivery).",
        keyVault.optional(),
    ),
    owners: documented(
        "owners",
        "list of object IDs (GUID)",
        "the deploying identity, at creation",
        "Owners of the app registration and its enterprise application. Unset: whoever first deploys becomes owner and later deployments by others change nothing.",
        z
            .array(
                patterned(guidPattern, "an object ID GUID"),
                says(undefined, (value) => `${show(value)} must be a list of object IDs`),
            )
            .min(1, { error: () => "[] is empty; give at least one object ID, or leave owners unset" })
            // Graph returns object IDs in lower case and the provider compares owners as written, so an upper-case
            // ID would show as a change on every preview and make the next update add an owner that exists.
            .transform((ids) => ids.map((id) => id.toLowerCase()))
            .optional(),
    ),
    enterpriseApplication: documented(
        "enterpriseApplication",
        "`{ accountEnabled?, appRoleAssignmentRequired? }`",
        "`{ accountEnabled: true, appRoleAssignmentRequired: false }`",
        'The enterprise application\'s "Enabled for users to sign-in?" and "Assignment required?". Every update of the service principal sends both, so they are declared: a change made in the portal shows as drift in `pulumi preview --refresh` instead of being reset unseen.',
        strictObject(
            {
                accountEnabled: z
                    .boolean(says(undefined, (value) => `${show(value)} must be true or false`))
                    .default(defaults.enterpriseApplication.accountEnabled),
                appRoleAssignmentRequired: z
                    .boolean(says(undefined, (value) => `${show(value)} must be true or false`))
                    .default(defaults.enterpriseApplication.appRoleAssignmentRequired),
            },
            "{ accountEnabled?, appRoleAssignmentRequired? }",
        ).default({ ...defaults.enterpriseApplication }),
    ),
    protect: documented(
        "protect",
        "boolean",
        "`false` (`true` in `Pulumi.prod.yaml`)",
        "Stop `pulumi destroy` before it deletes anything (a protected destroy guard that depends on every resource; the app registration and service principal protected too), while updates still rotate, replace and remove what they must.",
        z.boolean(says(undefined, (value) => `${show(value)} must be true or false`)).default(defaults.protect),
    ),
    exchangeCertificatePassword: documented(
        "exchangeCertificatePassword",
        "secret",
        "–",
        "`certificate` sign-in: the PFX password as secret config (`pulumi config set --secret`); handed to PowerShell on stdin.",
        z.string().optional(),
    ),
};

export const stackConfigInput = z.strictObject(configShape, {
    error: (issue: Issue) => (issue.code === "unrecognized_keys" ? `unknown config key; expected one of ${Object.keys(configShape).join(", ")}` : undefined),
});

export type StackConfigInput = z.output<typeof stackConfigInput>;
