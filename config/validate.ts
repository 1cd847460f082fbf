/**
 * Validates the whole stack configuration at once, against the one schema (schema.ts), and reports every problem
 * as `namespace:key: message`, naming the key and the bad value. Pure: the program, the offline review and the tests
 * call it on Pulumi's raw config map.
 */
import { z } from "zod";
import { configNamespace } from "../facts/project";
import { exchangeKeys } from "./exchangeSchema";
import { stackConfigInput } from "./schema";
import { stackConfigSchema, StackSettings } from "./settings";
import * as azureadConfig from "@pulumi/azuread/config";
import { guidPattern } from "./formats";
import { CloudName, cloudNames, clouds, defaultCloud } from "../facts/clouds";

export type ValidationResult =
    | { readonly ok: true; readonly settings: StackSettings; readonly warnings: readonly string[] }
    | { readonly ok: false; readonly problems: readonly string[] };

/** Keys read as secrets: kept as text, never parsed, and their values never enter a message. */
export const secretKeys = ["exchangeCertificatePassword"] as const;

/** Namespaces of the providers a stack configures beside this project's. */
const providerNamespaces = new Set(["azuread", "azure-native", "command", "pulumi"]);

/** Parses a raw config value: JSON for objects, lists, numbers and booleans; anything else is a plain string. */
function parseRaw(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
}

function keyPath(path: readonly PropertyKey[]): string {
    return path.map((part, index) => (typeof part === "number" ? `[${part}]` : index === 0 ? String(part) : `.${String(part)}`)).join("");
}

/** Levenshtein distance, for namespaces that are one slip away from this project's. */
function distance(a: string, b: string): number {
    const row = Array.from({ length: b.length + 1 }, (_, index) => index);
    for (let i = 1; i <= a.length; i++) {
        let previous = row[0];
        row[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const current = row[j];
            row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
            previous = current;
        }
    }
    return row[b.length];
}

/** The known key nearest to a misspelt one, if it is a slip away (at most a third of its length, and 3). */
export function nearestKey(key: string, known: readonly string[]): string | undefined {
    const scored = known.map((candidate) => ({ candidate, score: distance(key.toLowerCase(), candidate.toLowerCase()) }));
    const best = scored.sort((a, b) => a.score - b.score)[0];
    return best !== undefined && best.score <= Math.min(3, Math.max(1, Math.floor(key.length / 3))) ? best.candidate : undefined;
}

/** The keys a config object takes, by its path: the top level and the exchange block. */
function knownKeysAt(at: string): readonly string[] | undefined {
    return at === "" ? Object.keys(stackConfigInput.shape) : at === "exchange" ? exchangeKeys : undefined;
}

function issueProblems(issue: z.core.$ZodIssue): string[] {
    const at = keyPath(issue.path);
    if (issue.code === "unrecognized_keys") {
        const known = knownKeysAt(at);
        return issue.keys.map((key) => {
            const near = known ? nearestKey(key, known) : undefined;
            const message = near ? `unknown config key; did you mean ${near}?` : issue.message;
            return `${configNamespace}:${at === "" ? key : `${at}.${key}`}: ${message}`;
        });
    }
    return [`${configNamespace}:${at}: ${issue.message}`];
}

/**
 * @param raw Pulumi's config map: keys `namespace:key`, values as Pulumi passes them to programs (strings; objects,
 *            lists and numbers as JSON). Other namespaces are the providers' and are left alone, except one that
 *            looks like a misspelling of this project's.
 * @param environment The process environment the azuread provider would read its ARM_* defaults from.
 */
export function validateStackConfig(raw: Readonly<Record<string, string>>, environment: Readonly<Record<string, string | undefined>> = {}): ValidationResult {
    const problems: string[] = [];
    const values: Record<string, unknown> = {};
    for (const [fullKey, text] of Object.entries(raw)) {
        const separator = fullKey.indexOf(":");
        const namespace = fullKey.slice(0, separator);
        const key = fullKey.slice(separator + 1);
        if (namespace !== configNamespace) {
            const provider = [...providerNamespaces].find(
                (known) => known !== namespace && (known === namespace.toLowerCase() || distance(namespace, known) <= 2),
            );
            if (namespace === "azuread") {
                problems.push(...azureadProblems(key, text));
            } else if (!providerNamespaces.has(namespace) && distance(namespace, configNamespace) <= 3) {
                problems.push(`${fullKey}: unknown namespace "${namespace}", so this key is ignored; did you mean ${configNamespace}:${key}?`);
            } else if (!providerNamespaces.has(namespace) && provider !== undefined) {
                problems.push(`${fullKey}: unknown namespace "${namespace}", so the provider never reads this key; did you mean ${provider}:${key}?`);
            }
            continue;
        }
        // An empty value (a YAML key with nothing after it) is a key not set.
        if (text === "") continue;
        values[key] = key === "displayName" || (secretKeys as readonly string[]).includes(key) ? text : parseRaw(text);
    }
    const result = stackConfigSchema.safeParse(values);
    if (!result.success) {
        problems.push(...result.error.issues.flatMap(issueProblems));
    }
    const cloud = result.success ? result.data.cloud : (cloudNames as readonly unknown[]).includes(values.cloud) ? (values.cloud as CloudName) : defaultCloud;
    const providerCloud = azureadCloudProblem(cloud, raw, environment);
    if (providerCloud !== undefined) {
        problems.push(providerCloud);
    }
    if (!result.success || problems.length > 0) {
        return { ok: false, problems };
    }
    const warnings: string[] = [];
    if (result.data.credential !== "certificate" && result.data.secretWarnDays >= result.data.secretLifetimeDays) {
        warnings.push(
            `${configNamespace}:secretWarnDays: ${result.data.secretWarnDays} is not less than secretLifetimeDays (${result.data.secretLifetimeDays}): every update would warn that the secret expires soon, from the day it is created`,
        );
    }
    const organization = result.data.exchange?.organization;
    const suffixes = clouds[result.data.cloud].initialDomainSuffixes;
    if (organization !== undefined && !suffixes.some((suffix) => organization.toLowerCase().endsWith(suffix))) {
        warnings.push(
            `${configNamespace}:exchange.organization: "${organization}" is not a ${suffixes.map((suffix) => `*${suffix}`).join(" or ")} domain; Connect-ExchangeOnline -Organization wants the tenant's initial domain, e.g. contoso${suffixes[0]}`,
        );
    }
    return { ok: true, settings: result.data, warnings };
}

/** The azuread provider's own config keys (its `config` module), so a misspelt one is not silently ignored. */
const azureadKeys = Object.keys(azureadConfig).filter((key) => key !== "__esModule");

function azureadProblems(key: string, text: string): string[] {
    if (!azureadKeys.includes(key)) {
        const near = nearestKey(key, azureadKeys);
        return [
            `azuread:${key}: not a setting of the azuread provider, so it is ignored${near ? `; did you mean azuread:${near}?` : ""} (a real pulumi up would deploy into whatever tenant the sign-in points at)`,
        ];
    }
    if (key === "tenantId" && !guidPattern.test(text)) {
        return [`azuread:tenantId: "${text}" is not a tenant ID; give the directory (tenant) ID GUID from Entra ID > Overview, not a domain`];
    }
    return [];
}

/**
 * The azuread provider's own names for its clouds, as it reads them (hashicorp/terraform-provider-azuread v3.8.0,
 * vendor/github.com/hashicorp/go-azure-sdk/sdk/environments/from_name.go lines 11-30: lower-cased, with aliases).
 */
const azureadEnvironmentAliases: Readonly<Record<string, string>> = {
    global: "global",
    public: "global",
    usgovernment: "usgovernmentl4",
    usgovernmentl4: "usgovernmentl4",
    dod: "usgovernmentl5",
    usgovernmentl5: "usgovernmentl5",
    china: "china",
};

/**
 * The stack's `cloud` and the azuread provider's must agree: the program's outputs and the Exchange step follow
 * `cloud`, the app registration is made wherever the provider signs in. The provider takes `environment` from
 * `azuread:environment`, else ARM_ENVIRONMENT, else `global`; a `metadata_host` (`azuread:metadataHost`, else
 * ARM_METADATA_HOSTNAME) replaces it altogether (provider.go lines 119-131 and 302-318 at v3.8.0), so with one set
 * there is nothing to compare.
 */
export function azureadCloudProblem(
    cloud: CloudName,
    raw: Readonly<Record<string, string>>,
    environment: Readonly<Record<string, string | undefined>>,
): string | undefined {
    if ((raw["azuread:metadataHost"] ?? environment.ARM_METADATA_HOSTNAME ?? "") !== "") {
        return undefined;
    }
    const wanted = clouds[cloud].azureadEnvironment;
    const fromConfig = raw["azuread:environment"];
    const given = fromConfig ?? environment.ARM_ENVIRONMENT;
    const effective = given === undefined || given === "" ? "global" : (azureadEnvironmentAliases[given.toLowerCase()] ?? given);
    if (effective === wanted) {
        return undefined;
    }
    const fix = `set \`pulumi config set azuread:environment ${wanted}\``;
    const where =
        fromConfig !== undefined
            ? `azuread:environment: "${fromConfig}"`
            : given !== undefined && given !== ""
              ? `azuread:environment: not set, and ARM_ENVIRONMENT is "${given}"`
              : "azuread:environment: not set";
    const reads = fromConfig === undefined && (given === undefined || given === "") ? ", so the azuread provider signs in to the global cloud" : "";
    return `${where}${reads}, but ${configNamespace}:cloud is "${cloud}" (${clouds[cloud].label}), which the azuread provider calls "${wanted}"; ${fix}`;
}

/** The error a program stops with on bad config: all problems, one per line. */
export function formatProblems(problems: readonly string[]): string {
    return [
        `The stack configuration has ${problems.length} problem${problems.length === 1 ? "" : "s"}; nothing was changed:`,
        ...problems.map((problem) => `  - ${problem}`),
    ].join("\n");
}

export const placeholderTenant = "00000000-0000-0000-0000-000000000000";

/**
 * The example stacks carry an all-zero tenant: fine for the offline review, refused for a preview and an update,
 * which would otherwise fail later inside the provider with a less helpful message.
 */
export function placeholderTenantProblem(raw: Readonly<Record<string, string>>, environment: NodeJS.ProcessEnv): string | undefined {
    const tenant = raw["azuread:tenantId"] ?? environment.ARM_TENANT_ID;
    if (tenant !== placeholderTenant) {
        return undefined;
    }
    return (
        `azuread:tenantId: "${placeholderTenant}" is the example's placeholder, not a tenant. Set your tenant's ID ` +
        "(Entra ID > Overview > Tenant ID) with `pulumi config set azuread:tenantId <tenant-id>` before `pulumi up`."
    );
}
