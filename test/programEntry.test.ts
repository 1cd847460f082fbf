/**
 * program.js, the entry point pulumi runs: the compiled program only when `npm run build` made it from exactly the
 * sources beside it, the TypeScript sources otherwise; and the same program either way.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { programPaths } from "../facts/project";
import { projectRoot } from "../facts/projectRoot";

const root = projectRoot();

function node(cwd: string, args: string[]): string {
    const run = spawnSync(process.execPath, args, { cwd, encoding: "utf8" });
    assert.strictEqual(run.status, 0, run.stderr);
    return run.stdout.trim();
}

describe("program.js, the entry point pulumi runs", function () {
    this.timeout(60_000);
    let copy: string;

    before(() => {
        // A copy of the program with the build `npm test` just made (bin/ is the build of these very sources).
        copy = fs.mkdtempSync(path.join(os.tmpdir(), "m365-entry-"));
        for (const entry of [...programPaths, "bin"]) {
            fs.cpSync(path.join(root, entry), path.join(copy, entry), { recursive: true });
        }
        fs.symlinkSync(path.join(root, "node_modules"), path.join(copy, "node_modules"), "dir");
    });

    after(() => fs.rmSync(copy, { recursive: true, force: true }));

    it("runs the compiled program when the build is of these sources, and the program is the same function", () => {
        assert.strictEqual(node(copy, ["program.js", "--which"]), "bin/index.js");
        const loaded = node(copy, [
            "-e",
            "const p = require('./program.js'); console.log(typeof p, Object.keys(require.cache).some((f) => f.endsWith('bin/index.js')))",
        ]);
        assert.strictEqual(loaded, "function true");
    });

    it("runs the TypeScript sources as soon as one source differs from the build, or there is no stamp", () => {
        const file = path.join(copy, "plan", "accessPlan.ts");
        const original = fs.readFileSync(file, "utf8");
        fs.writeFileSync(file, `${original}\n// changed after the build\n`);
        try {
            assert.strictEqual(node(copy, ["program.js", "--which"]), "index.ts");
            const loaded = node(copy, [
                "-e",
                "const p = require('./program.js'); console.log(typeof p, Object.keys(require.cache).some((f) => f.endsWith('bin/index.js')))",
            ]);
            assert.strictEqual(loaded, "function false", "the sources, through ts-node");
        } finally {
            fs.writeFileSync(file, original);
        }
        assert.strictEqual(node(copy, ["program.js", "--which"]), "bin/index.js", "back to the build once the sources match");
        fs.rmSync(path.join(copy, "bin", "program.digest"));
        assert.strictEqual(node(copy, ["program.js", "--which"]), "index.ts");
        node(copy, ["program.js", "--stamp"]);
        assert.strictEqual(node(copy, ["program.js", "--which"]), "bin/index.js");
    });

    it("digests every TypeScript folder of the program (facts/project.ts programPaths)", () => {
        const text = fs.readFileSync(path.join(root, "program.js"), "utf8");
        const listed = JSON.parse((/const sourceFolders = (\[[^\]]*\])/.exec(text) ?? [])[1] ?? "[]") as string[];
        const typescriptFolders = programPaths.filter((entry) => fs.statSync(path.join(root, entry)).isDirectory() && entry !== "scripts");
        assert.deepStrictEqual([...listed].sort(), [...typescriptFolders].sort());
    });
});
