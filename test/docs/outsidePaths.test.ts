/**
 * Nothing a user reads points outside the project: no README line, docs page, message, comment or fixture names the
 * folder the project's CI keeps beside its clone. Only `.ci/` (CI's own comments) and the one line of
 * tools/install-pwsh.sh that looks there for a PowerShell bundle as a fallback may name it.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { projectRoot } from "../../facts/projectRoot";

/** Written in two parts, so this file does not name it. */
const outside = ["..", "shared"].join("/");

const skippedFolders = new Set([".git", "node_modules", "bin", ".tools", ".pulumi-state", ".ci"]);
const textFile = /(\.(md|ts|js|mjs|cjs|json|ya?ml|sh|ps1|psm1|psd1|lua|txt)|^\.?[\w-]+rc)$/;

/** The one line allowed to name it: install-pwsh.sh's fallback lookup of CI's bundle. */
function allowed(file: string, line: string): boolean {
    return file === "tools/install-pwsh.sh" && /^\s*bundle=\$\(ls /.test(line);
}

function projectFiles(dir: string): string[] {
    return fs.readdirSync(path.join(projectRoot(), dir || "."), { withFileTypes: true }).flatMap((entry) => {
        const relative = dir ? `${dir}/${entry.name}` : entry.name;
        if (entry.isDirectory()) return skippedFolders.has(entry.name) ? [] : projectFiles(relative);
        return entry.isFile() && textFile.test(entry.name) && entry.name !== "package-lock.json" ? [relative] : [];
    });
}

/** Each line of `text` (from `file`) naming the outside folder, as `file:line: text`. */
export function outsidePaths(file: string, text: string): string[] {
    return text
        .split("\n")
        .map((line, index) => ({ line, number: index + 1 }))
        .filter(({ line }) => line.includes(outside) && !allowed(file, line))
        .map(({ line, number }) => `${file}:${number}: ${line.trim().slice(0, 160)}`);
}

describe("nothing a user reads points outside the project", () => {
    it(`no README, docs page, message or comment names ${outside}`, () => {
        const files = projectFiles("");
        for (const expected of ["README.md", "docs/testing.md", "test/scripts/commandProvider.ts", "tools/install-pwsh.sh"]) {
            assert.ok(files.includes(expected), `${expected} is not searched`);
        }
        const found = files.flatMap((file) => outsidePaths(file, fs.readFileSync(path.join(projectRoot(), file), "utf8")));
        assert.deepStrictEqual(found, []);
    });

    it("the search sees a message, a doc line and the install script's error, and lets the fallback lookup be", () => {
        const message = `export const missing = "install it from ${outside}/tools/pwsh.tar.xz";\n`;
        assert.strictEqual(outsidePaths("test/scripts/commandProvider.ts", message).length, 1);
        assert.strictEqual(outsidePaths("docs/verify.md", `See \`${outside}/reference/real-engine.md\`.\n`).length, 1);
        const script = [
            `    bundle=$(ls ${outside}/tools/pwsh-"$version"-linux-x64.tar.xz 2>/dev/null | head -n 1 || true)`,
            `    echo "no PowerShell bundle (${outside}/tools/...)" >&2`,
        ].join("\n");
        assert.deepStrictEqual(
            outsidePaths("tools/install-pwsh.sh", script).map((line) => line.split(":")[1]),
            ["2"],
        );
    });
});
