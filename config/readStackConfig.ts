/**
 * Reads the stack configuration from Pulumi once, validates all of it (the public certificate file included),
 * and stops the program with every problem listed before a single resource is declared.
 */
import * as pulumi from "@pulumi/pulumi";
import { PublicCertificate, loadPublicCertificate } from "./certificateCredential";
import { StackSettings } from "./settings";
import { formatProblems, placeholderTenantProblem, validateStackConfig } from "./validate";
import { configNamespace, offlineReviewVariable } from "../facts/project";

export interface DeploymentConfig {
    readonly settings: StackSettings;
    /** From secret config `exchangeCertificatePassword`; stays a Pulumi secret end to end. */
    readonly certificatePassword?: pulumi.Output<string>;
    /** The public certificate to add as a credential, read and checked. */
    readonly certificate?: PublicCertificate;
}

export function readStackConfig(): DeploymentConfig {
    const raw = pulumi.runtime.allConfig();
    const result = validateStackConfig(raw, process.env);
    if (!result.ok) {
        // RunError: Pulumi prints the message alone, without a stack trace of this program.
        throw new pulumi.RunError(formatProblems(result.problems));
    }
    // In a preview as in an update: a real preview with the placeholder would otherwise fail later with an opaque
    // sign-in error from the provider.
    const placeholder = process.env[offlineReviewVariable] === "1" ? undefined : placeholderTenantProblem(raw, process.env);
    if (placeholder !== undefined) {
        throw new pulumi.RunError(formatProblems([placeholder]));
    }
    result.warnings.forEach((warning) => pulumi.log.warn(warning));
    const { settings } = result;
    let certificate: PublicCertificate | undefined;
    if (settings.certificatePath !== undefined && settings.credential !== "secret") {
        try {
            certificate = loadPublicCertificate(settings.certificatePath);
        } catch (error) {
            throw new pulumi.RunError(formatProblems([(error as Error).message]));
        }
    }
    const config = new pulumi.Config(configNamespace);
    return { settings, certificate, certificatePassword: config.getSecret("exchangeCertificatePassword") };
}
