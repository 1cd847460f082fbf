// The second baseline of `npm run bench`: no resources, but the Pulumi SDK loaded, as every program that declares a
// resource loads it (@pulumi/azuread requires it). It is used, so the transpiler keeps the import.
import * as pulumi from "@pulumi/pulumi";

export = async () => ({ project: pulumi.getProject() });
