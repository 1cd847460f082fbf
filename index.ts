/**
 * m365-mail-oauth: one stack per environment. Reads and validates the config once, decides the access and the
 * secret rotation, declares the Entra ID, Exchange Online and Key Vault components, and returns what the mail
 * client needs as stack outputs.
 */
import * as azuread from "@pulumi/azuread";
import * as pulumi from "@pulumi/pulumi";
import { planAccess } from "./plan/accessPlan";
import { clientSettings } from "./plan/clientSettings";
import { EntraMailApplication } from "./resources/entraMailApplication";
import { ExchangeMailboxAccess } from "./resources/exchangeMailboxAccess";
import { KeyVaultSecretDelivery } from "./resources/keyVaultSecretDelivery";
import { findExecutable, missingPwshMessage } from "./exchange/preflight";
import { readPreviousOutputs } from "./resources/previousOutputs";
import { readStackConfig } from "./config/readStackConfig";
import { decideSecretSlots, expiryNotice, readSecretSlots } from "./plan/secretRotation";

export = async () => {
    const { settings, certificatePassword, certificate } = readStackConfig();
    const plan = planAccess(settings);

    // Preview needs no PowerShell (nothing runs); an update that reaches the Exchange step does.
    if (settings.exchange && !pulumi.runtime.isDryRun() && findExecutable(settings.exchange.pwsh) === undefined) {
        throw new pulumi.RunError(missingPwshMessage(settings.exchange.pwsh));
    }

    const previous = await readPreviousOutputs();
    const previousSlots = readSecretSlots(previous.secretSlots);
    const secretSlots = settings.credential === "certificate" ? undefined : decideSecretSlots(previousSlots, settings.secretRotation);
    const rotatingNow = secretSlots !== undefined && secretSlots !== previousSlots;
    const notice = expiryNotice(previous.clientSecretExpiresAt, new Date(), settings.secretWarnDays, rotatingNow, pulumi.getStack());
    if (notice?.level === "error") {
        throw new pulumi.RunError(notice.message);
    }
    if (notice) {
        pulumi.log.warn(notice.message);
    }

    // The tenant and the deploying identity come from the azuread provider's own configuration.
    const client = azuread.getClientConfigOutput();

    const app = new EntraMailApplication("mail-app", {
        displayName: settings.displayName,
        signInAudience: settings.signInAudience,
        plan,
        secretLifetimeDays: settings.secretLifetimeDays,
        secretSlots,
        certificate,
        ownerObjectId: client.objectId,
        protect: settings.protect,
    });

    const exchange = settings.exchange
        ? new ExchangeMailboxAccess(
              "exchange",
              {
                  plan,
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

    const current = app.current?.password;
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

    const forClient = client.tenantId.apply((tenant) => clientSettings(plan, tenant, settings.signInAudience, settings.userSignIn?.protocols));

    const outputs = {
        tenantId: client.tenantId,
        clientId: app.clientId,
        servicePrincipalObjectId: app.servicePrincipalObjectId,
        clientSecret: current ? pulumi.secret(current.value) : undefined,
        clientSecretKeyId: current?.keyId,
        clientSecretExpiresAt: current?.endDate,
        previousClientSecretKeyId: app.previous?.password.keyId,
        previousClientSecretExpiresAt: app.previous?.password.endDate,
        secretRotation: secretSlots ? secretSlots[secretSlots.current] : undefined,
        // Read back by the next update (previousOutputs.ts): which rotation label each slot holds.
        secretSlots,
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
    };
    // Outputs that do not apply to this config are left out rather than shown empty.
    return Object.fromEntries(Object.entries(outputs).filter(([, value]) => value !== undefined));
};
