/**
 * npm run generate: writes what is generated from the config schema — config/stack-config.schema.json and the
 * config table of docs/configuration.md. `--check` writes nothing and exits 1 when either is out of date (the tests run it).
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { configTablePage, withConfigTable } from "../config/docs";
import { stackFileJsonSchema, stackFileSchemaPath } from "../config/jsonSchema";
import { projectRoot } from "../facts/projectRoot";

export function generatedFiles(): { file: string; content: string }[] {
    const root = projectRoot();
    const page = fs.readFileSync(path.join(root, configTablePage), "utf8");
    return [
        { file: stackFileSchemaPath, content: `${JSON.stringify(stackFileJsonSchema(), null, 2)}\n` },
        { file: configTablePage, content: withConfigTable(page) },
    ];
}

function main(): void {
    const { values } = parseArgs({ options: { check: { type: "boolean", default: false }, help: { type: "boolean", short: "h", default: false } } });
    if (values.help) {
        console.log("Usage: npm run generate [-- --check]\n  --check  write nothing; exit 1 when a generated file is out of date (default: off)");
        return;
    }
    const root = projectRoot();
    const stale = generatedFiles().filter(
        ({ file, content }) => !fs.existsSync(path.join(root, file)) || fs.readFileSync(path.join(root, file), "utf8") !== content,
    );
    if (values.check) {
        stale.forEach(({ file }) => console.error(`${file} is out of date: run npm run generate`));
        process.exitCode = stale.length > 0 ? 1 : 0;
        return;
    }
    for (const { file, content } of stale) {
        fs.writeFileSync(path.join(root, file), content);
        console.log(`wrote ${file}`);
    }
}

if (require.main === module) {
    main();
}
