/**
 * The retirement of a client secret the stack did not make (`legacySecretsRetired`): a secret made by hand by a
 * vendor guide, which `npm run adopt` lists as a legacy credential because it cannot be imported (no importer for
 * azuread_application_password at terraform-provider-azuread v3.8.0, and Graph never returns a secret's value).
 *
 * Why a dynamic resource: the azuread provider manages only passwords it made, so no provider resource can remove
 * this one; a one-off script would be a step outside the preview and the review. A small resource per key ID shows
 * in `pulumi preview`, in the review and the change review, and runs once, after the stack's own secrets exist (the
 * component makes it depend on them), so the mail client can move over before the update that retires.
 *
 * - create: Microsoft Graph `POST /applications/{id}/removePassword` with `{ keyId }` (204 No Content; Graph
 *   reference application-removepassword, https://learn.microsoft.com/graph/api/application-removepassword, needs
 *   Application.ReadWrite.OwnedBy or .All, as the deployer already has to manage the app). Idempotent: the app's
 *   `passwordCredentials` are read first and a key already gone is success (the page does not say what
 *   removePassword answers for an unknown key ID, so the resource does not rely on it).
 * - delete: nothing. A removed secret cannot come back: Graph returns a secret's value only when it is made, so
 *   dropping a key ID from the config, or destroying the stack, leaves it removed.
 * - check (preview and update): a key ID of one of the stack's own secrets is refused with the config key and the
 *   way the stack retires its own (`secretRetiredThrough`), before anything changes.
 *
 * Sign-in: the deployer's, as the azuread provider takes it (credentialPolicyRead.ts `deployerSignIn`). The tenant,
 * client ID and endpoints are plain inputs; the client secret is read in the provider from ARM_CLIENT_SECRET, and
 * only where the deployer signs in with `azuread:clientSecret` instead is it passed, as a Pulumi secret, and never
 * written to the outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import { CloudName } from "../../facts/clouds";
import { configNamespace } from "../../facts/project";
import { deployerSignIn } from "./credentialPolicyRead";
import { graphWriter } from "./graphWriter";

export interface LegacySecretRetirementInputs {
    /** The app registration's object ID (`/applications/{id}`). */
    applicationObjectId: string;
    keyId: string;
    /** The key IDs of the stack's own secrets (its slots); unknown before they exist. */
    stackSecretKeyIds: string[];
    tenantId: string;
    clientId: string;
    metadataHost?: string;
    cloud?: CloudName;
    /** Only when ARM_CLIENT_SECRET is not set (an `azuread:clientSecret` sign-in); a Pulumi secret. */
    clientSecret?: string;
}

/** Why a key ID cannot be retired here, or undefined. */
export function legacyKeyIdProblem(keyId: string, stackSecretKeyIds: unknown): string | undefined {
    const own = Array.isArray(stackSecretKeyIds) ? stackSecretKeyIds.map((id) => String(id).toLowerCase()) : [];
    return own.includes(keyId.toLowerCase())
        ? `${configNamespace}:legacySecretsRetired names ${keyId}, one of this stack's own client secrets: legacySecretsRetired retires only secrets made by hand; the stack retires its own previous secret with ${configNamespace}:secretRetiredThrough`
        : undefined;
}

/** What the state keeps: never the client secret. */
function outputsOf(inputs: LegacySecretRetirementInputs): Omit<LegacySecretRetirementInputs, "clientSecret"> {
    const kept: Partial<LegacySecretRetirementInputs> = { ...inputs };
    delete kept.clientSecret;
    return kept as Omit<LegacySecretRetirementInputs, "clientSecret">;
}

export const legacySecretRetirementProvider: pulumi.dynamic.ResourceProvider = {
    async check(_olds: unknown, news: LegacySecretRetirementInputs): Promise<pulumi.dynamic.CheckResult> {
        const problem = legacyKeyIdProblem(news.keyId, news.stackSecretKeyIds);
        return problem === undefined ? { inputs: news } : { failures: [{ property: "keyId", reason: problem }] };
    },
    async create(inputs: LegacySecretRetirementInputs): Promise<pulumi.dynamic.CreateResult> {
        const clientSecret = process.env.ARM_CLIENT_SECRET || inputs.clientSecret;
        if (!clientSecret)
            throw new Error(
                `${configNamespace}:legacySecretsRetired needs the deployer's client-secret sign-in (ARM_CLIENT_ID and ARM_CLIENT_SECRET) to remove ${inputs.keyId} through Microsoft Graph`,
            );
        const graph = await graphWriter({
            tenantId: inputs.tenantId,
            clientId: inputs.clientId,
            clientSecret,
            ...(inputs.metadataHost ? { metadataHost: inputs.metadataHost } : {}),
            ...(inputs.cloud ? { cloud: inputs.cloud } : {}),
        });
        const app = await graph.get(`applications/${inputs.applicationObjectId}?$select=id,passwordCredentials`);
        const present = ((app.passwordCredentials as { keyId?: string }[] | undefined) ?? []).some(
            (credential) => String(credential.keyId).toLowerCase() === inputs.keyId.toLowerCase(),
        );
        if (present) await graph.post(`applications/${inputs.applicationObjectId}/removePassword`, { keyId: inputs.keyId });
        return { id: `legacy-secret-${inputs.keyId}`, outs: outputsOf(inputs) };
    },
    async diff(_id: string, olds: LegacySecretRetirementInputs, news: LegacySecretRetirementInputs): Promise<pulumi.dynamic.DiffResult> {
        // Another app or key is another retirement; a new sign-in or a rotation of the stack's secrets changes nothing.
        const replaces = (["applicationObjectId", "keyId"] as const).filter((key) => olds[key] !== news[key]);
        return { changes: replaces.length > 0, replaces: [...replaces] };
    },
    // Nothing to undo: a removed secret cannot come back.
    async delete(): Promise<void> {},
};

/**
 * The sign-in inputs from the environment and the stack's `azuread:*` config, as deployerSignIn takes them;
 * undefined without a client secret (an Azure CLI sign-in), which the retirement cannot use.
 */
export function retirementSignIn(cloud: CloudName | undefined): pulumi.Inputs | undefined {
    const azuread = new pulumi.Config("azuread");
    const fromConfig = azuread.getSecret("clientSecret");
    const signIn = deployerSignIn(process.env, {
        tenantId: azuread.get("tenantId"),
        clientId: azuread.get("clientId"),
        // Only whether there is one: its value goes to the provider as a secret input below, never in plain text.
        clientSecret: fromConfig ? "(config)" : undefined,
        metadataHost: azuread.get("metadataHost"),
    });
    if (!signIn) return undefined;
    return {
        tenantId: signIn.tenantId,
        clientId: signIn.clientId,
        ...(signIn.metadataHost ? { metadataHost: signIn.metadataHost } : {}),
        ...(cloud ? { cloud } : {}),
        ...(process.env.ARM_CLIENT_SECRET ? {} : { clientSecret: pulumi.secret(fromConfig!) }),
    };
}

export class LegacySecretRetirement extends pulumi.dynamic.Resource {
    constructor(name: string, args: pulumi.Inputs, opts?: pulumi.CustomResourceOptions) {
        super(legacySecretRetirementProvider, name, args, opts, configNamespace, "LegacySecretRetirement");
    }
}
