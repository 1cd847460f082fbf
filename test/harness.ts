// The tests drive the program through the same mock engine as `npm run review`.
export * from "../tools/mockEngine";

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
