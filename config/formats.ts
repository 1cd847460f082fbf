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
export function show(value: unknown): string {
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
