/**
 * Runs the Exchange scripts the way `@pulumi/command` 1.x runs a `local.Command`, and replays a sequence of
 * `pulumi up`s and a `pulumi destroy` the way the engine drives that resource.
 *
 * From pulumi/pulumi-command, provider/pkg/provider/local/commandOutputs.go (`run`) and commandController.go:
 * - argv is `interpreter... command`; the working directory is the project's (where Pulumi runs programs);
 * - the environment is the provider's own plus `environment`, plus PULUMI_COMMAND_STDOUT / _STDERR holding the
 *   previous outputs when they are not empty (addPreviousOutputInEnv);
 * - stdin is written when not empty;
 * - stdout and stderr are kept, one trailing newline trimmed, only when the command exits 0: a failed update
 *   keeps the previous outputs, a failed create has none;
 * - update runs with the new inputs and the old outputs; delete runs with the inputs and outputs in the state.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { exchangeInterpreter } from "../../components/exchangeMailboxAccess/exchangeMailboxAccess";
import { exchangeScripts } from "../../components/exchangeMailboxAccess/scriptFiles";
import { projectRoot } from "../../facts/projectRoot";
import { findExecutable } from "../../components/exchangeMailboxAccess/preflight";
import { foundOrSkip } from "../realProgram";

export interface CommandInputs {
    readonly environment: Record<string, string>;
    readonly stdin?: string;
}

export interface CommandOutputs {
    readonly stdout: string;
    readonly stderr: string;
}

export interface CommandRun extends CommandOutputs {
    readonly code: number;
    readonly phase: "create" | "update" | "delete";
}

/** PowerShell 7 for the tests: $M365_PWSH, the project's own (`npm run setup:pwsh`), or `pwsh` on PATH. */
export function findPwsh(): string | undefined {
    const candidates = [process.env.M365_PWSH, path.join(projectRoot(), ".tools", "pwsh", "pwsh"), "pwsh"].filter((c): c is string => !!c);
    for (const candidate of candidates) {
        const found = findExecutable(candidate);
        if (found) {
            return found;
        }
    }
    return undefined;
}

export const pwshMissingMessage =
    "PowerShell 7 (pwsh) not found: install it as Microsoft documents for Linux (https://learn.microsoft.com/powershell/scripting/install/installing-powershell-on-linux), or into .tools/ with `npm run setup:pwsh -- powershell-7.6.9-linux-x64.tar.gz` (Microsoft's binary archive; or as a .NET tool where the .NET SDK is), or set M365_PWSH";

/** The machine's environment as the provider process would have it, without a previous run's outputs. */
function providerEnvironment(machine: Record<string, string>): Record<string, string> {
    const environment: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env)) {
        if (value !== undefined && !key.startsWith("PULUMI_COMMAND_")) {
            environment[key] = value;
        }
    }
    return { ...environment, ...machine };
}

export function runCommand(
    pwsh: string,
    phase: CommandRun["phase"],
    inputs: CommandInputs,
    previous: CommandOutputs | undefined,
    machine: Record<string, string>,
): CommandRun {
    const script = phase === "delete" ? exchangeScripts.remove : exchangeScripts.sync;
    const [command, ...flags] = exchangeInterpreter(pwsh);
    const environment = { ...providerEnvironment(machine), ...inputs.environment };
    if (previous?.stdout) {
        environment.PULUMI_COMMAND_STDOUT = previous.stdout;
    }
    if (previous?.stderr) {
        environment.PULUMI_COMMAND_STDERR = previous.stderr;
    }
    for (const [key, value] of Object.entries(environment)) {
        // Linux's execve refuses a single NAME=value over 128 KiB (MAX_ARG_STRLEN): the engine could not start it.
        if (key.length + value.length + 1 > 128 * 1024) {
            throw new Error(`${key} is ${value.length} bytes: the command could not be started`);
        }
    }
    const result = spawnSync(command, [...flags, script], {
        cwd: projectRoot(),
        env: environment,
        input: inputs.stdin !== undefined && inputs.stdin.length > 0 ? inputs.stdin : undefined,
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
    });
    if (result.error) {
        throw result.error;
    }
    const trim = (text: string) => text.replace(/\n$/, "");
    return { phase, code: result.status ?? -1, stdout: trim(result.stdout), stderr: trim(result.stderr) };
}

/** One Exchange command resource through a stack's life: what the engine stores, and which step it runs. */
export class CommandResource {
    private inputs: CommandInputs | undefined;
    private outputs: CommandOutputs | undefined;
    /** The last create or update failed: the engine runs an update next time even with unchanged inputs. */
    private failed = false;
    public readonly runs: CommandRun[] = [];

    /** pwsh is asked for when a step runs: suites declare their resources before their hooks find pwsh. */
    constructor(
        private readonly pwsh: () => string,
        private readonly machine: Record<string, string>,
    ) {}

    /** `pulumi up` with these inputs; undefined when the engine would see no change and run nothing. */
    up(inputs: CommandInputs): CommandRun | undefined {
        const phase = this.inputs === undefined ? "create" : "update";
        if (phase === "update" && !this.failed && sameInputs(this.inputs!, inputs)) {
            return undefined;
        }
        const run = runCommand(this.pwsh(), phase, inputs, this.outputs, this.machine);
        this.runs.push(run);
        this.inputs = inputs;
        this.failed = run.code !== 0;
        if (run.code === 0) {
            this.outputs = { stdout: run.stdout, stderr: run.stderr };
        } else if (phase === "create") {
            this.outputs = { stdout: "", stderr: "" };
        }
        return run;
    }

    /** `pulumi destroy`: the delete step with the state's inputs and outputs. Kept in the state when it fails. */
    destroy(): CommandRun {
        if (this.inputs === undefined) {
            throw new Error("nothing to destroy");
        }
        const run = runCommand(this.pwsh(), "delete", this.inputs, this.outputs, this.machine);
        this.runs.push(run);
        if (run.code === 0) {
            this.inputs = undefined;
            this.outputs = undefined;
        }
        return run;
    }

    get stdout(): string | undefined {
        return this.outputs?.stdout;
    }
}

function sameInputs(a: CommandInputs, b: CommandInputs): boolean {
    return JSON.stringify(sorted(a.environment)) === JSON.stringify(sorted(b.environment)) && (a.stdin ?? "") === (b.stdin ?? "");
}

function sorted(record: Record<string, string>): [string, string][] {
    return Object.entries(record).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
}

/** Writes a file only tests read; returns its path. */
export function writeJson(file: string, value: unknown): string {
    fs.writeFileSync(file, JSON.stringify(value, null, 1));
    return file;
}

/**
 * For a suite's `before`: the pwsh to use. Without one, `npm run test:exchange` (M365_REQUIRE_PWSH=1) fails, and
 * `npm test` skips the suite, saying so once for all suites, with how to get pwsh.
 */
export function requirePwsh(context: Mocha.Context): string {
    return foundOrSkip(context, findPwsh(), { suites: "Exchange suites under PowerShell", requireVariable: "M365_REQUIRE_PWSH", missing: pwshMissingMessage });
}
