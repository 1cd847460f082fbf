/**
 * npm run -s operations -- --stack <name> [--dry-run]: the scheduled workflow's issues and pull requests for one
 * stack (tools/operations/cli.ts; the decision, pure: tools/operations/decide.ts).
 */
import { runMain } from "./cliMain";
import { main } from "./operations/cli";

if (require.main === module) {
    runMain(main);
}
