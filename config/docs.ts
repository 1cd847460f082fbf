/**
 * The README's config table, generated from the schema's documented keys, between two marker comments. `npm run
 * generate` rewrites it; a test fails when the README and the schema differ.
 */
import { markdownTable } from "./markdownTable";
import { configDocs } from "./schemaHelpers";

export const tableStart = "<!-- config-table:start (generated from config/schema.ts by npm run generate) -->";
export const tableEnd = "<!-- config-table:end -->";

export function configTable(): string {
    // The top-level keys first, then the exchange block's, each in the order the schema declares them.
    const nested = (doc: { key: string }) => doc.key.includes(".");
    const ordered = [...configDocs.filter((doc) => !nested(doc)), ...configDocs.filter(nested)];
    const rows = ordered.filter((doc) => doc.key !== "exchange").map((doc) => [`\`${doc.key}\``, doc.values, doc.default, doc.meaning]);
    return markdownTable(["Key", "Type / values", "Default", "Meaning"], rows).join("\n");
}

/** The README with its config table replaced by the generated one. */
export function withConfigTable(readme: string): string {
    const start = readme.indexOf(tableStart);
    const end = readme.indexOf(tableEnd);
    if (start < 0 || end < start) {
        throw new Error(`README.md has no ${tableStart} ... ${tableEnd} section`);
    }
    return `${readme.slice(0, start + tableStart.length)}\n${configTable()}\n${readme.slice(end)}`;
}
