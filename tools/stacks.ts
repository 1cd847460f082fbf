/**
 * npm run -s stacks -- [--deployable] [--json]
 *
 * The stacks of this project, from its Pulumi.<stack>.yaml files: the workflows' matrix comes from here, so adding a
 * stack needs no workflow edit. --deployable keeps the stacks CI can deploy unattended: their Exchange step signs in
 * with a certificate or a managed identity (an interactive sign-in needs a person at a browser).
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { projectRoot } from "../config/projectRoot";
import { validateStackConfig } from "../config/validate";
import { readStackFile } from "./plan/stackFile";

export function stackNames(root = projectRoot()): string[] {
    return fs
        .readdirSync(root)
        .map((file) => /^Pulumi\.([^.]+)\.yaml$/.exec(file)?.[1])
        .filter((name): name is string => name !== undefined)
        .sort();
}

/** Whether a stack can run unattended: no Exchange step, or one that signs in without a browser. */
export function deployableUnattended(stack: string, root = projectRoot()): boolean {
    const validation = validateStackConfig(readStackFile(path.join(root, `Pulumi.${stack}.yaml`)));
    return validation.ok && (validation.settings.exchange === undefined || validation.settings.exchange.auth !== "interactive");
}

function main(): void {
    const { values } = parseArgs({
        options: {
            deployable: { type: "boolean", default: false },
            json: { type: "boolean", default: false },
            help: { type: "boolean", short: "h", default: false },
        },
    });
    if (values.help) {
        console.log(
            "Usage: npm run -s stacks -- [--deployable] [--json]\n  --deployable  only stacks CI can deploy unattended (default: all)\n  --json        a JSON list, for a workflow matrix (default: one per line)",
        );
        return;
    }
    const names = stackNames().filter((stack) => !values.deployable || deployableUnattended(stack));
    console.log(values.json ? JSON.stringify(names) : names.join("\n"));
}

if (require.main === module) {
    main();
}
