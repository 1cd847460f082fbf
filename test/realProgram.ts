/**
 * Suites that need a real program (PowerShell, the Pulumi engine, Dovecot) get it here. Without it they are skipped,
 * with one line per program for the whole run saying how to get it, or they fail where a variable says the program
 * is required (`npm run test:exchange`, `npm run test:e2e`, CI).
 */
export interface RealProgram {
    /** What is skipped without it, e.g. "Exchange suites under PowerShell". */
    readonly suites: string;
    /** The environment variable that, set to 1, makes a missing program a failure. */
    readonly requireVariable: string;
    /** What is missing and how to get it. */
    readonly missing: string;
}

const skipNoticesShown = new Set<string>();

/** For a suite's `before`: `found`, or the suite skipped (or failed, when required) as described above. */
export function foundOrSkip<T>(context: Mocha.Context, found: T | undefined, program: RealProgram): T {
    if (found !== undefined) {
        return found;
    }
    if (process.env[program.requireVariable] === "1") {
        throw new Error(program.missing);
    }
    if (!skipNoticesShown.has(program.suites)) {
        console.log(`    ${program.suites} skipped: ${program.missing}.`);
        skipNoticesShown.add(program.suites);
    }
    return context.skip();
}
