/**
 * npm run -s operations -- --stack <name> [--dry-run] [--status <file>]
 *
 * Gathers one stack's facts (its status, as npm run status decides it; its stack file; the repository's issues and
 * pull requests this tool made, through the GitHub REST API), decides (decide.ts) and opens, updates and closes
 * them (github.ts), or with --dry-run prints what it would do.
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { configNamespace } from "../../facts/project";
import { projectRoot } from "../../facts/projectRoot";
import { commentFor, compareStack, reviewDocument } from "../review/compare";
import { renderDocument } from "../review/render";
import { readStackText } from "../review/stackFile";
import { StackStatus, StatusReport, stackStatus } from "../status/decide";
import { shortStackName } from "../../plan/multiTenant";
import { readStackFacts } from "../status/stateReader";
import { describePlan, GitHubItem, pendingSteps, planOperations, StackFileText } from "./decide";
import { Fetch, GitHub } from "./github";

export const usage = `Usage: npm run -s operations -- --stack <name> [--dry-run] [--status <file>]

From the stack's status (npm run status) and the repository's issues and pull requests labelled m365-operations:
opens, updates or closes the stack's one health issue (diagnosis and fix; closed when the stack is green), and opens
one pull request per secret step: raising secretRotation when the secret is within secretWarnDays, setting
secretRetiredThrough once verify passed with the new secret or after secretHandoverDays (the offline change review
as its body). Never a second pull request for the same step.

  --stack <name>      the stack (Pulumi.<name>.yaml); required
  --dry-run           print what it would open, update or close; change nothing (default: off)
  --status <file>     the stack's status from npm run -s status -- --format json (default: read it now)
  -h, --help          this help

Environment: GITHUB_TOKEN and GITHUB_REPOSITORY (owner/name), as a GitHub workflow has them; GITHUB_API_URL
(default https://api.github.com). --dry-run without them assumes no open issues or pull requests and says so.
Exit code: 0 done (or nothing to do), 1 a GitHub call failed, 2 bad usage.`;

type Print = (text: string) => void;

export interface OperationsOptions {
    readonly root?: string;
    readonly env?: NodeJS.ProcessEnv;
    readonly now?: Date;
    /** The HTTP layer (default: the global fetch). */
    readonly fetch?: Fetch;
    /** The change review of a stack file change, as Markdown (default: the offline change review, tools/review). */
    readonly review?: (stack: string, baseText: string, content: string) => Promise<string>;
}

/** The offline change review of the step against the stack file it changes, as a pull request's Markdown. */
export async function changeReviewMarkdown(stack: string, baseText: string, content: string): Promise<string> {
    const { review, problem } = await compareStack(stack, "the default branch", readStackText(content, `Pulumi.${stack}.yaml`), baseText);
    if (!review) return `The change review could not be made:\n\n\`\`\`\n${problem ?? "no review"}\n\`\`\``;
    const markdown = renderDocument(reviewDocument(review), "markdown");
    return commentFor(review, markdown, `run npm run -s review -- --stack ${stack} --compare main on the branch`);
}

function numberOf(raw: Record<string, string>, key: string): number | undefined {
    const value = raw[`${configNamespace}:${key}`];
    return value === undefined || !/^\d+$/.test(value.trim()) ? undefined : Number(value);
}

async function statusOf(stack: string, file: string | undefined, root: string, env: NodeJS.ProcessEnv, now: Date): Promise<StackStatus | string> {
    if (file) {
        const report = JSON.parse(fs.readFileSync(file, "utf8")) as StatusReport;
        return report.stacks?.find((status) => status.stack === stack) ?? `${file} holds no status of stack ${stack}`;
    }
    const [facts] = await readStackFacts({ root, env, stack });
    if (!facts) return `no stack "${stack}": neither Pulumi.${stack}.yaml nor the backend has it`;
    // A customer's stack of a provider's multi-tenant app is compared with the provider's stack (status's decide.ts).
    const providerStack = facts.deployed?.providerStack;
    const [provider] = providerStack ? await readStackFacts({ root, env, stack: shortStackName(providerStack) }) : [];
    return stackStatus(facts, now, provider);
}

export async function main(argv: readonly string[], out: Print, err: Print, options: OperationsOptions = {}): Promise<number> {
    let values: { stack?: string; "dry-run"?: boolean; status?: string; help?: boolean };
    try {
        ({ values } = parseArgs({
            args: [...argv],
            strict: true,
            allowPositionals: false,
            options: {
                stack: { type: "string" },
                "dry-run": { type: "boolean", default: false },
                status: { type: "string" },
                help: { type: "boolean", short: "h" },
            },
        }));
    } catch (error) {
        err(`${(error as Error).message} (see npm run -s operations -- --help)`);
        return 2;
    }
    if (values.help) {
        out(usage);
        return 0;
    }
    if (!values.stack) {
        err("--stack is required (see npm run -s operations -- --help)");
        return 2;
    }
    const stack = values.stack;
    const dryRun = values["dry-run"] === true;
    const env = options.env ?? process.env;
    const root = options.root ?? projectRoot(process.cwd());

    const status = await statusOf(stack, values.status, root, env, options.now ?? new Date());
    if (typeof status === "string") {
        err(status);
        return 2;
    }
    const stackPath = `Pulumi.${stack}.yaml`;
    let stackFile: StackFileText | undefined;
    if (fs.existsSync(path.join(root, stackPath))) {
        const text = fs.readFileSync(path.join(root, stackPath), "utf8");
        let raw: Record<string, string> = {};
        try {
            raw = readStackText(text, stackPath);
        } catch {
            // An unreadable stack file: status names it (fix config); no step is proposed from it.
        }
        const rotation = numberOf(raw, "secretRotation");
        const retired = numberOf(raw, "secretRetiredThrough");
        stackFile = {
            path: stackPath,
            text,
            ...(rotation !== undefined ? { secretRotation: rotation } : {}),
            ...(retired !== undefined ? { secretRetiredThrough: retired } : {}),
        };
    }

    const token = env.GITHUB_TOKEN;
    const repository = env.GITHUB_REPOSITORY;
    const github = token && repository ? new GitHub(repository, token, options.fetch ?? (fetch as unknown as Fetch), env.GITHUB_API_URL) : undefined;
    if (!github && !dryRun) {
        err("GITHUB_TOKEN and GITHUB_REPOSITORY are needed to open, update and close issues and pull requests (or use --dry-run)");
        return 2;
    }
    let items: GitHubItem[] = [];
    try {
        if (github) items = await github.items();
        else out("no GITHUB_TOKEN and GITHUB_REPOSITORY: assuming no open issues or pull requests");
    } catch (error) {
        err(`listing the repository's issues and pull requests failed: ${(error as Error).message}`);
        return 1;
    }

    const review = options.review ?? changeReviewMarkdown;
    const reviews = new Map<string, string>();
    for (const step of pendingSteps(status, stackFile, items).steps) {
        reviews.set(step.branch, await review(stack, stackFile!.text, step.content));
    }
    const plan = planOperations(status, stackFile, items, reviews);
    out(describePlan(plan, !dryRun));
    if (dryRun) return 0;

    let failed = 0;
    for (const operation of plan.operations) {
        try {
            switch (operation.do) {
                case "open issue":
                    out(`  opened issue #${await github!.openIssue(operation.title, operation.body, operation.labels)}`);
                    break;
                case "update issue":
                    await github!.updateIssue(operation.number, operation.title, operation.body);
                    break;
                case "close issue":
                    await github!.closeIssue(operation.number, operation.comment);
                    break;
                case "open pull request":
                    out(`  opened pull request #${await github!.openFilePullRequest({ ...operation, basedOn: stackFile!.text })}`);
                    break;
            }
        } catch (error) {
            failed++;
            err(`${operation.do} failed: ${(error as Error).message}`);
        }
    }
    return failed > 0 ? 1 : 0;
}
