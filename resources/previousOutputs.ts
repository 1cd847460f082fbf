/**
 * The stack's own outputs from its last update, read through a StackReference to itself. Rotation needs them to
 * know which secret slot is current, and the expiry warning to know when the current secret ends; reading them
 * at the start keeps every decision visible in `pulumi preview`.
 */
import * as pulumi from "@pulumi/pulumi";

export interface PreviousOutputs {
    readonly secretSlots?: unknown;
    readonly clientSecretExpiresAt?: string;
}

export function selfStackName(): string {
    return `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`;
}

export async function readPreviousOutputs(): Promise<PreviousOutputs> {
    const self = new pulumi.StackReference("previous-update", { name: selfStackName() });
    const [slots, expiresAt] = await Promise.all([self.getOutputDetails("secretSlots"), self.getOutputDetails("clientSecretExpiresAt")]);
    return {
        secretSlots: slots.value,
        clientSecretExpiresAt: typeof expiresAt.value === "string" ? expiresAt.value : undefined,
    };
}
