/**
 * Which inputs force a new resource, per type: what the engine turns into a replace instead of an update.
 *
 * azuread: the `ForceNew` fields of terraform-provider-azuread's resource schemas (the Pulumi provider is bridged
 * from it): application_password_resource.go, app_role_assignment_resource.go, application_certificate_resource.go,
 * service_principal_resource.go, service_principal_delegated_permission_grant_resource.go, application_resource.go.
 * command: `triggers` is the one `replaceOnChanges` input of @pulumi/command 1.x (provider/pkg/provider/common).
 * azure-native Key Vault secret: its path (resource group, vault, name). Our own dynamic resources: their `diff`.
 */
import { resourceTypes } from "./project";

/**
 * The provider packages this table was read against. When the lock file moves one past its version, a test fails
 * until someone re-reads that provider's replace-forcing inputs and updates the table and this record.
 */
export const replacementReadFrom: Readonly<Record<string, string>> = {
    "@pulumi/azuread": "6.9.1",
    "@pulumi/command": "1.2.1",
    "@pulumi/azure-native": "3.28.0",
};

export const replacingInputs: Readonly<Record<string, readonly string[]>> = {
    [resourceTypes.application]: ["templateId"],
    [resourceTypes.servicePrincipal]: ["clientId"],
    [resourceTypes.appRoleAssignment]: ["appRoleId", "principalObjectId", "resourceObjectId"],
    [resourceTypes.delegatedGrant]: ["resourceServicePrincipalObjectId", "servicePrincipalObjectId", "userObjectId"],
    [resourceTypes.password]: ["applicationId", "displayName", "startDate", "endDate", "endDateRelative", "rotateWhenChanged"],
    [resourceTypes.certificate]: ["applicationId", "encoding", "keyId", "startDate", "endDate", "endDateRelative", "type", "value"],
    [resourceTypes.command]: ["triggers"],
    [resourceTypes.keyVaultSecret]: ["resourceGroupName", "vaultName", "secretName"],
    [resourceTypes.secretExpiry]: ["rotation"],
    [resourceTypes.rotationGuard]: [],
    [resourceTypes.destroyGuard]: [],
    // Another app or key is another retirement (legacySecretRetirement.ts diff); its delete does nothing.
    [resourceTypes.legacySecretRetirement]: ["applicationObjectId", "keyId"],
    // Read by its name on every run, never created or replaced (@pulumi/pulumi stackReference.ts passes `id: name`).
    [resourceTypes.stackReference]: [],
};

/**
 * Inputs the provider fills in when they are left out (Terraform's Optional + Computed): dropping one keeps the
 * value in the state and is no change, let alone a replace (application_password_resource.go,
 * application_certificate_resource.go, application_resource.go: `template_id`).
 */
export const computedInputs: Readonly<Record<string, readonly string[]>> = {
    [resourceTypes.application]: ["templateId"],
    [resourceTypes.password]: ["displayName", "startDate", "endDate"],
    [resourceTypes.certificate]: ["keyId", "startDate", "endDate"],
};

/** The new inputs as the provider plans them: an optional computed input left out keeps the state's value. */
export function withComputedKept(type: string, before: Record<string, unknown>, after: Record<string, unknown>): Record<string, unknown> {
    const kept = (computedInputs[type] ?? []).filter((input) => after[input] === undefined && before[input] !== undefined);
    return { ...after, ...Object.fromEntries(kept.map((input) => [input, before[input]])) };
}

/** The replace-forcing inputs that differ between two sets of inputs of a resource of `type`. */
export function replacingChanges(type: string, before: Record<string, unknown>, after: Record<string, unknown>): string[] {
    const planned = withComputedKept(type, before, after);
    return (replacingInputs[type] ?? []).filter((input) => JSON.stringify(before[input]) !== JSON.stringify(planned[input]));
}
