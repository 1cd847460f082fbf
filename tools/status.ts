/**
 * npm run -s status: every stack's health at a glance, from the state, with no tenant sign-in (tools/status/cli.ts;
 * the decision, reusable on its own: tools/status/decide.ts).
 */
import { runMain } from "./cliMain";
import { main } from "./status/cli";

if (require.main === module) {
    runMain(main);
}
