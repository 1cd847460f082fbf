/**
 * The README as a document: no heading glued into a sentence (a paste that lost its line break), no section twice,
 * no paragraph twice. The "every README command" test reads commands; this one reads the prose around them.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { projectRoot } from "../../facts/projectRoot";

/** The README's lines outside fenced code blocks, with their line numbers. */
export function proseLines(markdown: string): { line: number; text: string }[] {
    const lines: { line: number; text: string }[] = [];
    let fenced = false;
    markdown.split("\n").forEach((text, index) => {
        if (/^\s*```/.test(text)) {
            fenced = !fenced;
            return;
        }
        if (!fenced) lines.push({ line: index + 1, text });
    });
    return lines;
}

export function documentProblems(markdown: string): string[] {
    const problems: string[] = [];
    const prose = proseLines(markdown);
    for (const { line, text } of prose) {
        // A heading marker after other text on the line, outside inline code: a heading glued into a sentence.
        const outsideCode = text.replace(/^#{1,6} /, "").replace(/`[^`]*`/g, "``");
        if (/[^#\s]\s*#{2,6} [A-Z`]/.test(outsideCode) && !/^\s*\|/.test(text)) {
            problems.push(`line ${line}: a heading inside a sentence: ${text.slice(0, 120)}`);
        }
        if (/`[^`\s]*#{2,6} /.test(text)) problems.push(`line ${line}: a heading inside inline code: ${text.slice(0, 120)}`);
    }
    const headings = new Map<string, number>();
    for (const { line, text } of prose) {
        const heading = /^(#{1,6}) (.+)$/.exec(text);
        if (!heading) continue;
        const key = heading[2].trim();
        if (headings.has(key)) problems.push(`line ${line}: the heading "${key}" again (first on line ${headings.get(key)})`);
        else headings.set(key, line);
    }
    const paragraphs = new Map<string, number>();
    let current: string[] = [];
    let start = 0;
    const flush = () => {
        const paragraph = current.join(" ").replace(/\s+/g, " ").trim();
        if (paragraph.length > 80 && !paragraph.startsWith("|")) {
            if (paragraphs.has(paragraph))
                problems.push(`line ${start}: a paragraph repeated from line ${paragraphs.get(paragraph)}: ${paragraph.slice(0, 80)}`);
            else paragraphs.set(paragraph, start);
        }
        current = [];
    };
    for (const { line, text } of prose) {
        if (text.trim() === "" || /^#/.test(text)) {
            flush();
            continue;
        }
        if (current.length === 0) start = line;
        current.push(text);
    }
    flush();
    return problems;
}

describe("README as a document", () => {
    it("has no heading glued into a sentence, no section twice, no paragraph twice", () => {
        assert.deepStrictEqual(documentProblems(fs.readFileSync(path.join(projectRoot(), "README.md"), "utf8")), []);
    });

    it("the check sees each kind of damage", () => {
        const glued = "Some text about `NODE_EXTRA_CA_## Certificates instead of secrets\n";
        assert.match(documentProblems(glued).join("\n"), /heading inside/);
        const twice = "## Setup\n\nA.\n\n## Setup\n\nB.\n";
        assert.match(documentProblems(twice).join("\n"), /the heading "Setup" again/);
        const paragraph = "This paragraph is long enough to count as real prose that a careless paste could copy twice over.";
        assert.match(documentProblems(`${paragraph}\n\n## X\n\n${paragraph}\n`).join("\n"), /repeated from line 1/);
        assert.deepStrictEqual(documentProblems("```sh\n# a comment ## in code\n```\n| a ## b |\n"), []);
    });
});
