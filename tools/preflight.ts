/**
 * npm run preflight -- --stack <name>: is the tenant ready for the stack's first pulumi up? Read only; the parts:
 * preflight/entraFacts.ts, exchangeFacts.ts (the reads), findings.ts (the decision), cli.ts.
 */
import { runMain } from "./cliMain";
import { main } from "./preflight/cli";

export { main, renderText, usage } from "./preflight/cli";
export { readinessFindings } from "./preflight/findings";

if (require.main === module) {
    runMain(main);
}
