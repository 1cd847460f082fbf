/**
 * npm run -s status -- [--format table|markdown|json] [--stack <name>]
 *
 * Every stack of the project at a glance, from its stack file, the backend's state and history and the last verify
 * record, with no tenant sign-in (stateReader.ts); what each needs decided in decide.ts; exit code 1 when any stack
 * needs action.
 */
import * as fs from "fs";
import { parseArgs } from "util";
import { projectRoot } from "../../facts/projectRoot";
import { exitCodeOf, statusActions, statusReport } from "./decide";
import { shortStackName } from "../../plan/multiTenant";
import { renderStatus, StatusFormat, statusFormats } from "./render";
import { readStackFacts } from "./stateReader";

export const usage = `Usage: npm run -s status -- [--format table|markdown|json] [--stack <name>]

Every stack of the project (its Pulumi.<stack>.yaml files and the stacks the backend holds), read from the
backend's state and history without signing in to any tenant: the current and previous secret's end dates and
days left, the rotation number, the certificate's end date, the last update, mailboxes granted / failed /
configured, the Exchange step's last run, config not yet deployed, the last verify result; and the action each
stack needs: ${statusActions.join(", ")}.

  --format <format>   table (a terminal), markdown (an issue) or json (tools) (default: table)
  --stack <name>      only this stack (default: every stack)
  -h, --help          this help

A local file backend is read directly; any other through pulumi stack export and pulumi stack history.
Thresholds come from each stack's config: secretWarnDays, secretHandoverDays.
Exit code: 0 no stack needs action, 1 a stack needs action (named), 2 bad usage.`;

type Print = (text: string) => void;

export interface StatusOptions {
    /** The project folder; default: the one the command runs in. */
    readonly root?: string;
    readonly env?: NodeJS.ProcessEnv;
    /** The time the decision is made for; default: now. */
    readonly now?: Date;
}

export async function main(argv: readonly string[], out: Print, err: Print, options: StatusOptions = {}): Promise<number> {
    let values: { format?: string; stack?: string; help?: boolean };
    try {
        ({ values } = parseArgs({
            args: [...argv],
            strict: true,
            allowPositionals: false,
            options: { format: { type: "string", default: "table" }, stack: { type: "string" }, help: { type: "boolean", short: "h" } },
        }));
    } catch (error) {
        err(`${(error as Error).message} (see npm run -s status -- --help)`);
        return 2;
    }
    if (values.help) {
        out(usage);
        return 0;
    }
    const format = values.format as StatusFormat;
    if (!statusFormats.includes(format)) {
        err(`--format ${values.format}: expected ${statusFormats.join(", ")} (see npm run -s status -- --help)`);
        return 2;
    }
    const root = options.root ?? projectRoot(process.cwd());
    const facts = await readStackFacts({ root, env: options.env ?? process.env, ...(values.stack ? { stack: values.stack } : {}) });
    if (values.stack && facts.length === 0) {
        const files = fs.readdirSync(root).filter((name) => /^Pulumi\..+\.yaml$/.test(name));
        err(`no stack "${values.stack}": neither Pulumi.${values.stack}.yaml nor the backend has it (stack files here: ${files.join(", ") || "none"})`);
        return 2;
    }
    // A customer's stack of a provider's multi-tenant app is compared with the provider's, listed or not.
    const listed = new Set(facts.map((stack) => stack.stack));
    const providers = [...new Set(facts.map((stack) => stack.deployed?.providerStack).filter((name): name is string => name !== undefined))]
        .map(shortStackName)
        .filter((name) => !listed.has(name));
    const context = (await Promise.all(providers.map((stack) => readStackFacts({ root, env: options.env ?? process.env, stack })))).flat();
    const report = statusReport(facts, options.now ?? new Date(), context);
    out(renderStatus(report, format));
    return exitCodeOf(report);
}
