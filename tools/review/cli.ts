/**
 * npm run -s review -- --stack <name> [--format text|markdown|json] [--out FILE]
 *
 * Evaluates the real program against Pulumi.<stack>.yaml with the engine mocked (no cloud, no Pulumi CLI, no
 * credentials) and prints what `pulumi up` would declare. Bad config prints the validation errors and exits 1.
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { projectRoot } from "../../facts/projectRoot";
import { formatProblems, validateStackConfig } from "../../config/validate";
import { StackOutputs } from "../../plan/stackOutputs";
import { runProgram } from "../mockEngine";
import { configNamespace } from "../../facts/project";
import { backendUrl } from "../state/fileBackend";
import { deployedSecret } from "./deployedState";
import { buildReport } from "./model";
import { commentFor, compareStack, programAt, programChangesSince, reviewDocument, stackFileAt } from "./compare";
import { ReviewFormat, reviewFormats, render, renderDocument } from "./render";
import { readStackFile, StackFileError } from "./stackFile";

export const usage = `Usage: npm run -s review -- --stack <name> [options]

Evaluates the program for Pulumi.<name>.yaml offline (Pulumi's mock engine: no cloud, no CLI, no credentials) and
prints what \`pulumi up\` would do: app, permissions and consents, Exchange operations per mailbox, credential,
mail client settings, resources.

  --stack <name>          the stack (Pulumi.<name>.yaml); required
  --format <format>       text, markdown (a pull-request comment) or json (default: text)
  --out <file>            write the review to this file instead of stdout (default: stdout)
  --compare <git ref>     instead of the review, the change review: what deploying this config does to a stack
                          deployed from the config and program at that ref (resources created, updated, replaced, deleted;
                          client secrets created and retired; mailbox access gained and lost) (default: off)
  --comment-out <file>    with --compare: also write the review as a pull-request comment, shortened to its
                          summary when longer than a comment allows (65,536 characters) (default: off)
  -h, --help              this help

Exit code: 0 the review, 1 the stack's config is invalid, 2 bad usage.`;

export interface ReviewResult {
    readonly exitCode: number;
    readonly output: string;
    /** Where the output goes: stdout for the review, stderr for problems. */
    readonly stream: "stdout" | "stderr";
}

/** A usage error: one line, and where the full usage is. */
function usageError(message: string): ReviewResult {
    return { exitCode: 2, output: `${message} (see npm run -s review -- --help)`, stream: "stderr" };
}

/** The stacks this project has: its Pulumi.<stack>.yaml files. */
function stacksHere(folder: string): string[] {
    return fs
        .readdirSync(folder)
        .map((name) => /^Pulumi\.(.+)\.yaml$/.exec(name)?.[1])
        .filter((name): name is string => name !== undefined)
        .sort();
}

/** A stack file read into Pulumi's config map, or the result that says why it cannot be. */
function readStack(stack: string, file = path.join(projectRoot(), `Pulumi.${stack}.yaml`)): { raw: Record<string, string> } | { failed: ReviewResult } {
    if (!fs.existsSync(file)) {
        const known = stacksHere(path.dirname(file));
        return { failed: usageError(`${path.basename(file)} not found: no stack "${stack}" in this project; its stacks: ${known.join(", ") || "none"}`) };
    }
    try {
        return { raw: readStackFile(file) };
    } catch (error) {
        if (error instanceof StackFileError) return { failed: { exitCode: 1, output: error.message, stream: "stderr" } };
        throw error;
    }
}

/** Evaluates one stack file; the report, or the problems. */
export async function evaluateStack(stack: string, format: ReviewFormat, file?: string): Promise<ReviewResult> {
    const read = readStack(stack, file);
    if ("failed" in read) return read.failed;
    const { raw } = read;
    const validation = validateStackConfig(raw, process.env);
    if (!validation.ok) return { exitCode: 1, output: formatProblems(validation.problems), stream: "stderr" };
    const tenantId = raw["azuread:tenantId"] ?? "<tenant from ARM_TENANT_ID>";
    // A preview: nothing needs PowerShell, and nothing runs.
    const run = await runProgram(raw, { preview: true, tenantId, stack, offlineReview: true });
    if (run.error) return { exitCode: 1, output: run.error.message, stream: "stderr" };
    const deployed = deployedSecret(backendUrl(projectRoot()), configNamespace, stack);
    return {
        exitCode: 0,
        output: render(buildReport(stack, validation.settings, run.resources, run.outputs as StackOutputs, deployed), format),
        stream: "stdout",
    };
}

/** The change review of one stack against a git ref (see compare.ts). */
export async function reviewStack(stack: string, ref: string, format: ReviewFormat, commentOut?: string): Promise<ReviewResult> {
    const read = readStack(stack);
    if ("failed" in read) return read.failed;
    let baseText: string | undefined;
    try {
        baseText = stackFileAt(ref, stack, projectRoot());
    } catch (error) {
        return { exitCode: 1, output: (error as Error).message, stream: "stderr" };
    }
    const programChanges = programChangesSince(ref, projectRoot());
    // A code change since the ref: what is deployed came from the program at the ref, so evaluate that config with it.
    const base = programChanges.length > 0 && baseText !== undefined ? programAt(ref, projectRoot()) : undefined;
    const { review, problem } = await compareStack(stack, ref, read.raw, baseText, programChanges, base?.dir).finally(() => base?.remove());
    if (!review) return { exitCode: 1, output: problem ?? "no review", stream: "stderr" };
    const document = reviewDocument(review);
    const markdown = renderDocument(document, "markdown");
    if (commentOut) {
        fs.writeFileSync(commentOut, `${commentFor(review, markdown, "see the job summary and the change-review artifact")}\n`);
    }
    const output = format === "json" ? JSON.stringify(review, null, 2) : format === "markdown" ? markdown : renderDocument(document, "text");
    return { exitCode: 0, output, stream: "stdout" };
}

export async function review(args: readonly string[]): Promise<ReviewResult> {
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
                compare: { type: "string" },
                "comment-out": { type: "string" },
                help: { type: "boolean", short: "h", default: false },
            },
        }));
    } catch (error) {
        return usageError((error as Error).message);
    }
    if (values.help) return { exitCode: 0, output: usage, stream: "stdout" };
    if (!values.stack) return usageError("--stack is required");
    if (!(reviewFormats as readonly string[]).includes(values.format)) return usageError(`--format ${values.format}: expected ${reviewFormats.join(", ")}`);
    if (values["comment-out"] && !values.compare) return usageError("--comment-out goes with --compare");
    const result = values.compare
        ? await reviewStack(values.stack, values.compare, values.format as ReviewFormat, values["comment-out"])
        : await evaluateStack(values.stack, values.format as ReviewFormat);
    if (result.exitCode === 0 && values.out) {
        fs.writeFileSync(values.out, `${result.output}\n`);
        return { exitCode: 0, output: `wrote ${values.out}`, stream: "stderr" };
    }
    return result;
}
