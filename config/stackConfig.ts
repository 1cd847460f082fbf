/**
 * The stack configuration: the project's public interface.
 *
 * `validateStackConfig` is pure: it takes the raw key/value map that Pulumi hands the program (objects arrive
 * as JSON text) and returns either a fully typed `StackSettings` or every problem it found, each naming the
 * config key and the bad value. Nothing is declared until the whole config has passed, so a typo never leaves
 * a half-built stack behind.
 */

import { configNamespace } from "../facts/project";

export { configNamespace };

export const mailProtocols = ["imap", "pop", "smtp"] as const;
export type MailProtocol = (typeof mailProtocols)[number];

export const signInAudiences = ["AzureADMyOrg", "AzureADMultipleOrgs"] as const;
export type SignInAudience = (typeof signInAudiences)[number];

export const smtpAuthModes = ["mailbox", "organization", "unchanged"] as const;
export type SmtpAuthMode = (typeof smtpAuthModes)[number];

export const exchangeAuthModes = ["interactive", "certificate", "managedIdentity"] as const;
export type ExchangeAuthMode = (typeof exchangeAuthModes)[number];
export const exchangeReconcileModes = ["changed", "all"] as const;
export type ExchangeReconcileMode = (typeof exchangeReconcileModes)[number];

export const credentialKinds = ["secret", "certificate", "both"] as const;
export type CredentialKind = (typeof credentialKinds)[number];

export interface KeyVaultConfig {
    readonly resourceGroupName: string;
    readonly vaultName: string;
    readonly secretName: string;
}

export interface MailboxConfig {
    /** As written in the config: passed to Exchange untouched. */
    readonly address: string;
    /** Sorted, without duplicates. */
    readonly protocols: readonly MailProtocol[];
}

export interface UserSignInConfig {
    readonly redirectUris: readonly string[];
    /** Sorted, without duplicates; may be empty (sign-in only, e.g. i-net PDFC as a login provider). */
    readonly protocols: readonly MailProtocol[];
}

export interface ExchangeConnectionConfig {
    /** The tenant's primary `.onmicrosoft.com` domain, as `Connect-ExchangeOnline -Organization` wants it. */
    readonly organization: string;
    readonly auth: ExchangeAuthMode;
    /** The automation app's client ID, for `certificate` auth. */
    readonly appId?: string;
    /** Path of the PFX file, for `certificate` auth. */
    readonly certificatePath?: string;
    /** Name of the environment variable that holds the PFX password, for `certificate` auth. */
    readonly certificatePasswordEnv: string;
    /** Client ID of a user-assigned managed identity, for `managedIdentity` auth. */
    readonly managedIdentityAccountId?: string;
    /** The admin's sign-in name, a hint for `interactive` auth. */
    readonly userPrincipalName?: string;
    /** The PowerShell 7 executable. */
    readonly pwsh: string;
    /** `interactive`: sign in through the browser instead of Windows' account manager (`-DisableWAM`). */
    readonly disableWam: boolean;
    /**
     * `changed` (default): mailboxes whose desired access equals the recorded one are trusted, not read.
     * `all`: every run reads and repairs every mailbox (drift).
     */
    readonly reconcile: ExchangeReconcileMode;
    /** A label; changing it makes the next update read and repair every mailbox once. */
    readonly reconcileRun: string;
}

export interface StackSettings {
    readonly displayName: string;
    readonly signInAudience: SignInAudience;
    readonly mailboxes: readonly MailboxConfig[];
    readonly userSignIn?: UserSignInConfig;
    readonly smtpAuth: SmtpAuthMode;
    readonly secretLifetimeDays: number;
    /** Present whenever Exchange Online has to change: mailboxes, or org-wide SMTP AUTH for signed-in users. */
    readonly exchange?: ExchangeConnectionConfig;
    /** The rotation label; changing it rotates the client secret. */
    readonly secretRotation: string;
    readonly secretWarnDays: number;
    readonly credential: CredentialKind;
    /** Path of the public certificate (PEM or DER), with `credential` certificate or both. */
    readonly certificatePath?: string;
    readonly keyVault?: KeyVaultConfig;
    /** Protect the app registration and service principal from `pulumi destroy`. */
    readonly protect: boolean;
}

export type ValidationResult =
    | { readonly ok: true; readonly settings: StackSettings }
    | { readonly ok: false; readonly problems: readonly string[] };

export const defaults = {
    signInAudience: "AzureADMyOrg" as SignInAudience,
    smtpAuth: "mailbox" as SmtpAuthMode,
    secretLifetimeDays: 180,
    pwsh: "pwsh",
    certificatePasswordEnv: "M365_EXO_CERTIFICATE_PASSWORD",
    secretRotation: "initial",
    secretWarnDays: 30,
    credential: "secret" as CredentialKind,
    protect: false,
};

export const secretLifetimeBounds = { min: 1, max: 730 } as const;

/** Keys read as secrets; their values never enter an error message. */
export const secretKeys = ["exchangeCertificatePassword"] as const;

const knownKeys = [
    "displayName",
    "signInAudience",
    "mailboxes",
    "userSignIn",
    "smtpAuth",
    "secretLifetimeDays",
    "exchange",
    "secretRotation",
    "secretWarnDays",
    "credential",
    "certificate",
    "keyVault",
    "protect",
    ...secretKeys,
];

// Characters RFC 5322 allows unquoted in a local part. Apostrophes, dollar signs and the like are legal and
// real (o'brien@...), so the address is validated here and then only ever passed as data, never as code.
const localPartPattern = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const domainLabelPattern = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const guidPattern = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const envVarNamePattern = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function isDomainName(value: string): boolean {
    const labels = value.split(".");
    return (
        value.length <= 253 &&
        labels.length >= 2 &&
        labels.every((label) => domainLabelPattern.test(label)) &&
        /^[A-Za-z]{2,}$/.test(labels[labels.length - 1])
    );
}

export function isMailAddress(value: string): boolean {
    const at = value.lastIndexOf("@");
    if (at <= 0 || value.length > 254) {
        return false;
    }
    const local = value.slice(0, at);
    const domain = value.slice(at + 1);
    return local.length <= 64 && localPartPattern.test(local) && isDomainName(domain);
}

/** Web redirect URIs must be https, except a loopback http URI for local testing (as Entra itself allows). */
export function isAllowedRedirectUri(value: string): boolean {
    let url: URL;
    try {
        url = new URL(value);
    } catch {
        return false;
    }
    if (url.protocol === "https:") {
        return url.hostname.length > 0;
    }
    return url.protocol === "http:" && url.hostname === "localhost";
}

/** Renders a config value for an error message: JSON, shortened so a huge paste stays readable. */
function show(value: unknown): string {
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

class Problems {
    readonly list: string[] = [];
    add(key: string, message: string): void {
        this.list.push(`${configNamespace}:${key}: ${message}`);
    }
}

/** Parses a raw config value: JSON for objects, lists and numbers; anything that is not JSON is a plain string. */
function parseRaw(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function checkKnownProperties(
    problems: Problems,
    key: string,
    value: Record<string, unknown>,
    allowed: readonly string[],
): void {
    for (const property of Object.keys(value)) {
        if (!allowed.includes(property)) {
            problems.add(`${key}.${property}`, `unknown setting; expected one of ${allowed.join(", ")}`);
        }
    }
}

function readEnum<T extends string>(
    problems: Problems,
    key: string,
    value: unknown,
    allowed: readonly T[],
    fallback: T,
): T {
    if (value === undefined) {
        return fallback;
    }
    if (typeof value === "string" && (allowed as readonly string[]).includes(value)) {
        return value as T;
    }
    problems.add(key, `${show(value)} is not one of ${allowed.join(", ")}`);
    return fallback;
}

function readOptionalString(problems: Problems, key: string, value: unknown): string | undefined {
    if (value === undefined) {
        return undefined;
    }
    if (typeof value !== "string" || value.trim() === "") {
        problems.add(key, `${show(value)} must be a non-empty string`);
        return undefined;
    }
    return value;
}

function readProtocols(
    problems: Problems,
    key: string,
    value: unknown,
    allowEmpty: boolean,
): MailProtocol[] {
    if (!Array.isArray(value)) {
        problems.add(key, `${show(value)} must be a list of ${mailProtocols.join(", ")}`);
        return [];
    }
    if (value.length === 0 && !allowEmpty) {
        problems.add(key, `[] is empty; give at least one of ${mailProtocols.join(", ")}`);
        return [];
    }
    const found = new Set<MailProtocol>();
    value.forEach((protocol, index) => {
        if (typeof protocol === "string" && (mailProtocols as readonly string[]).includes(protocol)) {
            found.add(protocol as MailProtocol);
        } else {
            problems.add(`${key}[${index}]`, `unknown protocol ${show(protocol)}; expected ${mailProtocols.join(", ")}`);
        }
    });
    return mailProtocols.filter((protocol) => found.has(protocol));
}

function readMailboxes(problems: Problems, value: unknown): MailboxConfig[] {
    if (value === undefined) {
        return [];
    }
    if (!Array.isArray(value)) {
        problems.add("mailboxes", `${show(value)} must be a list of { address, protocols }`);
        return [];
    }
    const mailboxes: MailboxConfig[] = [];
    const seen = new Map<string, number>();
    value.forEach((entry, index) => {
        const key = `mailboxes[${index}]`;
        if (!isPlainObject(entry)) {
            problems.add(key, `${show(entry)} must be an object { address, protocols }`);
            return;
        }
        checkKnownProperties(problems, key, entry, ["address", "protocols"]);
        const address = entry.address;
        let addressOk = false;
        if (typeof address !== "string" || !isMailAddress(address)) {
            problems.add(`${key}.address`, `${show(address)} is not an e-mail address`);
        } else {
            const normalized = address.toLowerCase();
            const first = seen.get(normalized);
            if (first !== undefined) {
                problems.add(`${key}.address`, `${show(address)} duplicates mailboxes[${first}].address`);
            } else {
                seen.set(normalized, index);
                addressOk = true;
            }
        }
        const protocols = readProtocols(problems, `${key}.protocols`, entry.protocols, false);
        if (addressOk && protocols.length > 0) {
            mailboxes.push({ address: address as string, protocols });
        }
    });
    return mailboxes;
}

function readUserSignIn(problems: Problems, value: unknown): UserSignInConfig | undefined {
    if (value === undefined) {
        return undefined;
    }
    if (!isPlainObject(value)) {
        problems.add("userSignIn", `${show(value)} must be an object { redirectUris, protocols }`);
        return undefined;
    }
    checkKnownProperties(problems, "userSignIn", value, ["redirectUris", "protocols"]);
    const redirectUris: string[] = [];
    if (!Array.isArray(value.redirectUris) || value.redirectUris.length === 0) {
        problems.add("userSignIn.redirectUris", `${show(value.redirectUris)} must be a non-empty list of URIs`);
    } else {
        value.redirectUris.forEach((uri, index) => {
            if (typeof uri === "string" && isAllowedRedirectUri(uri)) {
                redirectUris.push(uri);
            } else {
                problems.add(
                    `userSignIn.redirectUris[${index}]`,
                    `${show(uri)} is not an https:// URI (http:// is allowed only for localhost)`,
                );
            }
        });
    }
    const protocols = value.protocols === undefined ? [] : readProtocols(problems, "userSignIn.protocols", value.protocols, true);
    return { redirectUris, protocols };
}

const organizationMissing =
    "missing; the Exchange Online step (mailbox grants, SMTP AUTH) needs the tenant's organization, e.g. contoso.onmicrosoft.com";

function readWholeNumber(problems: Problems, key: string, value: unknown, min: number, max: number, fallback: number, unit: string): number {
    if (value === undefined) {
        return fallback;
    }
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
        problems.add(key, `${show(value)} must be a whole number of ${unit} from ${min} to ${max}`);
        return fallback;
    }
    return value;
}

const rotationLabelPattern = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

function readRotation(problems: Problems, value: unknown): string {
    if (value === undefined) {
        return defaults.secretRotation;
    }
    const label = typeof value === "number" && Number.isInteger(value) && value >= 0 ? String(value) : value;
    if (typeof label !== "string" || !rotationLabelPattern.test(label)) {
        problems.add("secretRotation", `${show(value)} must be a label of letters, digits and . _ : - (at most 64), or a whole number`);
        return defaults.secretRotation;
    }
    return label;
}

function readCertificate(problems: Problems, value: unknown, credential: CredentialKind): string | undefined {
    const needed = credential !== "secret";
    if (value === undefined) {
        if (needed) {
            problems.add("certificate.publicCertPath", `missing; credential is ${show(credential)}, which needs the public certificate (PEM or DER) to upload`);
        }
        return undefined;
    }
    if (!isPlainObject(value)) {
        problems.add("certificate", `${show(value)} must be an object { publicCertPath }`);
        return undefined;
    }
    checkKnownProperties(problems, "certificate", value, ["publicCertPath"]);
    const path = readOptionalString(problems, "certificate.publicCertPath", value.publicCertPath);
    if (path === undefined && needed && value.publicCertPath === undefined) {
        problems.add("certificate.publicCertPath", "missing; give the path of the public certificate (PEM or DER)");
    }
    if (path !== undefined && /\.(pfx|p12|key)$/i.test(path)) {
        problems.add("certificate.publicCertPath", `${show(path)} looks like a private key container; give the public certificate only (.cer, .crt, .pem)`);
    }
    if (!needed) {
        problems.add("certificate", `set, but credential is "secret"; set credential to certificate or both to use it`);
    }
    return path;
}

// Azure's naming rules, so a typo fails here rather than after the secret was made.
const vaultNamePattern = /^[A-Za-z](?!.*--)[A-Za-z0-9-]{1,22}[A-Za-z0-9]$/;
const keyVaultSecretNamePattern = /^[A-Za-z0-9-]{1,127}$/;
const resourceGroupPattern = /^[-\w.()]{0,89}[-\w()]$/;

function readKeyVault(problems: Problems, value: unknown, credential: CredentialKind): KeyVaultConfig | undefined {
    if (value === undefined) {
        return undefined;
    }
    if (!isPlainObject(value)) {
        problems.add("keyVault", `${show(value)} must be an object { resourceGroupName, vaultName, secretName }`);
        return undefined;
    }
    checkKnownProperties(problems, "keyVault", value, ["resourceGroupName", "vaultName", "secretName"]);
    const checks: [keyof KeyVaultConfig, RegExp, string][] = [
        ["resourceGroupName", resourceGroupPattern, "a resource group name (letters, digits, - _ . ( ), at most 90, not ending in .)"],
        ["vaultName", vaultNamePattern, "a Key Vault name (3-24 letters, digits and single hyphens, starting with a letter)"],
        ["secretName", keyVaultSecretNamePattern, "a Key Vault secret name (1-127 letters, digits and hyphens)"],
    ];
    const result: Partial<Record<keyof KeyVaultConfig, string>> = {};
    for (const [property, pattern, what] of checks) {
        const v = value[property];
        if (typeof v !== "string" || !pattern.test(v)) {
            problems.add(`keyVault.${property}`, `${show(v)} is not ${what}`);
        } else {
            result[property] = v;
        }
    }
    if (credential === "certificate") {
        problems.add("keyVault", "set, but credential is \"certificate\": there is no client secret to deliver");
    }
    return result as KeyVaultConfig;
}

function readExchange(problems: Problems, value: unknown, needed: boolean): ExchangeConnectionConfig | undefined {
    if (value === undefined) {
        if (needed) {
            problems.add("exchange.organization", organizationMissing);
        }
        return undefined;
    }
    if (!isPlainObject(value)) {
        problems.add("exchange", `${show(value)} must be an object { organization, auth, ... }`);
        return undefined;
    }
    checkKnownProperties(problems, "exchange", value, [
        "organization",
        "auth",
        "appId",
        "certificatePath",
        "certificatePasswordEnv",
        "managedIdentityAccountId",
        "userPrincipalName",
        "pwsh",
        "disableWam",
        "reconcile",
        "reconcileRun",
    ]);
    const organization = value.organization;
    if (organization === undefined) {
        if (needed) {
            problems.add("exchange.organization", organizationMissing);
        }
    } else if (typeof organization !== "string" || !isDomainName(organization)) {
        problems.add("exchange.organization", `${show(organization)} is not a domain name such as contoso.onmicrosoft.com`);
    }
    const auth = readEnum(problems, "exchange.auth", value.auth, exchangeAuthModes, "interactive");
    const appId = readOptionalString(problems, "exchange.appId", value.appId);
    if (appId !== undefined && !guidPattern.test(appId)) {
        problems.add("exchange.appId", `${show(appId)} is not an application (client) ID GUID`);
    }
    const certificatePath = readOptionalString(problems, "exchange.certificatePath", value.certificatePath);
    const certificatePasswordEnv =
        readOptionalString(problems, "exchange.certificatePasswordEnv", value.certificatePasswordEnv) ??
        defaults.certificatePasswordEnv;
    if (!envVarNamePattern.test(certificatePasswordEnv)) {
        problems.add("exchange.certificatePasswordEnv", `${show(certificatePasswordEnv)} is not an environment variable name`);
    }
    const managedIdentityAccountId = readOptionalString(problems, "exchange.managedIdentityAccountId", value.managedIdentityAccountId);
    const userPrincipalName = readOptionalString(problems, "exchange.userPrincipalName", value.userPrincipalName);
    const pwsh = readOptionalString(problems, "exchange.pwsh", value.pwsh) ?? defaults.pwsh;
    if (value.disableWam !== undefined && typeof value.disableWam !== "boolean") {
        problems.add("exchange.disableWam", `${show(value.disableWam)} must be true or false`);
    }
    const reconcile = readEnum(problems, "exchange.reconcile", value.reconcile, exchangeReconcileModes, "changed");
    const reconcileRun = readOptionalString(problems, "exchange.reconcileRun", value.reconcileRun) ?? "";
    if (!/^[A-Za-z0-9._:-]{0,64}$/.test(reconcileRun)) {
        problems.add("exchange.reconcileRun", `${show(reconcileRun)} must be a label of letters, digits and . _ : - (at most 64)`);
    }
    if (auth === "certificate") {
        if (certificatePath === undefined) {
            problems.add("exchange.certificatePath", "missing; exchange.auth is \"certificate\", which needs the path of the PFX file");
        }
        if (appId === undefined) {
            problems.add("exchange.appId", "missing; exchange.auth is \"certificate\", which needs the client ID of the app that owns the certificate");
        }
    }
    return {
        organization: typeof organization === "string" ? organization : "",
        auth,
        appId,
        certificatePath,
        certificatePasswordEnv,
        managedIdentityAccountId,
        userPrincipalName,
        pwsh,
        disableWam: value.disableWam === true,
        reconcile,
        reconcileRun,
    };
}

/**
 * Validates the whole stack configuration at once.
 *
 * @param raw Pulumi's config map: keys `namespace:key` (other namespaces, e.g. `azuread:tenantId`, are ignored),
 *            values as Pulumi passes them to programs (strings; objects, lists and numbers as JSON).
 */
export function validateStackConfig(raw: Readonly<Record<string, string>>): ValidationResult {
    const problems = new Problems();
    const values = new Map<string, unknown>();
    for (const [fullKey, text] of Object.entries(raw)) {
        const separator = fullKey.indexOf(":");
        if (fullKey.slice(0, separator) !== configNamespace) {
            continue;
        }
        const key = fullKey.slice(separator + 1);
        if (!knownKeys.includes(key)) {
            problems.add(key, `unknown config key; expected one of ${knownKeys.join(", ")}`);
            continue;
        }
        // displayName and secrets are plain strings, whatever they look like.
        values.set(key, key === "displayName" || (secretKeys as readonly string[]).includes(key) ? text : parseRaw(text));
    }

    const displayName = values.get("displayName");
    if (displayName === undefined) {
        problems.add("displayName", "missing; set the app registration's name with `pulumi config set displayName <name>`");
    } else if (typeof displayName !== "string" || displayName.trim() === "" || displayName.length > 120) {
        problems.add("displayName", `${show(displayName)} must be a non-empty name of at most 120 characters`);
    }
    const signInAudience = readEnum(problems, "signInAudience", values.get("signInAudience"), signInAudiences, defaults.signInAudience);
    const mailboxes = readMailboxes(problems, values.get("mailboxes"));
    const userSignIn = readUserSignIn(problems, values.get("userSignIn"));
    const smtpAuth = readEnum(problems, "smtpAuth", values.get("smtpAuth"), smtpAuthModes, defaults.smtpAuth);
    const secretLifetimeDays = readWholeNumber(problems, "secretLifetimeDays", values.get("secretLifetimeDays"), secretLifetimeBounds.min, secretLifetimeBounds.max, defaults.secretLifetimeDays, "days");
    const secretRotation = readRotation(problems, values.get("secretRotation"));
    const secretWarnDays = readWholeNumber(problems, "secretWarnDays", values.get("secretWarnDays"), 1, 365, defaults.secretWarnDays, "days");
    const credential = readEnum(problems, "credential", values.get("credential"), credentialKinds, defaults.credential);
    const certificatePath = readCertificate(problems, values.get("certificate"), credential);
    const keyVault = readKeyVault(problems, values.get("keyVault"), credential);
    const protect = values.get("protect") ?? defaults.protect;
    if (typeof protect !== "boolean") {
        problems.add("protect", `${show(protect)} must be true or false`);
    }
    const mailboxesGiven = Array.isArray(values.get("mailboxes")) && (values.get("mailboxes") as unknown[]).length > 0;
    // Org-wide SMTP AUTH for signed-in users is an Exchange change too, even without app-only mailboxes.
    const exchangeNeeded = mailboxesGiven || (smtpAuth === "organization" && (userSignIn?.protocols.includes("smtp") ?? false));
    const exchange = readExchange(problems, values.get("exchange"), exchangeNeeded);

    if (!mailboxesGiven && values.get("userSignIn") === undefined) {
        problems.add("mailboxes", "nothing to set up: give mailboxes (app-only access) or userSignIn (user sign-in), or both");
    }

    if (problems.list.length > 0) {
        return { ok: false, problems: problems.list };
    }
    return {
        ok: true,
        settings: {
            displayName: displayName as string,
            signInAudience,
            mailboxes,
            userSignIn,
            smtpAuth,
            secretLifetimeDays,
            exchange: exchangeNeeded ? exchange : undefined,
            secretRotation,
            secretWarnDays,
            credential,
            certificatePath,
            keyVault,
            protect: protect === true,
        },
    };
}

/** The error a program stops with on bad config: all problems, one per line. */
export function formatProblems(problems: readonly string[]): string {
    return [
        `The stack configuration has ${problems.length} problem${problems.length === 1 ? "" : "s"}; nothing was changed:`,
        ...problems.map((problem) => `  - ${problem}`),
    ].join("\n");
}
