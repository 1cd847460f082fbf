/**
 * The config table of docs/configuration.md, generated from the schema's documented keys, between two marker
 * comments. `npm run generate` rewrites it; a test fails when the page and the schema differ.
 */
import { markdownTable } from "./markdownTable";
import { configDocs } from "./schemaHelpers";

/** The page that holds the table (its links are relative to docs/). */
export const configTablePage = "docs/configuration.md";

export const tableStart = "<!-- config-table:start (generated from config/schema.ts by npm run generate) -->";
export const tableEnd = "<!-- config-table:end -->";

export function configTable(): string {
    // The top-level keys first, then the exchange block's, each in the order the schema declares them.
    const nested = (doc: { key: string }) => doc.key.includes(".");
    const ordered = [...configDocs.filter((doc) => !nested(doc)), ...configDocs.filter(nested)];
    const rows = ordered.filter((doc) => doc.key !== "exchange").map((doc) => [`\`${doc.key}\``, doc.values, doc.default, doc.meaning]);
    return markdownTable(["Key", "Type / values", "Default", "Meaning"], rows).join("\n");
}

/** The page with its config table replaced by the generated one. */
export function withConfigTable(page: string): string {
    const start = page.indexOf(tableStart);
    const end = page.indexOf(tableEnd);
    if (start < 0 || end < start) {
        throw new Error(`${configTablePage} has no ${tableStart} ... ${tableEnd} section`);
    }
    return `${page.slice(0, start + tableStart.length)}\n${configTable()}\n${page.slice(end)}`;
}
