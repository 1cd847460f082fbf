// The tests drive the program through the same mock engine as `npm run review`.
export * from "../tools/mockEngine";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/**
 * For the calling suite, an executable `pwsh` standing in for PowerShell first on PATH (an update's program only
 * checks it is there); scoped to the suite, since the Exchange suites look for a real pwsh and must never find this
 * one. Returns the file's path once the suite has started.
 */
export function fakePwshOnPath(): () => string {
    let dir = "";
    let saved: string | undefined;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "m365-pwsh-"));
        fs.writeFileSync(path.join(dir, "pwsh"), "#!/bin/sh\nexit 0\n", { mode: 0o755 });
        saved = process.env.PATH;
        process.env.PATH = `${dir}${path.delimiter}${saved ?? ""}`;
    });
    after(() => {
        process.env.PATH = saved;
        fs.rmSync(dir, { recursive: true, force: true });
    });
    return () => path.join(dir, "pwsh");
}

/**
 * Runs `action` with the global clock replaced: every `new Date()` and `Date.now()` reads `now()`. Dates built
 * from a value are unchanged.
 */
export async function withClock<T>(now: (real: number) => number, action: () => Promise<T>): Promise<T> {
    const RealDate = Date;
    class ShiftedDate extends RealDate {
        constructor(...args: any[]) {
            if (args.length === 0) {
                super(now(RealDate.now()));
            } else {
                super(...(args as [number]));
            }
        }
        static override now(): number {
            return now(RealDate.now());
        }
    }
    (globalThis as any).Date = ShiftedDate;
    try {
        return await action();
    } finally {
        (globalThis as any).Date = RealDate;
    }
}
