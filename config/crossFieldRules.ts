/**
 * Rules between config keys (a key that another key's value makes required or meaningless). They run on the values
 * as given, even when other keys failed, so every problem is reported in one go; each reads defensively.
 */
import { z } from "zod";
import { credentialKinds, defaults } from "./choices";
import { organizationMissing } from "./exchangeSchema";
import { show } from "./formats";
import { CloudName, cloudNames, clouds } from "../facts/clouds";

/** Exchange has work when there are mailboxes, or organisation-wide SMTP AUTH for signed-in users. */
export function exchangeNeeded(config: { mailboxes?: unknown; smtpAuth?: unknown; userSignIn?: unknown }): boolean {
    const mailboxList = config.mailboxes;
    const signInProtocols = (config.userSignIn as { protocols?: unknown } | undefined)?.protocols;
    return (
        (Array.isArray(mailboxList) && mailboxList.length > 0) ||
        (config.smtpAuth === "organization" && Array.isArray(signInProtocols) && signInProtocols.includes("smtp"))
    );
}

export function crossFieldRules(raw: Record<string, unknown>, context: z.RefinementCtx): void {
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
    // Only a previous secret can be retired; the current one is replaced by rotating.
    const rotation = typeof raw.secretRotation === "number" ? raw.secretRotation : defaults.secretRotation;
    if (typeof raw.secretRetiredThrough === "number" && raw.secretRetiredThrough >= rotation) {
        add(
            ["secretRetiredThrough"],
            `${show(raw.secretRetiredThrough)} would retire the current secret (secretRotation is ${rotation}): only a previous secret can be retired, so at most ${rotation - 1 >= 0 ? rotation - 1 : "nothing before the first rotation"}; the current one is replaced by raising secretRotation`,
        );
    }
    cloudRules(raw, add);
    multiTenantRules(raw, add);
    // A mailbox list of the wrong type is reported once, as what it is, not also as "nothing to set up". A provider's
    // stack of a multi-tenant app may have nothing to set up in its own tenant.
    const noMailboxes = raw.mailboxes === undefined || (Array.isArray(raw.mailboxes) && raw.mailboxes.length === 0);
    if (noMailboxes && raw.userSignIn === undefined && raw.customerTenants === undefined) {
        add(["mailboxes"], "nothing to set up: give mailboxes (app-only access) or userSignIn (user sign-in), or both");
    }
}

/** What a cloud lacks in Microsoft's documentation is refused, naming `cloud` and the key that needs it. */
function cloudRules(raw: Record<string, unknown>, add: (path: (string | number)[], message: string) => void): void {
    const cloud = raw.cloud ?? defaults.cloud;
    if (!(cloudNames as readonly unknown[]).includes(cloud)) return;
    const facts = clouds[cloud as CloudName];
    if (facts.mail === undefined) {
        add(["cloud"], `${show(cloud)} (${facts.label}) is refused: ${facts.noMailBecause}. Nothing can be set up for IMAP, POP or SMTP there yet.`);
    }
    const exchangeBlock = raw.exchange as { smtpAuthorization?: unknown } | undefined;
    if (!facts.appRbacSmtp && typeof exchangeBlock === "object" && exchangeBlock !== null && exchangeBlock.smtpAuthorization === "appRbac") {
        add(
            ["exchange", "smtpAuthorization"],
            `"appRbac", but cloud is ${show(cloud)}: Microsoft documents SMTP through RBAC for Applications for the Worldwide cloud only; use "mailboxPermission" (the default) in ${facts.label}`,
        );
    }
}

/**
 * A customer's stack of the provider's multi-tenant app (`providerApp`) makes no app registration, secret or consent:
 * the keys that shape those belong on the provider's stack and are refused here, each named. Keys with a default are
 * refused when they differ from it (the schema has filled defaults in by now).
 */
function multiTenantRules(raw: Record<string, unknown>, add: (path: (string | number)[], message: string) => void): void {
    if (raw.customerTenants !== undefined && raw.signInAudience !== "AzureADMultipleOrgs") {
        add(
            ["signInAudience"],
            `${show(raw.signInAudience ?? defaults.signInAudience)}, but customerTenants is set: only a multi-tenant app can be consented in the customers' tenants; set signInAudience to "AzureADMultipleOrgs"`,
        );
    }
    if (raw.providerApp === undefined) return;
    const providerOnly: { key: string; set: boolean }[] = [
        { key: "customerTenants", set: raw.customerTenants !== undefined },
        { key: "userSignIn", set: raw.userSignIn !== undefined },
        { key: "certificate", set: raw.certificate !== undefined },
        { key: "keyVault", set: raw.keyVault !== undefined },
        { key: "owners", set: raw.owners !== undefined },
        { key: "legacySecretsRetired", set: raw.legacySecretsRetired !== undefined },
        { key: "secretRetiredThrough", set: raw.secretRetiredThrough !== undefined },
        { key: "signInAudience", set: raw.signInAudience !== undefined && raw.signInAudience !== defaults.signInAudience },
        { key: "credential", set: raw.credential !== undefined && raw.credential !== defaults.credential },
        { key: "secretRotation", set: raw.secretRotation !== undefined && raw.secretRotation !== defaults.secretRotation },
        {
            key: "enterpriseApplication",
            set: raw.enterpriseApplication !== undefined && JSON.stringify(raw.enterpriseApplication) !== JSON.stringify(defaults.enterpriseApplication),
        },
        { key: "secretLifetimeDays", set: raw.secretLifetimeDays !== undefined && raw.secretLifetimeDays !== defaults.secretLifetimeDays },
    ];
    for (const { key } of providerOnly.filter((entry) => entry.set)) {
        add(
            [key],
            `${show(raw[key])} is set, but providerApp is set: this customer's stack uses the provider's app and makes no app registration, secret or consent of its own; set ${key} on the provider's stack instead`,
        );
    }
}
