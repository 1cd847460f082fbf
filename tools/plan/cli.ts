/**
 * npm run -s plan -- --stack <name> [--format text|markdown|json] [--out FILE]
 *
 * Evaluates the real program against Pulumi.<stack>.yaml with the engine mocked (no cloud, no Pulumi CLI, no
 * credentials) and prints what `pulumi up` would declare. Bad config prints the validation errors and exits 1.
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { projectRoot } from "../../config/projectRoot";
import { formatProblems, validateStackConfig } from "../../config/validate";
import { runProgram } from "../mockEngine";
import { buildReport } from "./model";
import { PlanFormat, planFormats, render } from "./render";
import { readStackFile, StackFileError } from "./stackFile";

export const usage = `Usage: npm run -s plan -- --stack <name> [options]

Evaluates the program for Pulumi.<name>.yaml offline (Pulumi's mock engine: no cloud, no CLI, no credentials) and
prints what \`pulumi up\` would do: app, permissions and consents, Exchange operations per mailbox, credential,
mail client settings, resources.

  --stack <name>          the stack (Pulumi.<name>.yaml); required
  --format <format>       text, markdown (a pull-request comment) or json (default: text)
  --out <file>            write the plan to this file instead of stdout (default: stdout)
  -h, --help              this help

Exit code: 0 the plan, 1 the stack's config is invalid, 2 bad usage.`;

export interface PlanResult {
    readonly exitCode: number;
    readonly output: string;
    /** Where the output goes: stdout for the plan, stderr for problems. */
    readonly stream: "stdout" | "stderr";
}

function usageError(message: string): PlanResult {
    return { exitCode: 2, output: `${message}\n\n${usage}`, stream: "stderr" };
}

/** Evaluates one stack file; the report, or the problems. */
export async function evaluateStack(stack: string, format: PlanFormat, file = path.join(projectRoot(), `Pulumi.${stack}.yaml`)): Promise<PlanResult> {
    if (!fs.existsSync(file)) return usageError(`${path.basename(file)} not found: no stack "${stack}" in this project`);
    let raw: Record<string, string>;
    try {
        raw = readStackFile(file);
    } catch (error) {
        if (error instanceof StackFileError) return { exitCode: 1, output: error.message, stream: "stderr" };
        throw error;
    }
    const validation = validateStackConfig(raw);
    if (!validation.ok) return { exitCode: 1, output: formatProblems(validation.problems), stream: "stderr" };
    const tenantId = raw["azuread:tenantId"] ?? "<tenant from ARM_TENANT_ID>";
    // A preview: nothing needs PowerShell, and nothing runs.
    const run = await runProgram(raw, { preview: true, tenantId, stack });
    if (run.error) return { exitCode: 1, output: run.error.message, stream: "stderr" };
    return { exitCode: 0, output: render(buildReport(stack, validation.settings, run.resources, run.outputs), format), stream: "stdout" };
}

export async function plan(args: readonly string[]): Promise<PlanResult> {
    let values;
    try {
        ({ values } = parseArgs({
            args: [...args],
            strict: true,
            allowPositionals: false,
            options: {
                stack: { type: "string" },
                format: { type: "string", default: "text" },
                out: { type: "string" },
                help: { type: "boolean", short: "h", default: false },
            },
        }));
    } catch (error) {
        return usageError((error as Error).message);
    }
    if (values.help) return { exitCode: 0, output: usage, stream: "stdout" };
    if (!values.stack) return usageError("--stack is required");
    if (!(planFormats as readonly string[]).includes(values.format)) return usageError(`--format ${values.format}: expected ${planFormats.join(", ")}`);
    const result = await evaluateStack(values.stack, values.format as PlanFormat);
    if (result.exitCode === 0 && values.out) {
        fs.writeFileSync(values.out, `${result.output}\n`);
        return { exitCode: 0, output: `wrote ${values.out}`, stream: "stderr" };
    }
    return result;
}
