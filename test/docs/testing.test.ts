/**
 * docs/testing.md, the inventory of the test suites moved out of the README, cannot go stale unnoticed: it names
 * every test file (itself or its folder), and every test path it names exists.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { projectRoot } from "../../facts/projectRoot";
import { documentProblems } from "./readme.test";

const root = projectRoot();
const page = fs.readFileSync(path.join(root, "docs", "testing.md"), "utf8");

function testFiles(dir: string): string[] {
    return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
        const relative = `${dir}/${entry.name}`;
        if (entry.isDirectory()) return entry.name === "fixtures" ? [] : testFiles(relative);
        return entry.name.endsWith(".test.ts") ? [relative] : [];
    });
}

describe("docs/testing.md", () => {
    it("names every test file, itself or its folder", () => {
        const named = (file: string) =>
            page.includes(`\`${file}\``) ||
            file
                .split("/")
                .slice(1, -1)
                .some((_, i, parts) => page.includes(`\`test/${parts.slice(0, i + 1).join("/")}/\``));
        assert.deepStrictEqual(
            testFiles("test").filter((file) => !named(file)),
            [],
        );
    });

    it("names only test paths that exist", () => {
        const paths = [...page.matchAll(/`(test\/[^`*\s]+)`/g)].map((match) => match[1]);
        assert.ok(paths.length > 10);
        assert.deepStrictEqual(
            paths.filter((p) => !fs.existsSync(path.join(root, p))),
            [],
        );
    });

    it("is a whole document (no heading glued into a sentence, nothing twice)", () => {
        assert.deepStrictEqual(documentProblems(page), []);
    });
});
