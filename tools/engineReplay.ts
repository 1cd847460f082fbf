/**
 * Replays `pulumi up`s of the real program the way the engine applies them, offline: each resource is compared with
 * the state the previous update left, and is created, kept, updated or replaced; what is no longer declared is
 * deleted. Replacement is decided by the providers' replace-forcing inputs (facts/replacement.ts) and, for the
 * project's own dynamic resources, by their own diff and check. A replaced resource gets new outputs, which flow into
 * the resources that use them (a new expiry date makes a new secret), as in a real update.
 *
 * Used by the tests (what a config change does to the secrets) and by `npm run review -- --compare` (the change review).
 */
import * as pulumi from "@pulumi/pulumi";
import { replacingChanges } from "../facts/replacement";
import { resourceTypes } from "../facts/project";
import { dayMs, rfc3339Seconds } from "../config/rfc3339";
import { rotationGuardProvider } from "../components/entraApplication/secretRotationGuard";
import { diffSecretExpiry, SecretExpiryInputs } from "../components/entraApplication/secretExpiry";
import { ProgramRun, runProgram, RunOptions } from "./mockEngine";

export type StepKind = "create" | "update" | "replace" | "delete" | "same";

export interface Step {
    readonly kind: StepKind;
    readonly type: string;
    readonly name: string;
    /** The inputs that changed; for a replace, the ones that force it come first. */
    readonly changed: readonly string[];
    readonly replacing: readonly string[];
    readonly before?: Record<string, unknown>;
    readonly after?: Record<string, unknown>;
}

interface StateEntry {
    readonly type: string;
    readonly name: string;
    readonly id: string;
    readonly inputs: Record<string, unknown>;
    readonly outputs: Record<string, unknown>;
}

function differing(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
    return [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((key) => JSON.stringify(before[key]) !== JSON.stringify(after[key])).sort();
}

/** The diff of the project's own dynamic resources that have one; undefined for the providers' resources. */
async function ownResourceDiff(type: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.DiffResult | undefined> {
    if (type === resourceTypes.secretExpiry) return diffSecretExpiry(olds as unknown as SecretExpiryInputs, news as unknown as SecretExpiryInputs);
    if (type === resourceTypes.rotationGuard) return rotationGuardProvider.diff!("secret-rotation", olds as never, news as never);
    return undefined;
}

export class EngineReplay {
    private state = new Map<string, StateEntry>();
    private made = 0;
    private refused: string | undefined;

    constructor(private readonly options: Omit<RunOptions, "engine" | "preview"> & { expiresAt?: (inputs: Record<string, unknown>) => string } = {}) {}

    /**
     * Why the rotation guard refused the last `up`, in its own words (the engine would print them after its own
     * prefix); undefined when it did not.
     */
    get rotationRefusal(): string | undefined {
        return this.refused;
    }

    /** The resources the stack holds now, by `type::name`. */
    get resources(): ReadonlyMap<string, StateEntry> {
        return this.state;
    }

    /**
     * One `pulumi up` (or, with preview, what it would do: the state is then left as it was, unless `commit` asks to
     * keep it, e.g. to stand for a stack deployed from an earlier config). A failed program changes nothing, as a
     * failed check stops the engine before any step.
     */
    async up(config: Record<string, string>, preview = false, commit = !preview): Promise<{ run: ProgramRun; steps: Step[] }> {
        const steps: Step[] = [];
        const next = new Map<string, StateEntry>();
        this.refused = undefined;
        const run = await runProgram(config, {
            ...this.options,
            preview,
            engine: async (args, fallback) => {
                const key = `${args.type}::${args.name}`;
                const prior = this.state.get(key);
                const inputs = args.inputs as Record<string, unknown>;
                if (args.type === resourceTypes.rotationGuard) {
                    await this.checkRotation(prior?.inputs, inputs);
                }
                let entry: StateEntry;
                if (prior === undefined) {
                    entry = this.fresh(args, fallback, inputs);
                    steps.push({ kind: "create", type: args.type, name: args.name, changed: [], replacing: [], after: inputs });
                } else {
                    const changed = differing(prior.inputs, inputs);
                    // The project's own dynamic resources decide for themselves, as the engine asks their diff:
                    // `changes: false` is no step at all, even where an input differs (a new lifetime on the expiry).
                    const ownDiff = await ownResourceDiff(args.type, prior.inputs, inputs);
                    const replacing = ownDiff ? (ownDiff.replaces ?? []) : replacingChanges(args.type, prior.inputs, inputs);
                    if (replacing.length > 0) {
                        entry = this.fresh(args, fallback, inputs);
                        steps.push({ kind: "replace", type: args.type, name: args.name, changed, replacing, before: prior.inputs, after: inputs });
                    } else {
                        // Kept or updated in place: what the provider computed stays (an ID, a secret's value, a date).
                        const computed = Object.fromEntries(Object.entries(prior.outputs).filter(([output]) => !(output in prior.inputs)));
                        entry = { ...prior, inputs, outputs: { ...inputs, ...computed } };
                        steps.push({
                            kind: changed.length > 0 && (ownDiff?.changes ?? true) ? "update" : "same",
                            type: args.type,
                            name: args.name,
                            changed,
                            replacing: [],
                            before: prior.inputs,
                            after: inputs,
                        });
                    }
                }
                next.set(key, entry);
                return { id: entry.id, state: entry.outputs as Record<string, any> };
            },
        });
        if (!run.error) {
            for (const [key, entry] of this.state) {
                if (!next.has(key)) {
                    steps.push({ kind: "delete", type: entry.type, name: entry.name, changed: [], replacing: [], before: entry.inputs });
                }
            }
            if (commit) {
                this.state = next;
            }
        }
        return { run, steps };
    }

    /** New outputs for a created or replaced resource: a new ID and, for a secret, a new value and key ID. */
    private fresh(args: pulumi.runtime.MockResourceArgs, fallback: { id: string; state: Record<string, any> }, inputs: Record<string, unknown>): StateEntry {
        const n = ++this.made;
        const outputs: Record<string, unknown> = { ...fallback.state };
        if (args.type === resourceTypes.password) {
            outputs.keyId = `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
            outputs.value = `replayed-secret-${n}`;
        }
        if (args.type === resourceTypes.secretExpiry) {
            outputs.expiresAt = this.options.expiresAt?.(inputs) ?? rfc3339Seconds(new Date(Date.UTC(2027, 0, 1) + n * dayMs));
        }
        return { type: args.type, name: args.name, id: `${fallback.id}-${n}`, inputs, outputs };
    }

    /** The rotation guard's own check, as the engine runs it before any step: a refusal fails the update. */
    private async checkRotation(prior: Record<string, unknown> | undefined, inputs: Record<string, unknown>): Promise<void> {
        const result = await rotationGuardProvider.check!(prior as never, inputs as never);
        const failure = result.failures?.[0];
        if (failure) {
            this.refused = failure.reason;
            throw new Error(`${failure.property}: ${failure.reason}`);
        }
    }
}
