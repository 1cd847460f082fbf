/**
 * The entry point `pulumi` runs (Pulumi.yaml `main`). It runs the compiled program in bin/ when `npm run build`
 * made it from exactly the sources here, and otherwise the TypeScript sources through ts-node: a stale build is never
 * what deploys, and a fresh one saves the ~0.85 s ts-node spends transpiling the program on every `pulumi` run.
 *
 * Fresh means: bin/program.digest holds the digest of the program's TypeScript sources (the folders below, index.ts
 * and the tsconfig files), written by `npm run build` after tsc. Plain JavaScript, so it runs before any compiler.
 */
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

/** The TypeScript the program is compiled from (facts/project.ts programPaths; a test keeps the two equal). */
const sourceFolders = ["components", "config", "facts", "plan"];
const sourceFiles = ["index.ts", "tsconfig.json", "tsconfig.pulumi.json"];
const stampFile = path.join("bin", "program.digest");

function sourcesDigest(root) {
    const files = [...sourceFiles];
    const walk = (relative) => {
        for (const entry of fs.readdirSync(path.join(root, relative), { withFileTypes: true })) {
            const child = `${relative}/${entry.name}`;
            if (entry.isDirectory()) walk(child);
            else if (entry.name.endsWith(".ts")) files.push(child);
        }
    };
    sourceFolders.forEach(walk);
    const hash = crypto.createHash("sha256");
    for (const file of files.sort()) {
        hash.update(file)
            .update("\0")
            .update(fs.readFileSync(path.join(root, file)))
            .update("\0");
    }
    return hash.digest("hex");
}

/** Whether bin/ was built from exactly these sources. */
function compiledIsFresh(root) {
    const stamp = path.join(root, stampFile);
    return fs.existsSync(stamp) && fs.existsSync(path.join(root, "bin", "index.js")) && fs.readFileSync(stamp, "utf8").trim() === sourcesDigest(root);
}

if (require.main === module) {
    // `node program.js --stamp`: the last step of `npm run build`. `--which`: the entry a `pulumi` run would take.
    if (process.argv[2] === "--stamp") {
        fs.writeFileSync(path.join(__dirname, stampFile), `${sourcesDigest(__dirname)}\n`);
    } else if (process.argv[2] === "--which") {
        process.stdout.write(compiledIsFresh(__dirname) ? "bin/index.js\n" : "index.ts\n");
    } else {
        throw new Error("usage: node program.js --stamp | --which (pulumi runs this file as the program)");
    }
} else if (compiledIsFresh(__dirname)) {
    module.exports = require("./bin/index.js");
} else {
    // As Pulumi's own TypeScript support runs it: transpile only (npm test type-checks).
    require("ts-node").register({ transpileOnly: true, project: path.join(__dirname, "tsconfig.pulumi.json") });
    module.exports = require("./index.ts");
}
