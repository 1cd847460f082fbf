/**
 * The settings the program works from: the config validated (schema.ts and crossFieldRules.ts), defaults filled in,
 * Exchange present only where it has work, and the Exchange sign-in narrowed to the keys its mode uses, so code
 * downstream never pads a value the rules already proved present.
 */
import { z } from "zod";
import { defaults, ExchangeReconcileMode, SmtpAuthorizationMode } from "./choices";
import { CloudName } from "../facts/clouds";
import { crossFieldRules, exchangeNeeded } from "./crossFieldRules";
import { ExchangeBlock } from "./exchangeSchema";
import { StackConfigInput, stackConfigInput } from "./schema";

/** What every Exchange sign-in mode shares. */
interface ExchangeRun {
    /** The cloud the tenant lives in: which Exchange Online environment Connect-ExchangeOnline signs in to. */
    readonly cloud: CloudName;
    readonly organization: string;
    readonly pwsh: string;
    readonly reconcile: ExchangeReconcileMode;
    readonly reconcileRun: string;
    /** Mailboxes whose grants found there count as the stack's (`npm run adopt -- --take-ownership`). */
    readonly adoptedGrants?: readonly string[];
    readonly smtpAuthorization: SmtpAuthorizationMode;
    readonly appRbacGroup?: string;
}

/** How the Exchange step signs in, with exactly the keys of that mode. */
export type ExchangeSignIn =
    | { readonly auth: "interactive"; readonly userPrincipalName?: string; readonly disableWam: boolean }
    | { readonly auth: "certificate"; readonly appId: string; readonly certificatePath: string; readonly certificatePasswordEnv: string }
    | { readonly auth: "managedIdentity"; readonly managedIdentityAccountId?: string };

export type ExchangeConnectionConfig = ExchangeRun & ExchangeSignIn;

/** A value crossFieldRules.ts requires before this runs: its absence here is a defect of the rules, not of config. */
function proven<T>(value: T | undefined, key: string): T {
    if (value === undefined) {
        throw new Error(`exchange.${key} passed validation while missing; crossFieldRules.ts must require it`);
    }
    return value;
}

function signInFrom(block: ExchangeBlock): ExchangeSignIn {
    switch (block.auth) {
        case "interactive":
            return { auth: "interactive", disableWam: block.disableWam, ...(block.userPrincipalName ? { userPrincipalName: block.userPrincipalName } : {}) };
        case "certificate":
            return {
                auth: "certificate",
                appId: proven(block.appId, "appId"),
                certificatePath: proven(block.certificatePath, "certificatePath"),
                certificatePasswordEnv: block.certificatePasswordEnv,
            };
        case "managedIdentity":
            return { auth: "managedIdentity", ...(block.managedIdentityAccountId ? { managedIdentityAccountId: block.managedIdentityAccountId } : {}) };
    }
}

/** The Exchange connection of a validated block: only the keys its sign-in mode uses. */
export function exchangeConnectionFrom(block: ExchangeBlock, cloud: CloudName = defaults.cloud): ExchangeConnectionConfig {
    return {
        cloud,
        organization: proven(block.organization, "organization"),
        pwsh: block.pwsh,
        reconcile: block.reconcile,
        reconcileRun: block.reconcileRun,
        smtpAuthorization: block.smtpAuthorization,
        ...(block.adoptedGrants.length > 0 ? { adoptedGrants: block.adoptedGrants } : {}),
        ...(block.appRbacGroup !== undefined ? { appRbacGroup: block.appRbacGroup } : {}),
        ...signInFrom(block),
    };
}

function settingsFrom(input: StackConfigInput) {
    const exchangeConnection = exchangeNeeded(input) && input.exchange ? exchangeConnectionFrom(input.exchange, input.cloud) : undefined;
    const certificatePath = input.credential !== "secret" ? input.certificate?.publicCertPath : undefined;
    return {
        cloud: input.cloud,
        displayName: input.displayName,
        signInAudience: input.signInAudience,
        mailboxes: input.mailboxes,
        smtpAuth: input.smtpAuth,
        secretLifetimeDays: input.secretLifetimeDays,
        secretRotation: input.secretRotation,
        ...(input.secretRetiredThrough !== undefined ? { secretRetiredThrough: input.secretRetiredThrough } : {}),
        ...(input.legacySecretsRetired && input.legacySecretsRetired.length > 0 ? { legacySecretsRetired: input.legacySecretsRetired } : {}),
        secretWarnDays: input.secretWarnDays,
        secretHandoverDays: input.secretHandoverDays,
        credential: input.credential,
        protect: input.protect,
        enterpriseApplication: input.enterpriseApplication,
        // Optional settings are absent, not undefined, so types and plans read them the same way.
        ...(input.userSignIn ? { userSignIn: input.userSignIn } : {}),
        ...(exchangeConnection ? { exchange: exchangeConnection } : {}),
        ...(certificatePath !== undefined ? { certificatePath } : {}),
        ...(input.keyVault ? { keyVault: input.keyVault } : {}),
        ...(input.owners ? { owners: input.owners } : {}),
        ...(input.customerTenants ? { customerTenants: input.customerTenants } : {}),
        ...(input.providerApp ? { providerApp: input.providerApp } : {}),
    };
}

export const stackConfigSchema = stackConfigInput
    .superRefine((value, context) => crossFieldRules(value as Record<string, unknown>, context), { when: () => true })
    .transform(settingsFrom);

export type StackSettings = z.output<typeof stackConfigSchema>;
export type MailboxConfig = StackSettings["mailboxes"][number];
export type UserSignInConfig = NonNullable<StackSettings["userSignIn"]>;
export type KeyVaultConfig = NonNullable<StackSettings["keyVault"]>;
