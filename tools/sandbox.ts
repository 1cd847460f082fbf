/**
 * npm run sandbox [-- --down]: the main job rehearsed on a local tenant (tools/sandbox/cli.ts).
 */
import { runMain } from "./cliMain";
import { main } from "./sandbox/cli";

if (require.main === module) {
    runMain(main);
}
