/**
 * The KeyVaultSecretDelivery component on its own under Pulumi's mocks: one vault secret, its child, holding the
 * current client secret as a secret with the secret's own end date; an explicit provider only when the config
 * names a subscription.
 */
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { resolve } from "../../../tools/mockEngine";
import { plainInput, secretInput } from "../secretInput";
import { epochSeconds, keyVaultContentType, KeyVaultSecretDelivery } from "../../../components/keyVaultDelivery/keyVaultSecretDelivery";
import { componentTypes, configNamespace, resourceTypes } from "../../../facts/project";

describe("KeyVaultSecretDelivery, on its own under mocks", () => {
    const declared: pulumi.runtime.MockResourceArgs[] = [];
    const vault = { resourceGroupName: "rg-mail", vaultName: "kv-mail", secretName: "mail-client-secret" };

    before(async () => {
        await pulumi.runtime.setMocks(
            {
                newResource(args) {
                    declared.push(args);
                    // The value makes the whole properties block a secret; the provider answers with it plain.
                    const given = plainInput(args.inputs.properties);
                    const properties = {
                        ...(given ?? {}),
                        secretUri: `https://${args.inputs.vaultName}.vault.azure.net/secrets/${args.inputs.secretName}`,
                    };
                    return { id: `${args.name}-id`, state: { ...args.inputs, properties } };
                },
                call(args) {
                    throw new Error(`unexpected call ${args.token}`);
                },
            },
            configNamespace,
            "component",
            false,
        );
    });

    it("writes the current secret, as a secret, with its end date, into the configured vault as its child", async () => {
        const delivery = new KeyVaultSecretDelivery("unit", {
            vault,
            secretValue: pulumi.secret("s3cret~value"),
            expiresAt: "2027-05-21T08:00:00Z",
            tenantId: "tenant",
            clientId: "client",
        });
        assert.ok((await resolve(delivery.secret.urn)).value.includes(`${componentTypes.secretDelivery}$`), "the vault secret is the component's child");
        const secrets = declared.filter((r) => r.type === resourceTypes.keyVaultSecret);
        assert.strictEqual(secrets.length, 1);
        const [inputs] = secrets.map((r) => r.inputs);
        assert.deepStrictEqual([inputs.resourceGroupName, inputs.vaultName, inputs.secretName], ["rg-mail", "kv-mail", "mail-client-secret"]);
        // The value makes the whole properties block a secret in what the engine receives (and stores).
        const properties = secretInput(inputs.properties) as Record<string, any>;
        assert.strictEqual(properties.value, "s3cret~value");
        assert.strictEqual(properties.contentType, keyVaultContentType);
        assert.strictEqual(properties.attributes.expires, epochSeconds("2027-05-21T08:00:00Z"));
        assert.deepStrictEqual(inputs.tags, { tenantId: "tenant", clientId: "client", managedBy: configNamespace });
        assert.strictEqual(declared.filter((r) => r.type === "pulumi:providers:azure-native").length, 0, "no subscription given, no provider of its own");
        assert.strictEqual((await resolve(delivery.secretUri)).value, "https://kv-mail.vault.azure.net/secrets/mail-client-secret");
    });

    it("uses a provider of its own for the configured subscription", async () => {
        const subscriptionId = "5ab5c71b-0000-4000-8000-000000000001";
        new KeyVaultSecretDelivery("other", {
            vault: { ...vault, subscriptionId },
            secretValue: pulumi.secret("x"),
            expiresAt: "2027-05-21T08:00:00Z",
            tenantId: "tenant",
            clientId: "client",
        });
        await new Promise((done) => setTimeout(done, 50));
        const providers = declared.filter((r) => r.type === "pulumi:providers:azure-native");
        assert.deepStrictEqual(
            providers.map((r) => [r.name, r.inputs.subscriptionId]),
            [["other-subscription", subscriptionId]],
        );
    });
});
