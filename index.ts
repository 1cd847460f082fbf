/**
 * m365-mail-oauth: one stack per environment. Reads and validates the config once, decides the access,
 * declares the Entra ID and Exchange Online components, and exports what the mail client needs.
 */
import * as azuread from "@pulumi/azuread";
import * as pulumi from "@pulumi/pulumi";
import { planAccess } from "./components/accessPlan";
import { clientSettings } from "./components/clientSettings";
import { EntraMailApplication } from "./components/entraMailApplication";
import { ExchangeMailboxAccess } from "./components/exchangeMailboxAccess";
import { findExecutable, missingPwshMessage } from "./components/preflight";
import { readStackConfig } from "./components/readStackConfig";

const { settings, certificatePassword } = readStackConfig();
const plan = planAccess(settings);

// Preview needs no PowerShell (nothing runs); an update that reaches the Exchange step does.
if (settings.exchange && !pulumi.runtime.isDryRun() && findExecutable(settings.exchange.pwsh) === undefined) {
    throw new pulumi.RunError(missingPwshMessage(settings.exchange.pwsh));
}

// The tenant and the deploying identity come from the azuread provider's own configuration.
const client = azuread.getClientConfigOutput();

const app = new EntraMailApplication("mail-app", {
    displayName: settings.displayName,
    signInAudience: settings.signInAudience,
    plan,
    secretLifetimeDays: settings.secretLifetimeDays,
    secretRotation: "initial",
    ownerObjectId: client.objectId,
});

const exchange = settings.exchange
    ? new ExchangeMailboxAccess(
          "exchange",
          {
              plan,
              connection: settings.exchange,
              appId: app.clientId,
              servicePrincipalObjectId: app.servicePrincipalObjectId,
              displayName: settings.displayName,
              certificatePassword: settings.exchange.auth === "certificate" ? certificatePassword : undefined,
          },
          // Grants are made once consent exists, and revoked before the consent and the app go.
          { dependsOn: app.appRoleAssignments },
      )
    : undefined;

const settingsForClient = client.tenantId.apply((tenant) =>
    clientSettings(plan, tenant, settings.signInAudience, settings.userSignIn?.protocols),
);

export const tenantId = client.tenantId;
export const clientId = app.clientId;
export const servicePrincipalObjectId = app.servicePrincipalObjectId;
export const clientSecret = app.clientSecretValue;
export const clientSecretKeyId = app.clientSecretKeyId;
export const clientSecretExpiresAt = app.clientSecretExpiresAt;
export const tokenUrl = settingsForClient.tokenUrl;
export const scope = settingsForClient.scope;
export const imap = settingsForClient.imap;
export const pop = settingsForClient.pop;
export const smtp = settingsForClient.smtp;
export const mailboxes = settingsForClient.mailboxes;
export const userSignIn = settings.userSignIn ? settingsForClient.userSignIn : undefined;
export const exchangeMailboxesGranted = exchange ? exchange.mailboxesGranted : pulumi.output<string[]>([]);
