/** Text for a terminal, Markdown for a pull-request comment, JSON for tools: one model, one document. */
import { markdownTable } from "../../config/markdownTable";
import { reportDocument, Section } from "./document";
import { ReviewReport } from "./model";

export type ReviewFormat = "text" | "markdown" | "json";
export const reviewFormats: readonly ReviewFormat[] = ["text", "markdown", "json"];

function textSection(section: Section): string[] {
    const lines = [`${section.title}:`, ...section.paragraphs.map((paragraph) => `  ${paragraph}`)];
    if (section.table && section.table.headers.length === 2) {
        section.table.rows.forEach(([key, value]) => lines.push(`  ${key}: ${value}`));
    } else if (section.table) {
        const { headers, rows } = section.table;
        for (const row of rows) {
            lines.push(`  - ${row[0]}`);
            row.slice(1).forEach((cell, index) => {
                // A list cell ("a; b") reads better as one line per item.
                const items = cell.split("; ").filter((item) => item !== "");
                if (items.length > 1) lines.push(`      ${headers[index + 1]}:`, ...items.map((item) => `        - ${item}`));
                else if (items.length === 1) lines.push(`      ${headers[index + 1]}: ${items[0]}`);
            });
        }
    }
    return lines;
}

function cell(text: string): string {
    return text.replace(/\|/g, "\\|").replace(/; /g, "<br>");
}

function markdownSection(section: Section): string[] {
    const lines = [`### ${section.title}`, "", ...section.paragraphs.flatMap((paragraph) => [paragraph, ""])];
    if (section.table) {
        lines.push(
            ...markdownTable(
                section.table.headers,
                section.table.rows.map((row) => row.map(cell)),
            ),
            "",
        );
    }
    return lines;
}

/** A document of sections as text or Markdown: every report of the tool goes through here. */
export function renderDocument(document: { title: string; sections: readonly Section[] }, format: "text" | "markdown"): string {
    if (format === "markdown") {
        return [`## ${document.title}`, "", ...document.sections.flatMap(markdownSection)].join("\n").trimEnd();
    }
    return [document.title, "", ...document.sections.flatMap((section) => [...textSection(section), ""])].join("\n").trimEnd();
}

export function render(report: ReviewReport, format: ReviewFormat): string {
    return format === "json" ? JSON.stringify(report, null, 2) : renderDocument(reportDocument(report), format);
}
