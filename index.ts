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
import { StackOutputName, StackOutputs } from "./plan/stackOutputs";
import { DestroyGuard } from "./components/destroyGuard";
import { ExchangeMailboxAccess } from "./components/exchangeMailboxAccess/exchangeMailboxAccess";
import { KeyVaultSecretDelivery } from "./components/keyVaultDelivery/keyVaultSecretDelivery";
import { ownApp, providerAppInThisTenant, providerStack } from "./components/entraApplication/mailApp";
import { customerConsentUrls } from "./plan/multiTenant";

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
    // The tenant and the deploying identity come from the azuread provider's own configuration.
    const client = azuread.getClientConfigOutput();
    const app = settings.providerApp
        ? await providerAppInThisTenant(settings, settings.providerApp)
        : await ownApp(settings, access, certificate, client.objectId);

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
              { dependsOn: app.consent },
          )
        : undefined;

    const vault =
        settings.keyVault && app.secret.value && app.secret.expiresAt
            ? new KeyVaultSecretDelivery("client-secret", {
                  vault: settings.keyVault,
                  secretValue: app.secret.value,
                  expiresAt: app.secret.expiresAt,
                  tenantId: client.tenantId,
                  clientId: app.clientId,
              })
            : undefined;

    // protect: true stops `pulumi destroy` before it deletes anything, without blocking the updates that must replace
    // or delete resources (a rotation, a dropped protocol, a renewed certificate): see components/destroyGuard.ts.
    if (settings.protect) {
        new DestroyGuard("destroy-guard", { dependsOn: [app.component, ...(exchange ? [exchange] : []), ...(vault ? [vault] : [])] });
    }

    const forClient = client.tenantId.apply((tenant) =>
        clientSettings(access, tenant, settings.signInAudience, settings.userSignIn?.protocols, settings.cloud),
    );

    // Every output named, each either given or left out (undefined) for this config.
    const outputs: { [Name in StackOutputName]: pulumi.Input<StackOutputs[Name]> | undefined } = {
        tenantId: client.tenantId,
        clientId: app.clientId,
        servicePrincipalObjectId: app.servicePrincipalObjectId,
        clientSecret: app.secret.value ? pulumi.secret(app.secret.value) : undefined,
        clientSecretKeyId: app.secret.keyId,
        clientSecretExpiresAt: app.secret.expiresAt,
        previousClientSecretKeyId: app.secret.previousKeyId,
        previousClientSecretExpiresAt: app.secret.previousExpiresAt,
        secretRotation: app.secretRotation,
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
        customerProtocols: settings.customerTenants?.protocols,
        adminConsentUrls: settings.customerTenants
            ? app.clientId.apply((clientId) => customerConsentUrls(settings.customerTenants!, clientId, settings.cloud))
            : undefined,
        providerStack: settings.providerApp ? providerStack(settings.providerApp.stack) : undefined,
    };
    // Outputs that do not apply to this config are left out rather than shown empty.
    return Object.fromEntries(Object.entries(outputs).filter(([, value]) => value !== undefined));
};
