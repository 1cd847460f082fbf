/**
 * npm run -s plan -- --stack <name> [--format text|markdown|json] [--out FILE]   (see plan/cli.ts)
 *
 * The offline plan. Parts: plan/stackFile.ts (reading the stack file), plan/model.ts (the report), plan/document.ts
 * (one document for text and Markdown), plan/render.ts, plan/cli.ts.
 */
import { plan } from "./plan/cli";

export { evaluateStack, plan, usage } from "./plan/cli";
export { buildReport, mailboxOperations } from "./plan/model";
export type { PlanReport } from "./plan/model";
export { render } from "./plan/render";
export type { PlanFormat } from "./plan/render";
export { readStackFile } from "./plan/stackFile";

if (require.main === module) {
    plan(process.argv.slice(2)).then(
        (result) => {
            (result.stream === "stdout" ? process.stdout : process.stderr).write(`${result.output}\n`);
            process.exit(result.exitCode);
        },
        (error) => {
            process.stderr.write(`${(error as Error).message}\n`);
            process.exit(1);
        },
    );
}
