/**
 * The rules the design relies on: plan/ stays pure (no @pulumi/* imports), checked by ESLint itself; and the
 * layers stay one-way (no module imports from a floor above its own), checked here over every source file.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { projectRoot } from "../facts/projectRoot";

describe("lint rules", function () {
    this.timeout(60_000);

    it("plan/ may not import @pulumi/*; components/ may", async () => {
        const { ESLint } = require("eslint") as typeof import("eslint");
        const eslint = new ESLint({ cwd: projectRoot() });
        const probe = 'import * as pulumi from "@pulumi/pulumi";\nexport const stack = pulumi.getStack;\n';
        const [inPlan] = await eslint.lintText(probe, { filePath: path.join(projectRoot(), "plan", "probe.ts") });
        assert.ok(
            inPlan.messages.some((m) => m.ruleId === "no-restricted-imports" && /plan\/ is pure/.test(m.message)),
            JSON.stringify(inPlan.messages),
        );
        const [inComponents] = await eslint.lintText(probe, { filePath: path.join(projectRoot(), "components", "probe.ts") });
        assert.deepStrictEqual(
            inComponents.messages.filter((m) => m.ruleId === "no-restricted-imports"),
            [],
        );
    });
});

/**
 * The floors the program is built in, lowest first: a module imports only from its own floor or the floors below.
 * Everything else (index.ts, tools/, policy/, test/) stands on top of them all.
 */
export const floors = ["facts", "config", "plan", "components"] as const;

function floorOf(relative: string): number {
    const index = floors.indexOf(relative.split("/")[0] as (typeof floors)[number]);
    return index < 0 ? floors.length : index;
}

/** The relative imports of `file` (a path from the project root) that reach a floor above its own. */
export function importsClimbing(file: string, source: string): string[] {
    const own = floorOf(file);
    const specifiers = [...source.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)["'](\.[^"']*)["']/gm)].map((m) => m[1]);
    return specifiers.filter((specifier) => {
        const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
        return floorOf(target) > own;
    });
}

function sourceFiles(dir: string): string[] {
    return fs.readdirSync(path.join(projectRoot(), dir), { withFileTypes: true }).flatMap((entry) => {
        const relative = `${dir}/${entry.name}`;
        if (entry.isDirectory()) return entry.name === "node_modules" ? [] : sourceFiles(relative);
        return /\.(ts|js)$/.test(entry.name) ? [relative] : [];
    });
}

describe("layers: facts/ < config/ < plan/ < components/ < index.ts, tools/, policy/, test/", () => {
    it("no module imports from a floor above its own", () => {
        const files = floors.flatMap((floor) => sourceFiles(floor));
        assert.ok(files.length > 20, files.join(" "));
        const climbing = files.flatMap((file) =>
            importsClimbing(file, fs.readFileSync(path.join(projectRoot(), file), "utf8")).map((specifier) => `${file}: ${specifier}`),
        );
        assert.deepStrictEqual(climbing, []);
    });

    it("the check sees an import that climbs, however it is written, and lets the others be", () => {
        assert.deepStrictEqual(importsClimbing("config/docs.ts", 'import { markdownTable } from "../tools/markdownTable";\n'), ["../tools/markdownTable"]);
        assert.deepStrictEqual(importsClimbing("config/certificateCredential.ts", 'import { rfc3339Seconds } from "../plan/rfc3339";\n'), ["../plan/rfc3339"]);
        assert.deepStrictEqual(importsClimbing("facts/x.ts", 'const { a } = require("../config/schema");\nimport "../index";\n'), [
            "../config/schema",
            "../index",
        ]);
        assert.deepStrictEqual(importsClimbing("plan/x.ts", 'const m = await import("../components/destroyGuard");\n'), ["../components/destroyGuard"]);
        assert.deepStrictEqual(
            importsClimbing("components/entraApplication/x.ts", 'import { a } from "../../tools/mockEngine";\nimport { b } from "../destroyGuard";\n'),
            ["../../tools/mockEngine"],
        );
        const allowed = [
            'import { a } from "./secretExpiry";',
            'import { b } from "../../plan/accessPlan";',
            'import { c } from "../../config/rfc3339";',
            'import { d } from "../../facts/microsoft";',
            'import * as pulumi from "@pulumi/pulumi";',
        ].join("\n");
        assert.deepStrictEqual(importsClimbing("components/entraApplication/x.ts", allowed), []);
    });
});
