/**
 * The rotation guard: a small dynamic resource whose `check` sees the deployed and the new rotation number, and
 * refuses a step that would retire both valid secrets (see plan/secretRotation.ts). The secret slots depend on it,
 * so a refused step stops the update before any secret is touched, in a preview as in an update.
 */
import * as pulumi from "@pulumi/pulumi";
import { configNamespace } from "../../facts/project";
import { retirementStepProblem, rotationStepProblem } from "../../plan/secretRotation";

export interface RotationGuardInputs {
    rotation: number;
    /** `secretRetiredThrough`, when set (absent otherwise, so stacks that never retire see no new input). */
    retiredThrough?: number;
}

export const rotationGuardProvider: pulumi.dynamic.ResourceProvider = {
    async check(olds: Partial<RotationGuardInputs> | undefined, news: RotationGuardInputs): Promise<pulumi.dynamic.CheckResult> {
        const deployed = typeof olds?.rotation === "number" ? olds.rotation : undefined;
        const problem = rotationStepProblem(deployed, news.rotation) ?? retirementStepProblem(deployed, news.rotation, news.retiredThrough);
        return problem === undefined ? { inputs: news } : { failures: [{ property: "rotation", reason: problem }] };
    },
    async create(inputs: RotationGuardInputs): Promise<pulumi.dynamic.CreateResult> {
        return { id: "secret-rotation", outs: inputs };
    },
    async diff(_id: string, olds: RotationGuardInputs, news: RotationGuardInputs): Promise<pulumi.dynamic.DiffResult> {
        return { changes: olds.rotation !== news.rotation || olds.retiredThrough !== news.retiredThrough, replaces: [] };
    },
    async update(_id: string, _olds: RotationGuardInputs, news: RotationGuardInputs): Promise<pulumi.dynamic.UpdateResult> {
        return { outs: news };
    },
};

export class SecretRotationGuard extends pulumi.dynamic.Resource {
    constructor(name: string, args: { rotation: number; retiredThrough?: number }, opts?: pulumi.CustomResourceOptions) {
        super(rotationGuardProvider, name, args, opts, configNamespace, "SecretRotationGuard");
    }
}
