/**
 * npm run repair -- --stack <name>: brings into the state what an earlier `pulumi up` made in Entra ID but lost
 * (tools/repair/cli.ts; what counts as lost: tools/repair/lostObjects.ts).
 */
import { runMain } from "./cliMain";
import { main } from "./repair/cli";

if (require.main === module) {
    runMain(main);
}
