/**
 * The value formats the config schema checks: what Microsoft and Azure accept, so a typo fails before anything is
 * made. Addresses are checked here and then only ever passed as data (o'brien@... and $ops@... are legal).
 */

// Characters RFC 5322 allows unquoted in a local part.
const localPartPattern = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const domainLabelPattern = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

export const guidPattern = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
export const envVarNamePattern = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** A rotation or reconcile label: letters, digits and . _ : - , at most 64. */
export const labelPattern = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
/** An Exchange group name that is also a valid alias (no spaces, no quotes): it lands in an OPATH filter. */
export const rbacGroupNamePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

// Azure's naming rules.
export const vaultNamePattern = /^[A-Za-z](?!.*--)[A-Za-z0-9-]{1,22}[A-Za-z0-9]$/;
export const keyVaultSecretNamePattern = /^[A-Za-z0-9-]{1,127}$/;
export const resourceGroupPattern = /^[-\w.()]{0,89}[-\w()]$/;

export function isDomainName(value: string): boolean {
    const labels = value.split(".");
    return (
        value.length <= 253 && labels.length >= 2 && labels.every((label) => domainLabelPattern.test(label)) && /^[A-Za-z]{2,}$/.test(labels[labels.length - 1])
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

/**
 * What is wrong with a Web redirect URI, or undefined when both Entra ID and the azuread provider take it. Entra
 * wants https, except a loopback http URI for local testing. The provider (terraform-provider-azuread v3.8.0,
 * internal/helpers/tf/validation/uri.go:40-57 and 59-104, used by application_resource.go:614) refuses a URI
 * longer than 256 characters and one with no path segment ("URI must have a trailing slash when there is no path
 * segment"), which would otherwise fail `pulumi preview` with the provider's own message.
 */
export function redirectUriProblem(value: string): string | undefined {
    let url: URL;
    try {
        url = new URL(value);
    } catch {
        return "is not a URI";
    }
    if (url.protocol !== "https:" && !(url.protocol === "http:" && url.hostname === "localhost")) {
        return "is not an https:// URI (http:// is allowed only for localhost)";
    }
    if (url.hostname.length === 0) return "has no host";
    // WHATWG URL reports "/" for both "https://host" and "https://host/": look at the text itself, as Go's url.Parse does.
    if (!/^[a-z]+:\/\/[^/?#]*\//i.test(value)) {
        const withSlash = value.replace(/^([a-z]+:\/\/[^/?#]*)/i, "$1/");
        return `has no path segment, which the azuread provider refuses; write ${show(withSlash)}`;
    }
    if (value.length > 256) return `is ${value.length} characters long; the azuread provider takes at most 256`;
    return undefined;
}

/** Renders a config value for an error message: JSON, shortened so a huge paste stays readable. */
export function show(value: unknown): string {
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
