/**
 * The program's check of the tenant's credential policy, before anything is declared (issue #29): Microsoft Graph
 * refuses a secret the policy forbids only at `addPassword`, after the app exists, halfway through `pulumi up`.
 *
 * Why the program reads Graph itself: no azuread provider function reads app management policies, so a provider
 * invoke cannot give the preview the policy; the program signs in as the provider does (ARM_* or `azuread:*`, a
 * client secret) and reads with Policy.Read.All. A policy it cannot read (no such permission, an Azure CLI sign-in,
 * no network) warns and does not block: the update then meets Graph's own refusal, which `npm run repair --
 * --explain` explains (the fixes live with verify's diagnosis, tools/verify/diagnosis.ts). Nothing is read when the config asks for nothing a policy
 * restricts (a certificate only, a single-tenant app), nor under the project's mock engine (tests, offline review).
 */
import { CloudName } from "../../facts/clouds";
import * as pulumi from "@pulumi/pulumi";
import { CredentialConfig, credentialPolicyFindings, secretRules } from "../../plan/credentialPolicy";
import { CredentialPolicyRead, deployerSignIn, readCredentialPolicy } from "./credentialPolicyRead";
import { graphReader } from "./graphReader";
import { mockEngineVariable } from "../../facts/project";

const notChecked = "the tenant's credential policy was not checked before the update";

/** A secret config value as a string, or undefined: config secrets are known in a preview, so this resolves. */
function secretConfig(config: pulumi.Config, key: string): Promise<string | undefined> {
    const value = config.getSecret(key);
    return value ? new Promise((resolve) => value.apply((text) => resolve(text))) : Promise.resolve(undefined);
}

/** Throws a RunError naming each config key the policy forbids; warns where the policy cannot be read. */
export async function checkCredentialPolicy(settings: CredentialConfig & { displayName: string; cloud?: CloudName }, now = new Date()): Promise<void> {
    if (settings.credential === "certificate" && settings.signInAudience === "AzureADMyOrg") return;
    if (process.env[mockEngineVariable] === "1") return;
    const azuread = new pulumi.Config("azuread");
    const signIn = deployerSignIn(process.env, {
        tenantId: azuread.get("tenantId"),
        clientId: azuread.get("clientId"),
        clientSecret: await secretConfig(azuread, "clientSecret"),
        metadataHost: azuread.get("metadataHost"),
    });
    if (!signIn) {
        pulumi.log.info(`${notChecked}: the deployer signs in without a client secret (ARM_CLIENT_SECRET); see docs/credential-policies.md.`);
        return;
    }
    let read: CredentialPolicyRead;
    try {
        read = await readCredentialPolicy(await graphReader({ ...signIn, ...(settings.cloud ? { cloud: settings.cloud } : {}) }), settings.displayName);
    } catch (error) {
        read = { unreadable: `signing in to Microsoft Graph failed: ${(error as Error).message}` };
    }
    if ("unreadable" in read) {
        pulumi.log.warn(`${notChecked}: ${read.unreadable}. A secret the policy forbids fails at creation; see docs/credential-policies.md.`);
        return;
    }
    // The clock decides only which restrictions apply to a new app (restrictForAppsCreatedAfterDateTime).
    const findings = credentialPolicyFindings(secretRules(read.facts, now), settings);
    if (findings.length > 0) {
        throw new pulumi.RunError(
            `The tenant's credential policy forbids what this stack would create; nothing was created:\n${findings.map((f) => `  ${f.message}`).join("\n")}`,
        );
    }
}
