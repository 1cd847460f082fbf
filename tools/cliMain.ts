/** Runs a command's `main` as `npm run <command>` does: lines to stdout and stderr, its code as the exit code. */
export type CommandMain = (argv: string[], out: (text: string) => void, err: (text: string) => void) => Promise<number>;

export function runMain(main: CommandMain): void {
    main(
        process.argv.slice(2),
        (text) => process.stdout.write(`${text}\n`),
        (text) => process.stderr.write(`${text}\n`),
    ).then(
        (code) => process.exit(code),
        (error) => {
            process.stderr.write(`${(error as Error).message}\n`);
            process.exit(1);
        },
    );
}
