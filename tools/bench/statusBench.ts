/**
 * `npm run status` over a fleet: 20 and 200 synthetic stacks (syntheticStacks.ts) in a local file backend, timed
 * from reading the stack files, checkpoints, histories and verify records to the rendered table.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { statusReport } from "../status/decide";
import { renderStatus } from "../status/render";
import { readStackFacts } from "../status/stateReader";
import { fleet, writeSyntheticStacks } from "./syntheticStacks";

export async function statusBench(printTable: (rows: string[][]) => void): Promise<void> {
    const rows: string[][] = [["stacks", "need action", "read ms", "decide+render ms", "total ms"]];
    for (const count of [20, 200]) {
        const base = fs.mkdtempSync(path.join(os.tmpdir(), "m365-status-bench-"));
        try {
            const root = path.join(base, "project");
            const backend = path.join(base, "state");
            const now = new Date();
            writeSyntheticStacks(root, backend, fleet(count), now);
            const started = process.hrtime.bigint();
            const facts = await readStackFacts({ root, env: { PULUMI_BACKEND_URL: `file://${backend}` } });
            const read = process.hrtime.bigint();
            const report = statusReport(facts, now);
            renderStatus(report, "table");
            const done = process.hrtime.bigint();
            const ms = (from: bigint, to: bigint) => (Number(to - from) / 1e6).toFixed(0);
            rows.push([
                String(facts.length),
                String(report.stacks.filter((s) => s.actions.length > 0).length),
                ms(started, read),
                ms(read, done),
                ms(started, done),
            ]);
        } finally {
            fs.rmSync(base, { recursive: true, force: true });
        }
    }
    console.log("\nnpm run status over synthetic stacks (local file backend):");
    printTable(rows);
}
