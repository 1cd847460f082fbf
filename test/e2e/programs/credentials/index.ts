/**
 * The project's own credential resources (rotation guard, secret expiry, destroy guard) under the real Pulumi
 * engine, wired as the program wires them. The azuread provider cannot be built here (tools/engine/README.md), so
 * the application and each ApplicationPassword are small dynamic stand-ins that replace on exactly the inputs
 * facts/replacement.ts records as ForceNew for them: what the engine does with unknowns, replaces, protect and
 * dependencies is the real engine's.
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

/** A stand-in for an azuread resource type: replaced when one of that type's ForceNew inputs changes. */
function standIn(type: string, kind: string): pulumi.dynamic.ResourceProvider {
    const forceNew = replacingInputs[type];
    return {
        async create(inputs: any) {
            return { id: `${kind}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`, outs: inputs };
        },
        async diff(_id: string, olds: any, news: any) {
            const changed = Object.keys({ ...olds, ...news }).filter((key) => key !== "__provider" && JSON.stringify(olds[key]) !== JSON.stringify(news[key]));
            return { changes: changed.length > 0, replaces: changed.filter((key) => forceNew.includes(key)) };
        },
        async update(_id: string, _olds: any, news: any) {
            return { outs: news };
        },
    };
}

class StandInApplication extends pulumi.dynamic.Resource {
    constructor(name: string, args: { displayName: string }, opts?: pulumi.CustomResourceOptions) {
        super(standIn(resourceTypes.application, "app"), name, args, opts, "standin", "Application");
    }
}

class StandInPassword extends pulumi.dynamic.Resource {
    declare public readonly endDate: pulumi.Output<string>;
    constructor(name: string, args: Record<string, pulumi.Input<any>>, opts?: pulumi.CustomResourceOptions) {
        super(standIn(resourceTypes.password, "password"), name, args, opts, "standin", "ApplicationPassword");
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
