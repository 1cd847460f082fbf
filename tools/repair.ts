/**
 * npm run repair -- --stack <name>: brings into the state what an earlier `pulumi up` made in Entra ID but lost
 * (tools/repair/cli.ts; what counts as lost: tools/repair/lostObjects.ts).
 */
import { main } from "./repair/cli";

if (require.main === module) {
    main(
        process.argv.slice(2),
        (text) => process.stdout.write(`${text}\n`),
        (text) => process.stderr.write(`${text}\n`),
    ).then(
        (code) => process.exit(code),
        (error) => {
            process.stderr.write(`${(error as Error).message}\n`);
            process.exit(1);
        },
    );
}
