/**
 * Optional delivery of the current client secret to Azure Key Vault, for mail clients (or their operators) that
 * read credentials from a vault instead of a stack output. A rotation writes the new value as a new version of
 * the same vault secret in the same update, so a reader of the vault never holds a retired secret.
 */
import * as keyvault from "@pulumi/azure-native/keyvault";
import { Provider as AzureNativeProvider } from "@pulumi/azure-native/provider";
import * as pulumi from "@pulumi/pulumi";
import { KeyVaultConfig } from "../../config/settings";
import { componentTypes, configNamespace } from "../../facts/project";

export interface KeyVaultSecretDeliveryArgs {
    vault: KeyVaultConfig;
    secretValue: pulumi.Output<string>;
    /** RFC 3339; becomes the vault secret's `expires` attribute. */
    expiresAt: pulumi.Input<string>;
    tenantId: pulumi.Input<string>;
    clientId: pulumi.Input<string>;
}

export const keyVaultContentType = `application/vnd.${configNamespace}.client-secret`;

/** Key Vault keeps dates as seconds since 1970. */
export function epochSeconds(rfc3339: string): number {
    return Math.floor(Date.parse(rfc3339) / 1000);
}

export class KeyVaultSecretDelivery extends pulumi.ComponentResource {
    public readonly secret: keyvault.Secret;
    /** The vault secret's URI without a version: always the current value. */
    public readonly secretUri: pulumi.Output<string>;

    constructor(name: string, args: KeyVaultSecretDeliveryArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentTypes.secretDelivery, name, {}, opts);
        // The vault's subscription from config when given; otherwise the azure-native provider's own
        // (azure-native:subscriptionId or ARM_SUBSCRIPTION_ID).
        const provider = args.vault.subscriptionId
            ? new AzureNativeProvider(`${name}-subscription`, { subscriptionId: args.vault.subscriptionId }, { parent: this })
            : undefined;
        this.secret = new keyvault.Secret(
            name,
            {
                resourceGroupName: args.vault.resourceGroupName,
                vaultName: args.vault.vaultName,
                secretName: args.vault.secretName,
                properties: {
                    value: pulumi.secret(args.secretValue),
                    contentType: keyVaultContentType,
                    attributes: { enabled: true, expires: pulumi.output(args.expiresAt).apply(epochSeconds) },
                },
                tags: { tenantId: args.tenantId, clientId: args.clientId, managedBy: configNamespace },
            },
            { parent: this, provider },
        );
        this.secretUri = this.secret.properties.apply((properties) => properties.secretUri);
        this.registerOutputs({ secretUri: this.secretUri });
    }
}
