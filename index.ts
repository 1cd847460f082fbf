/**
 * m365-mail-oauth: one stack per environment. Reads and validates the config once, decides the access and the
 * secret slots, declares the Entra ID, Exchange Online and Key Vault components, and returns what the mail client
 * needs as stack outputs.
 */
import * as azuread from "@pulumi/azuread";
import * as pulumi from "@pulumi/pulumi";
import { readStackConfig } from "./config/readStackConfig";
import { findExecutable, missingPwshMessage, noHeadlessSignInMessage } from "./components/exchangeMailboxAccess/preflight";
import { planAccess } from "./plan/accessPlan";
import { clientSettings } from "./plan/clientSettings";
import { expiryNotice, secretSlots } from "./plan/secretRotation";
import { StackOutputName, StackOutputs } from "./plan/stackOutputs";
import { DestroyGuard } from "./components/destroyGuard";
import { checkCredentialPolicy } from "./components/entraApplication/credentialPolicyCheck";
import { EntraMailApplication } from "./components/entraApplication/entraMailApplication";
import { ExchangeMailboxAccess } from "./components/exchangeMailboxAccess/exchangeMailboxAccess";
import { KeyVaultSecretDelivery } from "./components/keyVaultDelivery/keyVaultSecretDelivery";
import { retirementSignIn } from "./components/entraApplication/legacySecretRetirement";
import { configNamespace, mailApplicationName, mockEngineVariable } from "./facts/project";

export = async () => {
    const { settings, certificatePassword, certificate } = readStackConfig();
    const access = planAccess(settings);

    // Preview needs no PowerShell (nothing runs); an update that reaches the Exchange step does, and in CI nobody
    // can complete an interactive sign-in.
    if (settings.exchange && !pulumi.runtime.isDryRun()) {
        if (findExecutable(settings.exchange.pwsh) === undefined) {
            throw new pulumi.RunError(missingPwshMessage(settings.exchange.pwsh));
        }
        if (settings.exchange.auth === "interactive" && process.env.CI === "true") {
            throw new pulumi.RunError(noHeadlessSignInMessage());
        }
    }
    // The tenant's credential policy, read before anything is declared: a secret it forbids fails the preview with
    // the fix instead of failing `pulumi up` at addPassword (why the program reads Graph: credentialPolicyCheck.ts).
    await checkCredentialPolicy(settings);
    // The tenant and the deploying identity come from the azuread provider's own configuration.
    const client = azuread.getClientConfigOutput();
    const slots = settings.credential === "certificate" ? undefined : secretSlots(settings.secretRotation, settings.secretRetiredThrough);

    // Hand-made secrets to retire (legacySecretsRetired) are removed with the deployer's own Graph sign-in.
    const legacySignIn = settings.legacySecretsRetired ? retirementSignIn(settings.cloud) : undefined;
    if (settings.legacySecretsRetired && !legacySignIn && process.env[mockEngineVariable] !== "1") {
        throw new pulumi.RunError(
            `${configNamespace}:legacySecretsRetired removes secrets through Microsoft Graph with the deployer's client-secret sign-in: set ARM_TENANT_ID, ARM_CLIENT_ID and ARM_CLIENT_SECRET (or azuread:tenantId, azuread:clientId, azuread:clientSecret); nothing was changed`,
        );
    }
    const app = new EntraMailApplication(mailApplicationName, {
        displayName: settings.displayName,
        signInAudience: settings.signInAudience,
        access,
        secretLifetimeDays: settings.secretLifetimeDays,
        secretSlots: slots,
        certificate,
        // Under the mock engine (tests, the offline review) nothing signs in: placeholders that never reach Graph.
        ...(settings.legacySecretsRetired
            ? { legacySecrets: { keyIds: settings.legacySecretsRetired, signIn: legacySignIn ?? { tenantId: "mock", clientId: "mock" } } }
            : {}),
        owners: settings.owners,
        enterpriseApplication: settings.enterpriseApplication,
        deployerObjectId: client.objectId,
        protect: settings.protect,
    });

    // The current secret's end date comes from the secret itself: known in a preview once the secret exists. The
    // check is part of an output the engine waits for, so an expired secret fails the preview and the update.
    const current = app.current?.password;
    const currentExpiresAt = current?.endDate.apply((expiresAt) => {
        const notice = expiryNotice(expiresAt, new Date(), settings.secretWarnDays, settings.secretRotation, pulumi.getStack());
        if (notice?.level === "error") {
            throw new pulumi.ResourceError(notice.message, current);
        }
        if (notice) {
            pulumi.log.warn(notice.message, current);
        }
        return expiresAt;
    });

    const exchange = settings.exchange
        ? new ExchangeMailboxAccess(
              "exchange",
              {
                  access,
                  connection: settings.exchange,
                  tenantId: client.tenantId,
                  appId: app.clientId,
                  servicePrincipalObjectId: app.servicePrincipalObjectId,
                  displayName: settings.displayName,
                  certificatePassword: settings.exchange.auth === "certificate" ? certificatePassword : undefined,
              },
              // Grants are made once consent exists, and revoked before the consent and the app go.
              { dependsOn: app.appRoleAssignments },
          )
        : undefined;

    const vault =
        settings.keyVault && current
            ? new KeyVaultSecretDelivery("client-secret", {
                  vault: settings.keyVault,
                  secretValue: current.value,
                  expiresAt: current.endDate,
                  tenantId: client.tenantId,
                  clientId: app.clientId,
              })
            : undefined;

    // protect: true stops `pulumi destroy` before it deletes anything, without blocking the updates that must replace
    // or delete resources (a rotation, a dropped protocol, a renewed certificate): see components/destroyGuard.ts.
    if (settings.protect) {
        new DestroyGuard("destroy-guard", { dependsOn: [app, ...(exchange ? [exchange] : []), ...(vault ? [vault] : [])] });
    }

    const forClient = client.tenantId.apply((tenant) =>
        clientSettings(access, tenant, settings.signInAudience, settings.userSignIn?.protocols, settings.cloud),
    );

    // Every output named, each either given or left out (undefined) for this config.
    const outputs: { [Name in StackOutputName]: pulumi.Input<StackOutputs[Name]> | undefined } = {
        tenantId: client.tenantId,
        clientId: app.clientId,
        servicePrincipalObjectId: app.servicePrincipalObjectId,
        clientSecret: current ? pulumi.secret(current.value) : undefined,
        clientSecretKeyId: current?.keyId,
        clientSecretExpiresAt: currentExpiresAt,
        previousClientSecretKeyId: app.previous?.password.keyId,
        previousClientSecretExpiresAt: app.previous?.password.endDate,
        secretRotation: slots ? settings.secretRotation : undefined,
        certificateThumbprint: certificate?.thumbprint,
        certificateExpiresAt: certificate?.endDate,
        keyVaultSecretUri: vault?.secretUri,
        tokenUrl: forClient.tokenUrl,
        scope: forClient.scope,
        imap: forClient.imap,
        pop: forClient.pop,
        smtp: forClient.smtp,
        mailboxes: forClient.mailboxes,
        userSignIn: settings.userSignIn ? forClient.userSignIn : undefined,
        exchangeMailboxesGranted: exchange ? exchange.mailboxesGranted : [],
        // How SMTP sending is authorised, for the mail client's admin and for `npm run verify --stack`.
        smtpAuthorization: access.mailboxes.some((mailbox) => mailbox.protocols.includes("smtp")) ? access.smtpAuthorization : undefined,
        appRbacGroup: access.appRbac.wanted ? access.appRbac.group : undefined,
    };
    // Outputs that do not apply to this config are left out rather than shown empty.
    return Object.fromEntries(Object.entries(outputs).filter(([, value]) => value !== undefined));
};
