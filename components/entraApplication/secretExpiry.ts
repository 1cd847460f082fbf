/**
 * The client secret's end date, fixed once when the secret is made.
 *
 * `ApplicationPassword.endDate` forces a new secret whenever it changes. Computing it as "now + lifetime" on
 * every run would therefore replace the secret, and break every mail client holding it, on every `pulumi up`.
 * This small dynamic resource computes the date in its `create` only and keeps it in the stack state; it is
 * replaced, and so the secret with it, only when the rotation changes (a new lifetime applies from the next one). The program
 * itself never reads the clock, so the same config declares the same inputs on any day.
 */
import * as pulumi from "@pulumi/pulumi";
import { dayMs, rfc3339Seconds } from "../../config/rfc3339";
import { configNamespace } from "../../facts/project";

export function expiryFrom(now: Date, lifetimeDays: number): string {
    return rfc3339Seconds(new Date(now.getTime() + lifetimeDays * dayMs));
}

export interface SecretExpiryInputs {
    lifetimeDays: number;
    rotation: number;
}

export interface SecretExpiryOutputs extends SecretExpiryInputs {
    expiresAt: string;
}

/**
 * Only a new rotation makes a new end date (and so a new secret). A new lifetime is no change at all: it applies
 * from the next rotation on. Reporting it as an update would make the engine preview `expiresAt` as unknown, and
 * an unknown `endDate` previews the secret as replaced (found under the real engine, test/e2e/credentials.test.ts).
 * The engine still stores the new inputs with the kept outputs, so the next rotation's `create` reads the new lifetime.
 */
export function diffSecretExpiry(olds: SecretExpiryInputs, news: SecretExpiryInputs): pulumi.dynamic.DiffResult {
    const replaces = olds.rotation !== news.rotation ? ["rotation"] : [];
    return { changes: replaces.length > 0, replaces, deleteBeforeReplace: false };
}

export const secretExpiryProvider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: SecretExpiryInputs): Promise<pulumi.dynamic.CreateResult> {
        const expiresAt = expiryFrom(new Date(), inputs.lifetimeDays);
        return { id: `expires-${expiresAt}`, outs: { ...inputs, expiresAt } };
    },
    async diff(_id: string, olds: SecretExpiryOutputs, news: SecretExpiryInputs): Promise<pulumi.dynamic.DiffResult> {
        return diffSecretExpiry(olds, news);
    },
    async update(_id: string, olds: SecretExpiryOutputs, news: SecretExpiryInputs): Promise<pulumi.dynamic.UpdateResult> {
        // A new lifetime (or provider version) without a new rotation: the secret's date stays as it was made.
        return { outs: { ...news, expiresAt: olds.expiresAt } };
    },
};

export interface SecretExpiryArgs {
    lifetimeDays: pulumi.Input<number>;
    /** The rotation number; a new one makes a new expiry, and so a new secret. */
    rotation: pulumi.Input<number>;
}

export class SecretExpiry extends pulumi.dynamic.Resource {
    // `declare`: the base constructor sets this output; an ES2022 class field would overwrite it with undefined.
    declare public readonly expiresAt: pulumi.Output<string>;

    constructor(name: string, args: SecretExpiryArgs, opts?: pulumi.CustomResourceOptions) {
        super(secretExpiryProvider, name, { ...args, expiresAt: undefined }, opts, configNamespace, "SecretExpiry");
    }
}
