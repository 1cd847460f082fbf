/**
 * The real Pulumi CLI for the end-to-end suites: the engine `npm run setup:engine` builds into .tools/pulumi/bin
 * (or a directory with `pulumi` named by M365_PULUMI_BIN, e.g. an ordinary Pulumi install). Each project runs in a
 * temporary copy of the sources, with its own PULUMI_HOME and local file backend, offline: no update check, no
 * plugin download, so a plugin that is not there fails instead of being fetched.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { programPaths } from "../../facts/project";
import { projectRoot } from "../../facts/projectRoot";
import { findExecutable } from "../../components/exchangeMailboxAccess/preflight";
import { foundOrSkip } from "../realProgram";

export const engineMissingMessage =
    "the Pulumi CLI was not found: build it with `npm run setup:engine` (Go and the Go module proxy), or set M365_PULUMI_BIN to a directory holding `pulumi`";

/** The directory holding `pulumi` and the plugins bundled beside it, or undefined. */
export function findEngine(): string | undefined {
    const candidates = [process.env.M365_PULUMI_BIN, path.join(projectRoot(), ".tools", "pulumi", "bin")].filter((c): c is string => !!c);
    return candidates.find((dir) => findExecutable(path.join(dir, "pulumi")) !== undefined);
}

/** For a suite's `before`: the engine, or the suite skipped with one line (failed under M365_REQUIRE_ENGINE=1). */
export function requireEngine(context: Mocha.Context): string {
    return foundOrSkip(context, findEngine(), {
        suites: "End-to-end suites under the real Pulumi engine",
        requireVariable: "M365_REQUIRE_ENGINE",
        missing: engineMissingMessage,
    });
}

/**
 * The environment of a `pulumi` run that stays on this machine: the CLI in `engineDir` first on PATH, PULUMI_HOME
 * and the local file backend in `base`/home and `base`/state, no update check, no plugin download, and no CI
 * variable leaking into the program's own checks.
 */
export function offlinePulumiEnv(engineDir: string, base: string, passphrase: string): NodeJS.ProcessEnv {
    return {
        ...process.env,
        PATH: `${engineDir}${path.delimiter}${process.env.PATH ?? ""}`,
        PULUMI_HOME: path.join(base, "home"),
        PULUMI_BACKEND_URL: `file://${path.join(base, "state")}`,
        PULUMI_CONFIG_PASSPHRASE: passphrase,
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        PULUMI_DISABLE_REGISTRY_RESOLVE: "true",
        PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
        CI: undefined,
    };
}

export interface CliRun {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
    /** stdout and stderr together, for messages the CLI may print on either. */
    readonly output: string;
}

/** Source folders copied into each temporary project (what the program and its tests import). */
const sourceEntries = [...programPaths, "Pulumi.dev.yaml", "Pulumi.prod.yaml", "policy", "test"];

export class EngineProject {
    /** The temporary copy of the project. */
    public readonly root: string;
    /** Where the program runs: the copy's root, or a program folder inside it. */
    public readonly dir: string;
    /** The local file backend the project's stacks live in. */
    public readonly backendUrl: string;
    private readonly base: string;
    /** The environment every `pulumi` run gets: also for a command that runs `pulumi` itself (verify --stack). */
    public readonly env: NodeJS.ProcessEnv;

    /**
     * @param engineDir from requireEngine
     * @param program a folder under test/e2e/programs to run instead of the project's own program
     * @param compiled copy the build (bin/) too, so program.js runs the compiled program (run `npm run build` first)
     * @param extraEnv for every run, e.g. where a stand-in listens (the CLI passes its environment to the plugins)
     */
    constructor(engineDir: string, program?: string, compiled = false, extraEnv: NodeJS.ProcessEnv = {}) {
        this.base = fs.mkdtempSync(path.join(os.tmpdir(), "m365-e2e-"));
        this.root = path.join(this.base, "project");
        const source = projectRoot();
        for (const entry of compiled ? [...sourceEntries, "bin"] : sourceEntries) {
            if (fs.existsSync(path.join(source, entry))) {
                fs.cpSync(path.join(source, entry), path.join(this.root, entry), {
                    recursive: true,
                    filter: (from) => !from.includes(`${path.sep}node_modules`),
                });
            }
        }
        fs.symlinkSync(path.join(source, "node_modules"), path.join(this.root, "node_modules"), "dir");
        this.dir = program === undefined ? this.root : path.join(this.root, "test", "e2e", "programs", program);
        for (const folder of ["home", "state"]) {
            fs.mkdirSync(path.join(this.base, folder));
        }
        this.backendUrl = `file://${path.join(this.base, "state")}`;
        this.env = { ...offlinePulumiEnv(engineDir, this.base, "e2e-passphrase"), ...extraEnv };
    }

    /** Runs `pulumi ARGS` in the project, non-interactively; `input` goes to its stdin (a secret never on the command line). */
    public pulumi(args: readonly string[], extraEnv: NodeJS.ProcessEnv = {}, input?: string): CliRun {
        const run = spawnSync("pulumi", [...args, "--non-interactive"], {
            cwd: this.dir,
            env: { ...this.env, ...extraEnv },
            input,
            encoding: "utf8",
            maxBuffer: 64 * 1024 * 1024,
            timeout: 300_000,
        });
        if (run.error) {
            throw run.error;
        }
        return { code: run.status ?? -1, stdout: run.stdout, stderr: run.stderr, output: `${run.stdout}\n${run.stderr}` };
    }

    /** Like pulumi(), but an exit code other than 0 throws with the output. */
    public ok(args: readonly string[], extraEnv: NodeJS.ProcessEnv = {}, input?: string): CliRun {
        const run = this.pulumi(args, extraEnv, input);
        if (run.code !== 0) {
            throw new Error(`pulumi ${args.join(" ")} exited ${run.code}:\n${run.output}`);
        }
        return run;
    }

    /** A new stack with the given config values (strings as `pulumi config set` stores them, or YAML values). */
    public initStack(stack: string, config: Record<string, unknown>): void {
        this.ok(["stack", "init", stack]);
        this.writeConfig(stack, config);
    }

    /** Replaces the stack file's config, keeping what `pulumi stack init` wrote (the encryption salt). */
    public writeConfig(stack: string, config: Record<string, unknown>): void {
        const file = path.join(this.dir, `Pulumi.${stack}.yaml`);
        const kept = fs.existsSync(file)
            ? fs
                  .readFileSync(file, "utf8")
                  .split("\n")
                  .filter((line) => line.startsWith("encryptionsalt:"))
            : [];
        const lines = [...kept, "config:", ...Object.entries(config).map(([key, value]) => `  ${key}: ${JSON.stringify(value)}`)];
        fs.writeFileSync(file, `${lines.join("\n")}\n`);
    }

    /** `pulumi preview --json`: the steps the engine plans. */
    public previewJson(stack: string, extra: readonly string[] = []): { code: number; steps: PreviewStep[]; output: string; diagnostics: string[] } {
        const run = this.pulumi(["preview", "--stack", stack, "--json", ...extra]);
        let parsed: any = {};
        try {
            parsed = JSON.parse(run.stdout);
        } catch {
            // A failed preview may print no JSON; the output then says why.
        }
        const diagnostics: string[] = (parsed.diagnostics ?? []).map((d: any) => String(d.message));
        return {
            code: run.code,
            steps: (parsed.steps ?? []).map((step: any) => ({
                op: step.op,
                urn: step.urn,
                type: step.newState?.type ?? step.oldState?.type,
                diffReasons: step.diffReasons ?? [],
            })),
            // With --json the engine's messages are in the document's diagnostics, not in the text.
            output: [run.stderr, ...diagnostics].join("\n"),
            diagnostics,
        };
    }

    /** `pulumi stack output`: every output of the stack's last update, secrets as their values. */
    public stackOutputs(stack: string): Record<string, any> {
        return JSON.parse(this.ok(["stack", "output", "--json", "--show-secrets", "--stack", stack]).stdout);
    }

    /** `pulumi stack export` as it is kept: secrets encrypted. */
    public exportedState(stack: string): unknown {
        return JSON.parse(this.ok(["stack", "export", "--stack", stack]).stdout);
    }

    /** The stack's state: each resource's URN, type, whether it is protected, and its outputs (secrets as their values). */
    public resources(stack: string): StateResource[] {
        const exported = JSON.parse(this.ok(["stack", "export", "--stack", stack, "--show-secrets"]).stdout);
        return (exported.deployment?.resources ?? []).map((r: any) => ({
            urn: r.urn,
            type: r.type,
            id: r.id,
            protect: r.protect === true,
            outputs: Object.fromEntries(Object.entries(r.outputs ?? {}).map(([key, value]) => [key, revealed(value)])),
        }));
    }

    public dispose(): void {
        fs.rmSync(this.base, { recursive: true, force: true });
    }
}

/** The engine's secret sign ("4dabf18193072939515e22adb298388d"): with --show-secrets, `plaintext` holds the value's JSON. */
const secretSig = "4dabf18193072939515e22adb298388d";

function revealed(value: unknown): unknown {
    if (value !== null && typeof value === "object" && secretSig in value && "plaintext" in value) {
        return JSON.parse(String((value as { plaintext: unknown }).plaintext));
    }
    return value;
}

export interface PreviewStep {
    readonly op: string;
    readonly urn: string;
    readonly type: string;
    /** The properties whose change makes the step, as the provider's diff names them. */
    readonly diffReasons: readonly string[];
}

export interface StateResource {
    readonly urn: string;
    readonly type: string;
    readonly id?: string;
    readonly protect: boolean;
    readonly outputs: Record<string, any>;
}

/** A preview's steps other than "same" and the stack itself, as "op name". */
export function changedSteps(steps: readonly PreviewStep[]): string[] {
    return steps.filter((step) => step.op !== "same" && step.type !== "pulumi:pulumi:Stack").map((step) => `${step.op} ${urnName(step.urn)}`);
}

/** The name part of a URN (after the last `::`). */
export function urnName(urn: string): string {
    return urn.slice(urn.lastIndexOf("::") + 2);
}
