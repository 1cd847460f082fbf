/**
 * The project's own credential resources (rotation guard, secret expiry, destroy guard) under the real Pulumi
 * engine, wired as the program wires them. The azuread provider cannot be built here (tools/engine/README.md), so
 * the application and each ApplicationPassword are small dynamic resources over the stand-in Entra ID's Graph
 * (test/fixtures/entra), making the provider's calls (terraform-provider-azuread v3.8.0: the app and its service principal,
 * addPassword and removePassword), and replacing on exactly the inputs facts/replacement.ts records as ForceNew for
 * them. What the engine does with unknowns, replaces, protect and dependencies is the real engine's; what a secret
 * can sign in to is the stand-in's. The stand-in is named by M365_STANDIN_* variables (the test sets them).
 */
import * as pulumi from "@pulumi/pulumi";
import { replacingInputs } from "../../../../facts/replacement";
import { resourceTypes } from "../../../../facts/project";
import { secretSlots } from "../../../../plan/secretRotation";
import { SecretExpiry } from "../../../../components/entraApplication/secretExpiry";
import { SecretRotationGuard } from "../../../../components/entraApplication/secretRotationGuard";
import { DestroyGuard } from "../../../../components/destroyGuard";
import { secretDisplayName } from "../../../../components/entraApplication/entraMailApplication";

const config = new pulumi.Config();
const rotation = Number(config.require("rotation"));
const lifetimeDays = Number(config.require("lifetimeDays"));
const protect = config.getBoolean("protect") ?? false;

/**
 * One Graph call as the deployer, as the provider signs in (client secret, then a bearer token). Runs inside the
 * dynamic-provider plugin, which inherits the CLI's environment (the stand-in's address and NODE_EXTRA_CA_CERTS).
 */
async function graph(method: string, path: string, body?: unknown): Promise<any> {
    const env = process.env;
    const form = new URLSearchParams({
        client_id: env.M365_STANDIN_CLIENT_ID ?? "",
        client_secret: env.M365_STANDIN_CLIENT_SECRET ?? "",
        grant_type: "client_credentials",
        scope: `${env.M365_STANDIN_GRAPH_RESOURCE}/.default`,
    });
    const token = (await (await fetch(env.M365_STANDIN_TOKEN_URL ?? "", { method: "POST", body: form })).json()) as { access_token: string };
    const answer = await fetch(`${env.M365_STANDIN_GRAPH_RESOURCE}/v1.0/${path}`, {
        method,
        headers: { authorization: `Bearer ${token.access_token}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await answer.text();
    if (!answer.ok) throw new Error(`${method} ${path}: ${answer.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
}

/** Replaced when one of that azuread type's ForceNew inputs changes, as the provider's diff says. */
function diffLike(type: string) {
    const forceNew = replacingInputs[type];
    return async (_id: string, olds: any, news: any) => {
        const changed = Object.keys({ ...olds, ...news }).filter(
            (key) => key !== "__provider" && key in news && JSON.stringify(olds[key]) !== JSON.stringify(news[key]),
        );
        return { changes: changed.length > 0, replaces: changed.filter((key) => forceNew.includes(key)) };
    };
}

const applicationProvider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: any) {
        const app = await graph("POST", "applications", { displayName: inputs.displayName, signInAudience: "AzureADMyOrg" });
        await graph("POST", "servicePrincipals", { appId: app.appId });
        return { id: app.id, outs: { ...inputs, clientId: app.appId } };
    },
    diff: diffLike(resourceTypes.application),
    async update(id: string, olds: any, news: any) {
        await graph("PATCH", `applications/${id}`, { displayName: news.displayName });
        return { outs: { ...news, clientId: olds.clientId } };
    },
    async delete(id: string) {
        await graph("DELETE", `applications/${id}`);
    },
};

const passwordProvider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: any) {
        const credential = await graph("POST", `applications/${inputs.applicationId}/addPassword`, {
            passwordCredential: { displayName: inputs.displayName, endDateTime: inputs.endDate },
        });
        return { id: credential.keyId, outs: { ...inputs, keyId: credential.keyId, value: credential.secretText } };
    },
    diff: diffLike(resourceTypes.password),
    async delete(_id: string, olds: any) {
        await graph("POST", `applications/${olds.applicationId}/removePassword`, { keyId: olds.keyId });
    },
};

class StandInApplication extends pulumi.dynamic.Resource {
    declare public readonly clientId: pulumi.Output<string>;
    constructor(name: string, args: { displayName: string }, opts?: pulumi.CustomResourceOptions) {
        super(applicationProvider, name, { ...args, clientId: undefined }, opts, "standin", "Application");
    }
}

class StandInPassword extends pulumi.dynamic.Resource {
    declare public readonly endDate: pulumi.Output<string>;
    declare public readonly value: pulumi.Output<string>;
    constructor(name: string, args: Record<string, pulumi.Input<any>>, opts?: pulumi.CustomResourceOptions) {
        // The secret's text is a secret output, as azuread's ApplicationPassword `value` is.
        super(
            passwordProvider,
            name,
            { ...args, keyId: undefined, value: undefined },
            { ...opts, additionalSecretOutputs: ["value"] },
            "standin",
            "ApplicationPassword",
        );
    }
}

const app = new StandInApplication("mail-app", { displayName: config.get("displayName") ?? "Mail OAuth (e2e)" }, { protect });
const slots = secretSlots(rotation);
const guard = new SecretRotationGuard("mail-app-secret-rotation", { rotation });
const passwords: StandInPassword[] = [];
for (const { slot, rotation: slotRotation } of [slots.current, slots.previous].filter((s) => s !== undefined)) {
    const expiry = new SecretExpiry(`mail-app-secret-${slot}-expiry`, { lifetimeDays, rotation: slotRotation }, { dependsOn: [guard] });
    passwords.push(
        new StandInPassword(
            `mail-app-secret-${slot}`,
            {
                applicationId: app.id,
                displayName: secretDisplayName(slotRotation),
                endDate: expiry.expiresAt,
                rotateWhenChanged: { rotation: String(slotRotation) },
            },
            { dependsOn: [guard] },
        ),
    );
}
if (protect) {
    new DestroyGuard("destroy-guard", { dependsOn: [app, guard, ...passwords] });
}
// The real program's output names, which the offline review reads back from a file backend's state.
export const secretRotation = rotation;
export const clientSecretExpiresAt = passwords[0].endDate;
export const clientId = app.clientId;
