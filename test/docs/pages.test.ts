/**
 * The README and the docs/ pages as a set a newcomer reads: the README short enough to read in two minutes, each page
 * a whole document, every relative link reaching a file and heading that exist, every `npm run` script they name in
 * package.json.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { projectRoot } from "../../facts/projectRoot";
import { documentProblems, proseLines } from "./readme.test";

const root = projectRoot();

/** README.md and every page under docs/, as paths from the project root. */
export function userPages(): string[] {
    return [
        "README.md",
        ...fs
            .readdirSync(path.join(root, "docs"))
            .filter((name) => name.endsWith(".md"))
            .map((name) => `docs/${name}`),
    ];
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, each space a hyphen; repeats get -1, -2, ... */
export function anchorsOf(markdown: string): Set<string> {
    const anchors = new Set<string>();
    const seen = new Map<string, number>();
    for (const { text } of proseLines(markdown)) {
        const heading = /^#{1,6} (.+?)\s*#*$/.exec(text);
        if (!heading) continue;
        const slug = heading[1]
            .replace(/<[^>]+>/g, "")
            .toLowerCase()
            .replace(/[^\p{L}\p{N}\s_-]/gu, "")
            .replace(/ /g, "-");
        const count = seen.get(slug) ?? 0;
        anchors.add(count === 0 ? slug : `${slug}-${count}`);
        seen.set(slug, count + 1);
    }
    return anchors;
}

/** The relative links of `page` (outside code) that reach no file, or no heading in it, each with the reason. */
export function brokenLinks(page: string, markdown: string, read: (file: string) => string | undefined): string[] {
    const broken: string[] = [];
    for (const { line, text } of proseLines(markdown)) {
        const outsideCode = text.replace(/`[^`]*`/g, "``");
        for (const [, target] of outsideCode.matchAll(/\]\(([^)\s]+)\)/g)) {
            if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
            const [file, anchor] = target.split("#", 2);
            const resolved = file === "" ? page : path.posix.normalize(path.posix.join(path.posix.dirname(page), file));
            const content = read(resolved);
            if (content === undefined) {
                broken.push(`${page}:${line}: ${target}: no file ${resolved}`);
            } else if (anchor !== undefined && !anchorsOf(content).has(anchor)) {
                broken.push(`${page}:${line}: ${target}: no heading #${anchor} in ${resolved}`);
            }
        }
    }
    return broken;
}

function readProjectFile(file: string): string | undefined {
    const full = path.join(root, file);
    if (!fs.existsSync(full)) return undefined;
    return fs.statSync(full).isDirectory() ? "" : fs.readFileSync(full, "utf8");
}

describe("the README and docs/ pages", () => {
    const pages = userPages();

    it("the README reads in two minutes: at most 150 lines", () => {
        const lines = fs.readFileSync(path.join(root, "README.md"), "utf8").trimEnd().split("\n").length;
        assert.ok(lines <= 150, `README.md has ${lines} lines`);
    });

    it("every page is a whole document (no heading glued into a sentence, nothing twice)", () => {
        assert.ok(pages.length >= 10, pages.join(" "));
        assert.deepStrictEqual(
            pages.flatMap((page) => documentProblems(fs.readFileSync(path.join(root, page), "utf8")).map((problem) => `${page}: ${problem}`)),
            [],
        );
    });

    it("the README links every docs/ page", () => {
        const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
        assert.deepStrictEqual(
            pages.filter((page) => page !== "README.md" && !readme.includes(`](${page}`)),
            [],
        );
    });

    it("every relative link reaches a file, and a heading there when it names one", () => {
        assert.deepStrictEqual(
            pages.flatMap((page) => brokenLinks(page, fs.readFileSync(path.join(root, page), "utf8"), readProjectFile)),
            [],
        );
    });

    it("every `npm run` script they name is in package.json", () => {
        const scripts = Object.keys((JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts);
        const named = pages.flatMap((page) =>
            [...fs.readFileSync(path.join(root, page), "utf8").matchAll(/\bnpm run (?:-s )?([a-z][\w:-]*)/g)].map((match) => ({ page, script: match[1] })),
        );
        assert.ok(named.length > 20);
        assert.deepStrictEqual(
            named.filter(({ script }) => !scripts.includes(script)).map(({ page, script }) => `${page}: npm run ${script}`),
            [],
        );
    });

    it("the link check sees a missing file and a missing heading, and follows GitHub's anchors", () => {
        const files: Record<string, string> = {
            "docs/a.md": "# A\n\n## Proving it works: `npm run verify`\n\n## Setup\n\n## Setup\n",
        };
        const read = (file: string) => files[file];
        const page = "[ok](docs/a.md#proving-it-works-npm-run-verify) [ok](docs/a.md#setup-1) [web](https://example.com/x)\n";
        assert.deepStrictEqual(brokenLinks("README.md", page, read), []);
        assert.match(brokenLinks("README.md", "[x](docs/b.md)\n", read).join(), /no file docs\/b\.md/);
        assert.match(brokenLinks("README.md", "[x](docs/a.md#tests)\n", read).join(), /no heading #tests/);
        assert.match(brokenLinks("docs/a.md", "[x](#nowhere)\n", read).join(), /no heading #nowhere in docs\/a\.md/);
        assert.deepStrictEqual(brokenLinks("README.md", "```\n[x](nowhere.md)\n```\n`[x](nowhere.md)`\n", read), []);
    });
});
