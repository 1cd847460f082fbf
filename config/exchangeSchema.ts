/**
 * The `exchange` block as a stack file gives it: how the Exchange Online step signs in and runs. Each key is
 * documented where it is declared; which keys a sign-in mode needs is checked by crossFieldRules.ts, and
 * settings.ts narrows the block to the mode's own keys.
 */
import { z } from "zod";
import { defaults, exchangeAuthModes, exchangeReconcileModes, smtpAuthorizationModes } from "./choices";
import { envVarNamePattern, guidPattern, isDomainName, isMailAddress, labelPattern, rbacGroupNamePattern, show } from "./formats";
import { checked, documented, enumOf, nonEmptyString, patterned, says, strictObject } from "./schemaHelpers";

export const organizationMissing =
    "missing; the Exchange Online step (mailbox grants, SMTP AUTH) needs the tenant's organization, e.g. contoso.onmicrosoft.com";

export const exchangeBlock = strictObject(
    {
        organization: documented(
            "exchange.organization",
            "domain",
            "required with mailboxes",
            "The tenant's `*.onmicrosoft.com` domain for `Connect-ExchangeOnline`.",
            checked(isDomainName, "a domain name such as contoso.onmicrosoft.com", organizationMissing).optional(),
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
            patterned(guidPattern, "an application (client) ID GUID").optional(),
        ),
        certificatePath: documented("exchange.certificatePath", "path", "–", "`certificate`: the PFX file (never committed).", nonEmptyString().optional()),
        certificatePasswordEnv: documented(
            "exchange.certificatePasswordEnv",
            "env var name",
            "`M365_EXO_CERTIFICATE_PASSWORD`",
            "`certificate`: environment variable holding the PFX password.",
            patterned(envVarNamePattern, "an environment variable name").default(defaults.certificatePasswordEnv),
        ),
        managedIdentityAccountId: documented(
            "exchange.managedIdentityAccountId",
            "GUID",
            "–",
            "`managedIdentity`: client ID of a user-assigned identity.",
            patterned(guidPattern, "a client ID GUID of a user-assigned managed identity").optional(),
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
            patterned(rbacGroupNamePattern, "a group name of letters, digits and . _ - (at most 64)").optional(),
        ),
        adoptedGrants: documented(
            "exchange.adoptedGrants",
            "list of addresses",
            "`[]`",
            "Mailboxes whose FullAccess and SendAs, already held by the app when the Exchange step reads them, count as the stack's from then on, so a destroy (or the mailbox leaving the config) removes them; written by `npm run adopt -- --take-ownership`, see [Adopting a setup made by hand](adopt.md). Unset, such grants stay untouched forever.",
            z
                .array(
                    checked(isMailAddress, "an e-mail address", "missing; give a mailbox's e-mail address"),
                    says(undefined, (value) => `${show(value)} must be a list of e-mail addresses`),
                )
                // Exchange compares addresses without regard to case.
                .transform((addresses) => [...new Set(addresses.map((address) => address.toLowerCase()))].sort())
                .default([]),
        ),
        reconcileRun: documented(
            "exchange.reconcileRun",
            "label",
            "empty",
            "Changing it makes the next update read and repair every mailbox once (also: retry after a failed run with unchanged config).",
            patterned(labelPattern, "a label of letters, digits and . _ : - (at most 64)").default(""),
        ),
    },
    "{ organization, auth, ... }",
);

/** The exchange block's keys, each of which the config table (docs/configuration.md) documents. */
export const exchangeKeys = Object.keys(exchangeBlock.shape);

export type ExchangeBlock = z.output<typeof exchangeBlock>;
