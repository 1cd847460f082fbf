/**
 * What is generated from the config schema is current: the JSON Schema of the stack files and the config table of
 * docs/configuration.md.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { configTable, configTablePage } from "../../config/docs";
import { stackFileJsonSchema, stackFileSchemaPath } from "../../config/jsonSchema";
import { projectRoot } from "../../facts/projectRoot";
import { exchangeKeys } from "../../config/exchangeSchema";
import { configShape } from "../../config/schema";
import { configNamespace } from "../../facts/project";
import { generatedFiles } from "../../tools/generate";

describe("generated from the config schema", () => {
    const root = projectRoot();

    it("the committed JSON Schema and the config table of docs/configuration.md are what `npm run generate` writes", () => {
        assert.deepStrictEqual(
            generatedFiles().map(({ file }) => file),
            [stackFileSchemaPath, configTablePage],
        );
        for (const { file, content } of generatedFiles()) {
            assert.strictEqual(fs.readFileSync(path.join(root, file), "utf8"), content, `${file} is out of date: run npm run generate`);
        }
    });

    it("the config table documents every key of the schema, the exchange block's included", () => {
        const table = configTable();
        for (const key of [...Object.keys(configShape).filter((k) => k !== "exchange"), ...exchangeKeys.map((k) => `exchange.${k}`)]) {
            assert.ok(table.includes(`| \`${key}\` |`), `${key} is not in the config table`);
        }
    });

    it("the JSON Schema describes every key, with the schema's enums and bounds", () => {
        const schema = stackFileJsonSchema() as any;
        const properties = schema.properties.config.properties;
        for (const key of Object.keys(configShape)) {
            assert.ok(properties[`${configNamespace}:${key}`], key);
        }
        assert.deepStrictEqual(properties[`${configNamespace}:smtpAuth`].enum, ["mailbox", "organization", "unchanged"]);
        // Numbers also take the string `pulumi config set` stores: the number's own bounds stay the first choice.
        assert.strictEqual(properties[`${configNamespace}:secretLifetimeDays`].anyOf[0].maximum, 730);
        assert.deepStrictEqual(properties[`${configNamespace}:secretLifetimeDays`].anyOf[1], { type: "string", pattern: "^[0-9]+$" });
        assert.ok(properties[`${configNamespace}:exchange`].properties.reconcile);
    });

    it("every example stack file names the schema for editors", () => {
        for (const file of fs.readdirSync(root).filter((name) => /^Pulumi\.[^.]+\.yaml$/.test(name))) {
            const text = fs.readFileSync(path.join(root, file), "utf8");
            assert.ok(text.startsWith(`# yaml-language-server: $schema=./${stackFileSchemaPath}`), file);
            assert.ok(parse(text).config, file);
        }
    });
});
