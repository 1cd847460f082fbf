/**
 * For component tests under Pulumi's mocks: the mocks receive a secret input as Pulumi's secret wrapper, so a
 * test can tell a value sent as a secret from one sent in plain text.
 */
import * as assert from "assert";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";

/** The value of an input the engine receives as a secret; fails when it arrives in plain text. */
export function secretInput(value: any): unknown {
    assert.ok(value !== null && typeof value === "object" && value[specialSigKey] === specialSecretSig, `${JSON.stringify(value)} is not a secret`);
    return value.value;
}

/** An input as a provider receives it: a secret's value unwrapped, anything else as it is. */
export function plainInput(value: any): any {
    return value !== null && typeof value === "object" && value[specialSigKey] === specialSecretSig ? value.value : value;
}
