/**
 * Reads the stack configuration from Pulumi once, validates all of it, and stops the program with every
 * problem listed before a single resource is declared.
 */
import * as pulumi from "@pulumi/pulumi";
import { StackSettings, configNamespace, formatProblems, validateStackConfig } from "./stackConfig";

export interface DeploymentConfig {
    readonly settings: StackSettings;
    /** From secret config `exchangeCertificatePassword`; stays a Pulumi secret end to end. */
    readonly certificatePassword?: pulumi.Output<string>;
}

export function readStackConfig(): DeploymentConfig {
    const result = validateStackConfig(pulumi.runtime.allConfig());
    if (!result.ok) {
        // RunError: Pulumi prints the message alone, without a stack trace of this program.
        throw new pulumi.RunError(formatProblems(result.problems));
    }
    const config = new pulumi.Config(configNamespace);
    return { settings: result.settings, certificatePassword: config.getSecret("exchangeCertificatePassword") };
}
