/**
 * The destroy guard: what `protect: true` protects, so that `pulumi destroy` stops before it deletes anything while
 * updates still replace and delete what they must.
 *
 * The engine refuses to replace or delete a protected resource. Protecting every resource of the stack would
 * therefore fail every update that rotates a secret, drops a protocol, renews a certificate or moves the Key Vault
 * delivery. Instead, this one resource is protected and depends on every other resource of the stack: the engine
 * deletes dependents before what they depend on, so a destroy reaches this resource first and stops there, with
 * nothing deleted. An update never replaces it (it has no inputs) and so never trips on it. The app registration and
 * its service principal, which no update replaces, are protected as well, against a targeted destroy.
 */
import * as pulumi from "@pulumi/pulumi";
import { configNamespace } from "../facts/project";

export const destroyGuardProvider: pulumi.dynamic.ResourceProvider = {
    async create(): Promise<pulumi.dynamic.CreateResult> {
        return { id: "destroy-guard", outs: {} };
    },
};

export class DestroyGuard extends pulumi.dynamic.Resource {
    /** @param opts `dependsOn`: every resource (or component) of the stack; `protect` is always set. */
    constructor(name: string, opts: pulumi.CustomResourceOptions) {
        super(destroyGuardProvider, name, {}, { ...opts, protect: true }, configNamespace, "DestroyGuard");
    }
}
