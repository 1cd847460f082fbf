/**
 * npm run adopt -- --stack <name> --client-id <appId>: describes a setup made by hand as a stack and an import
 * document (tools/adopt/cli.ts; the decisions: tools/adopt/adoption.ts). Read only against the tenant.
 */
import { runMain } from "./cliMain";
import { main } from "./adopt/cli";

if (require.main === module) {
    runMain(main);
}
