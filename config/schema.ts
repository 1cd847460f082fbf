/**
 * The stack configuration, written once: this zod schema is the types (z.output), the validation (every problem
 * at once, each naming the key and the bad value), the JSON Schema editors use for Pulumi.<stack>.yaml
 * (config/stack-config.schema.json) and the README's config table (config/docs.ts).
 *
 * The schema reads config values as Pulumi hands them to programs: strings, with objects, lists, numbers and
 * booleans as JSON (see validate.ts).
 */
import { z } from "zod";
import {
    envVarNamePattern,
    guidPattern,
    isAllowedRedirectUri,
    isDomainName,
    isMailAddress,
    keyVaultSecretNamePattern,
    labelPattern,
    resourceGroupPattern,
    show,
    vaultNamePattern,
    rbacGroupNamePattern,
} from "./formats";

export const mailProtocols = ["imap", "pop", "smtp"] as const;
export type MailProtocol = (typeof mailProtocols)[number];
export const signInAudiences = ["AzureADMyOrg", "AzureADMultipleOrgs"] as const;
export type SignInAudience = (typeof signInAudiences)[number];
export const smtpAuthModes = ["mailbox", "organization", "unchanged"] as const;
export type SmtpAuthMode = (typeof smtpAuthModes)[number];
export const exchangeAuthModes = ["interactive", "certificate", "managedIdentity"] as const;
export const exchangeReconcileModes = ["changed", "all"] as const;
/** How an app's SMTP sending is authorised: per-mailbox grants, or Exchange's RBAC for Applications (Oct 2025). */
export const smtpAuthorizationModes = ["mailboxPermission", "appRbac"] as const;
export type SmtpAuthorizationMode = (typeof smtpAuthorizationModes)[number];
export const credentialKinds = ["secret", "certificate", "both"] as const;
export type CredentialKind = (typeof credentialKinds)[number];

export const defaults = {
    signInAudience: "AzureADMyOrg",
    smtpAuth: "mailbox",
    secretLifetimeDays: 180,
    secretRotation: 0,
    secretWarnDays: 30,
    credential: "secret",
    protect: false,
    pwsh: "pwsh",
    certificatePasswordEnv: "M365_EXO_CERTIFICATE_PASSWORD",
    exchangeAuth: "interactive",
    reconcile: "changed",
    smtpAuthorization: "mailboxPermission",
} as const;

export const secretLifetimeBounds = { min: 1, max: 730 } as const;

/** One row of the README's config table, recorded where the key is declared. */
export interface ConfigDoc {
    readonly key: string;
    readonly values: string;
    readonly default: string;
    readonly meaning: string;
}

export const configDocs: ConfigDoc[] = [];

/** Declares a documented key: its description also reaches the JSON Schema (editor hover). */
function documented<T extends z.ZodType>(key: string, values: string, fallback: string, meaning: string, schema: T): T {
    configDocs.push({ key, values, default: fallback, meaning });
    return schema.describe(meaning);
}

type Issue = { readonly code?: string; readonly input?: unknown; readonly keys?: readonly string[] };

/** An error function: `missing` when the key is absent, else the bad value followed by what it must be. */
function says(missing: string | undefined, invalid: (value: unknown) => string): { error: (issue: Issue) => string | undefined } {
    return { error: (issue) => (issue.input === undefined ? missing : invalid(issue.input)) };
}

function enumOf<T extends readonly [string, ...string[]]>(values: T) {
    return z.enum(
        values,
        says(undefined, (value) => `${show(value)} is not one of ${values.join(", ")}`),
    );
}

/** A strict object: unknown properties are reported one by one (validate.ts expands the keys). */
function strictObject<T extends z.ZodRawShape>(shape: T, form: string) {
    const allowed = Object.keys(shape).join(", ");
    return z.strictObject(shape, {
        error: (issue: Issue) =>
            issue.code === "unrecognized_keys"
                ? `unknown setting; expected one of ${allowed}`
                : issue.input === undefined
                  ? undefined
                  : `${show(issue.input)} must be an object ${form}`,
    });
}

function nonEmptyString() {
    return z.string(says(undefined, (value) => `${show(value)} must be a non-empty string`)).refine(
        (value) => value.trim() !== "",
        says(undefined, (value) => `${show(value)} must be a non-empty string`),
    );
}

function wholeNumber(min: number, max: number, unit: string) {
    const message = says(undefined, (value) => `${show(value)} must be a whole number of ${unit} from ${min} to ${max}`);
    return z.number(message).int(message).min(min, message).max(max, message);
}

function patterned(pattern: RegExp, what: string) {
    const message = says(`missing; give ${what}`, (value) => `${show(value)} is not ${what}`);
    return z.string(message).regex(pattern, message);
}

const protocolList = (allowEmpty: boolean) => {
    const list = z.array(
        z.enum(
            mailProtocols,
            says(undefined, (value) => `unknown protocol ${show(value)}; expected ${mailProtocols.join(", ")}`),
        ),
        says(`missing; give a list of ${mailProtocols.join(", ")}`, (value) => `${show(value)} must be a list of ${mailProtocols.join(", ")}`),
    );
    const checked = allowEmpty ? list : list.min(1, { error: () => `[] is empty; give at least one of ${mailProtocols.join(", ")}` });
    // Sorted, without duplicates: the same protocols always give the same plan.
    return checked.transform((protocols) => mailProtocols.filter((protocol) => protocols.includes(protocol)));
};

const mailbox = strictObject(
    {
        address: z.string(says("missing; give the mailbox's e-mail address", (value) => `${show(value)} is not an e-mail address`)).refine(
            isMailAddress,
            says(undefined, (value) => `${show(value)} is not an e-mail address`),
        ),
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
                z.string(says(undefined, (value) => `${show(value)} is not an https:// URI (http:// is allowed only for localhost)`)).refine(
                    isAllowedRedirectUri,
                    says(undefined, (value) => `${show(value)} is not an https:// URI (http:// is allowed only for localhost)`),
                ),
                says(undefined, (value) => `${show(value)} must be a non-empty list of URIs`),
            )
            .min(1, { error: () => "[] must be a non-empty list of URIs" }),
        protocols: protocolList(true).default([]),
    },
    "{ redirectUris, protocols }",
);

const organizationMissing = "missing; the Exchange Online step (mailbox grants, SMTP AUTH) needs the tenant's organization, e.g. contoso.onmicrosoft.com";

const exchange = strictObject(
    {
        organization: documented(
            "exchange.organization",
            "domain",
            "required with mailboxes",
            "The tenant's `*.onmicrosoft.com` domain for `Connect-ExchangeOnline`.",
            z
                .string(says(organizationMissing, (value) => `${show(value)} is not a domain name such as contoso.onmicrosoft.com`))
                .refine(
                    isDomainName,
                    says(undefined, (value) => `${show(value)} is not a domain name such as contoso.onmicrosoft.com`),
                )
                .optional(),
        ),
        auth: documented(
            "exchange.auth",
            "`interactive` \\| `certificate` \\| `managedIdentity`",
            "`interactive`",
            "How the Exchange step signs in: an admin in a browser (local runs), app-only with a PFX file (automation), or the managed identity of an Azure host.",
            enumOf(exchangeAuthModes).default(defaults.exchangeAuth),
        ),
        appId: documented(
            "exchange.appId",
            "GUID",
            "–",
            "`certificate`: client ID of the automation app owning the certificate.",
            z
                .string(says(undefined, (value) => `${show(value)} must be a non-empty string`))
                .regex(
                    guidPattern,
                    says(undefined, (value) => `${show(value)} is not an application (client) ID GUID`),
                )
                .optional(),
        ),
        certificatePath: documented("exchange.certificatePath", "path", "–", "`certificate`: the PFX file (never committed).", nonEmptyString().optional()),
        certificatePasswordEnv: documented(
            "exchange.certificatePasswordEnv",
            "env var name",
            "`M365_EXO_CERTIFICATE_PASSWORD`",
            "`certificate`: environment variable holding the PFX password.",
            z
                .string(says(undefined, (value) => `${show(value)} must be a non-empty string`))
                .regex(
                    envVarNamePattern,
                    says(undefined, (value) => `${show(value)} is not an environment variable name`),
                )
                .default(defaults.certificatePasswordEnv),
        ),
        managedIdentityAccountId: documented(
            "exchange.managedIdentityAccountId",
            "GUID",
            "–",
            "`managedIdentity`: client ID of a user-assigned identity.",
            z
                .string(says(undefined, (value) => `${show(value)} must be a non-empty string`))
                .regex(
                    guidPattern,
                    says(undefined, (value) => `${show(value)} is not a client ID GUID of a user-assigned managed identity`),
                )
                .optional(),
        ),
        userPrincipalName: documented(
            "exchange.userPrincipalName",
            "string",
            "–",
            "`interactive`: the admin account to suggest at sign-in.",
            nonEmptyString().optional(),
        ),
        pwsh: documented("exchange.pwsh", "path or name", "`pwsh`", "The PowerShell 7 executable.", nonEmptyString().default(defaults.pwsh)),
        disableWam: documented(
            "exchange.disableWam",
            "boolean",
            "`false`",
            "`interactive`: sign in through the browser instead of Windows' account manager (`Connect-ExchangeOnline -DisableWAM`).",
            z.boolean(says(undefined, (value) => `${show(value)} must be true or false`)).default(false),
        ),
        reconcile: documented(
            "exchange.reconcile",
            "`changed` \\| `all`",
            "`changed`",
            "`changed`: a mailbox whose configured access did not change since the last run is trusted from the record, not read. `all`: every run reads and repairs every mailbox (drift).",
            enumOf(exchangeReconcileModes).default(defaults.reconcile),
        ),
        smtpAuthorization: documented(
            "exchange.smtpAuthorization",
            "`mailboxPermission` \\| `appRbac`",
            "`mailboxPermission`",
            "How app-only SMTP sending is authorised. `mailboxPermission`: Entra `SMTP.SendAsApp` plus FullAccess and SendAs on each mailbox. `appRbac`: Exchange RBAC for Applications (Worldwide cloud, since October 2025): no Entra SMTP permission, a stack-owned mail-enabled security group of the smtp mailboxes, a management scope on it and an `Application SMTP.SendAsApp` role assignment; imap/pop mailboxes keep FullAccess.",
            enumOf(smtpAuthorizationModes).default(defaults.smtpAuthorization),
        ),
        appRbacGroup: documented(
            "exchange.appRbacGroup",
            "name",
            "derived from displayName",
            "`appRbac`: name (and alias) of the stack's mail-enabled security group; the scope and role assignment are named after it. Must not exist yet: the stack never takes over a group it did not make.",
            z
                .string(says(undefined, (value) => `${show(value)} must be a group name of letters, digits and . _ - (at most 64)`))
                .regex(
                    rbacGroupNamePattern,
                    says(undefined, (value) => `${show(value)} must be a group name of letters, digits and . _ - (at most 64)`),
                )
                .optional(),
        ),
        reconcileRun: documented(
            "exchange.reconcileRun",
            "label",
            "empty",
            "Changing it makes the next update read and repair every mailbox once (also: retry after a failed run with unchanged config).",
            z
                .string(says(undefined, (value) => `${show(value)} must be a label of letters, digits and . _ : - (at most 64)`))
                .regex(
                    labelPattern,
                    says(undefined, (value) => `${show(value)} must be a label of letters, digits and . _ : - (at most 64)`),
                )
                .default(""),
        ),
    },
    "{ organization, auth, ... }",
);

/** The exchange block's keys, each of which the README's table documents. */
export const exchangeKeys = Object.keys(exchange.shape);

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
    signInAudience: documented(
        "signInAudience",
        "`AzureADMyOrg` \\| `AzureADMultipleOrgs`",
        "`AzureADMyOrg`",
        "Single tenant (the guides' default) or multi-tenant.",
        enumOf(signInAudiences).default(defaults.signInAudience),
    ),
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
        'User-based flow ("Office 365 (As User)" / login provider in PDFC): Web redirect URIs (`https://`, or `http://localhost`), and the protocols users need.',
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
    exchange: documented("exchange", "object, see below", "–", "How the Exchange Online step signs in and runs; required with mailboxes.", exchange.optional()),
    secretRotation: documented(
        "secretRotation",
        "whole number",
        "0",
        "The rotation number; raising it by one rotates the client secret (one step at a time), see [Rotating the secret](#rotating-the-secret).",
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
    secretWarnDays: documented(
        "secretWarnDays",
        "whole number 1–365",
        "30",
        "Every preview and update warns when the current secret expires within this many days.",
        wholeNumber(1, 365, "days").default(defaults.secretWarnDays),
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
        "Also write the current secret to this Azure Key Vault (in `subscriptionId`, else the azure-native provider's), see [Key Vault delivery](#key-vault-delivery).",
        keyVault.optional(),
    ),
    owners: documented(
        "owners",
        "list of object IDs (GUID)",
        "the deploying identity, at creation",
        "Owners of the app registration and its enterprise application. Unset: whoever first deploys becomes owner and later deployments by others change nothing.",
        z
            .array(
                z.string(says(undefined, (value) => `${show(value)} is not an object ID GUID`)).regex(
                    guidPattern,
                    says(undefined, (value) => `${show(value)} is not an object ID GUID`),
                ),
                says(undefined, (value) => `${show(value)} must be a list of object IDs`),
            )
            .min(1, { error: () => "[] is empty; give at least one object ID, or leave owners unset" })
            .optional(),
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

type Input = z.output<typeof stackConfigInput>;

/** Exchange has work when there are mailboxes, or organisation-wide SMTP AUTH for signed-in users. */
function exchangeNeeded(config: { mailboxes?: unknown; smtpAuth?: unknown; userSignIn?: unknown }): boolean {
    const mailboxList = config.mailboxes;
    const signInProtocols = (config.userSignIn as { protocols?: unknown } | undefined)?.protocols;
    return (
        (Array.isArray(mailboxList) && mailboxList.length > 0) ||
        (config.smtpAuth === "organization" && Array.isArray(signInProtocols) && signInProtocols.includes("smtp"))
    );
}

/**
 * Rules between keys. They run on the values as given, even when other keys failed, so every problem is reported
 * in one go; each reads defensively.
 */
function crossFieldRules(raw: Record<string, unknown>, context: z.RefinementCtx): void {
    const add = (path: (string | number)[], message: string) => context.addIssue({ code: "custom", path, message, input: undefined });
    const credential = raw.credential ?? defaults.credential;
    const certificateBlock = raw.certificate as { publicCertPath?: unknown } | undefined;
    if (credential !== "secret" && (credentialKinds as readonly unknown[]).includes(credential)) {
        if (certificateBlock === undefined) {
            add(["certificate", "publicCertPath"], `missing; credential is ${show(credential)}, which needs the public certificate (PEM or DER) to upload`);
        } else if (typeof certificateBlock === "object" && certificateBlock !== null && certificateBlock.publicCertPath === undefined) {
            add(["certificate", "publicCertPath"], "missing; give the path of the public certificate (PEM or DER)");
        }
    }
    if (credential === "secret" && certificateBlock !== undefined) {
        add(["certificate"], `set, but credential is "secret"; set credential to certificate or both to use it`);
    }
    if (credential === "certificate" && raw.keyVault !== undefined) {
        add(["keyVault"], 'set, but credential is "certificate": there is no client secret to deliver');
    }
    const exchangeBlock = raw.exchange as Record<string, unknown> | undefined;
    if (exchangeNeeded(raw)) {
        if (exchangeBlock === undefined || (typeof exchangeBlock === "object" && exchangeBlock !== null && exchangeBlock.organization === undefined)) {
            add(["exchange", "organization"], organizationMissing);
        }
    }
    if (typeof exchangeBlock === "object" && exchangeBlock !== null && exchangeBlock.auth === "certificate") {
        if (exchangeBlock.certificatePath === undefined) {
            add(["exchange", "certificatePath"], 'missing; exchange.auth is "certificate", which needs the path of the PFX file');
        }
        if (exchangeBlock.appId === undefined) {
            add(["exchange", "appId"], 'missing; exchange.auth is "certificate", which needs the client ID of the app that owns the certificate');
        }
    }
    // A mailbox list of the wrong type is reported once, as what it is, not also as "nothing to set up".
    const noMailboxes = raw.mailboxes === undefined || (Array.isArray(raw.mailboxes) && raw.mailboxes.length === 0);
    if (noMailboxes && raw.userSignIn === undefined) {
        add(["mailboxes"], "nothing to set up: give mailboxes (app-only access) or userSignIn (user sign-in), or both");
    }
}

/** The settings the program works from: defaults filled in, Exchange only where it has work. */
function settingsFrom(input: Input) {
    const exchangeConnection =
        exchangeNeeded(input) && input.exchange
            ? // Checked by the cross-field rules: the organization is present whenever Exchange has work.
              { ...input.exchange, organization: input.exchange.organization ?? "" }
            : undefined;
    const certificatePath = input.credential !== "secret" ? input.certificate?.publicCertPath : undefined;
    return {
        displayName: input.displayName,
        signInAudience: input.signInAudience,
        mailboxes: input.mailboxes,
        smtpAuth: input.smtpAuth,
        secretLifetimeDays: input.secretLifetimeDays,
        secretRotation: input.secretRotation,
        secretWarnDays: input.secretWarnDays,
        credential: input.credential,
        protect: input.protect,
        // Optional settings are absent, not undefined, so types and plans read them the same way.
        ...(input.userSignIn ? { userSignIn: input.userSignIn } : {}),
        ...(exchangeConnection ? { exchange: exchangeConnection } : {}),
        ...(certificatePath !== undefined ? { certificatePath } : {}),
        ...(input.keyVault ? { keyVault: input.keyVault } : {}),
        ...(input.owners ? { owners: input.owners } : {}),
    };
}

export const stackConfigSchema = stackConfigInput
    .superRefine((value, context) => crossFieldRules(value as Record<string, unknown>, context), { when: () => true })
    .transform(settingsFrom);

export type StackSettings = z.output<typeof stackConfigSchema>;
export type MailboxConfig = StackSettings["mailboxes"][number];
export type UserSignInConfig = NonNullable<StackSettings["userSignIn"]>;
export type ExchangeConnectionConfig = NonNullable<StackSettings["exchange"]>;
export type ExchangeAuthMode = ExchangeConnectionConfig["auth"];
export type ExchangeReconcileMode = ExchangeConnectionConfig["reconcile"];
export type KeyVaultConfig = NonNullable<StackSettings["keyVault"]>;
