/**
 * npm run -s review -- --stack <name> [--format text|markdown|json] [--out FILE]   (see review/cli.ts)
 *
 * The offline review. Parts: review/stackFile.ts (reading the stack file), review/model.ts (the report), review/document.ts
 * (one document for text and Markdown), review/render.ts, review/cli.ts.
 */
import { review } from "./review/cli";

export { evaluateStack, review, usage } from "./review/cli";
export { buildReport, mailboxOperations } from "./review/model";
export type { ReviewReport } from "./review/model";
export { render } from "./review/render";
export type { ReviewFormat } from "./review/render";
export { readStackFile } from "./review/stackFile";

if (require.main === module) {
    review(process.argv.slice(2)).then(
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
