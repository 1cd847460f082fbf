/**
 * npm run bench: evaluates the real program under Pulumi's mock engine for 1, 10, 100 and 1000 mailboxes and
 * prints how many resources it declares, how many Exchange Online sessions an update opens, the size of the
 * environment handed to PowerShell, and the wall time of the evaluation; then, where PowerShell 7 is installed, runs
 * the Exchange step against the stand-in Exchange Online: Exchange calls and wall time of a first run and of a
 * change to one mailbox, the size of the record and report the next run gets back, and their longest line (the
 * command provider hangs on a logged line of 64 KiB), up to 5000 mailboxes; and `npm run status` over 200 synthetic
 * stacks (statusBench.ts).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { MailProtocol } from "../../config/choices";
import { runProgram, stackConfig, types } from "../mockEngine";
import { CommandResource, findPwsh, pwshMissingMessage } from "../../test/scripts/commandProvider";
import { commandInputs, mailbox, StandInTenant } from "../../test/scripts/standInTenant";
import { isComponentType } from "../../facts/project";
import { parseRecordedState } from "../../components/exchangeMailboxAccess/exchangeRecord";
import { engineBench } from "./engineBench";
import { statusBench } from "./statusBench";

const sizes = [1, 10, 100, 1000];
const protocolMix: MailProtocol[][] = [["imap"], ["pop", "smtp"], ["imap", "smtp"], ["smtp"]];

function mailboxes(count: number): { address: string; protocols: MailProtocol[] }[] {
    return Array.from({ length: count }, (_, i) => ({ address: `mailbox-${i}@contoso.com`, protocols: protocolMix[i % protocolMix.length] }));
}

function config(count: number): Record<string, string> {
    return stackConfig({ displayName: "bench", mailboxes: mailboxes(count), exchange: { organization: "contoso.onmicrosoft.com", auth: "interactive" } });
}

async function main(): Promise<void> {
    // The program checks pwsh is on PATH before an update; nothing runs it under the mock engine.
    const pwshDir = fs.mkdtempSync(path.join(os.tmpdir(), "m365-bench-"));
    fs.writeFileSync(path.join(pwshDir, "pwsh"), "#!/bin/sh\nexit 0\n", { mode: 0o755 });
    process.env.PATH = `${pwshDir}${path.delimiter}${process.env.PATH ?? ""}`;
    // One warm-up run loads the SDKs, so the rows compare the program, not module loading.
    await runProgram(config(1));
    const rows: string[][] = [["mailboxes", "resources", "exchange sessions/update", "environment KiB", "wall ms"]];
    try {
        for (const count of sizes) {
            const started = process.hrtime.bigint();
            const run = await runProgram(config(count));
            const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
            if (run.error) {
                throw run.error;
            }
            const custom = run.resources.filter((resource) => !isComponentType(resource.type));
            const commands = run.resources.filter((resource) => resource.type === types.command);
            const environmentBytes = commands.reduce(
                (sum, command) =>
                    sum + Object.entries(command.inputs.environment as Record<string, string>).reduce((s, [k, v]) => s + k.length + String(v).length + 2, 0),
                0,
            );
            rows.push([String(count), String(custom.length), String(commands.length), (environmentBytes / 1024).toFixed(1), elapsedMs.toFixed(0)]);
        }
    } finally {
        fs.rmSync(pwshDir, { recursive: true, force: true });
    }
    const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
    for (const row of rows) {
        console.log(row.map((cell, column) => cell.padStart(widths[column])).join("  "));
    }
}

/**
 * The Exchange step for real: the scripts under PowerShell 7 against the stand-in Exchange Online, as the command
 * provider runs them. Exchange cmdlet calls and wall time of a first run and of a change to one mailbox.
 */
function exchangeBench(): void {
    const pwsh = findPwsh();
    if (pwsh === undefined) {
        console.log(`\nExchange step: not measured (${pwshMissingMessage}).`);
        return;
    }
    const rows: string[][] = [
        [
            "smtp authorization",
            "mailboxes",
            "first run calls",
            "first run s",
            "one-mailbox change calls",
            "one-mailbox change s",
            "record KiB",
            "report KiB",
            "longest stdout line KiB",
            "longest stderr line KiB",
        ],
    ];
    // 5000 mailboxes once: the longest output line against the command provider's 64 KiB log-line limit.
    const sizes = [
        ...(["mailboxPermission", "appRbac"] as const).flatMap((mode) => [10, 100, 1000].map((n) => [mode, n] as const)),
        ["mailboxPermission", 5000] as const,
    ];
    for (const [smtpAuthorization, count] of sizes) {
        const list = mailboxes(count);
        const tenant = new StandInTenant({ mailboxes: Object.fromEntries(list.map((box) => [box.address, mailbox(box.address)])) });
        try {
            const command = new CommandResource(() => pwsh, tenant.machine());
            let recordBytes = 0;
            let reportBytes = 0;
            let longestOut = 0;
            let longestErr = 0;
            const timed = (protocolsOfFirst: MailProtocol[]): [number, number] => {
                tenant.clearLog();
                const started = process.hrtime.bigint();
                const run = command.up(
                    commandInputs({
                        mailboxes: list.map((box, i) => (i === 0 ? { ...box, protocols: protocolsOfFirst } : box)),
                        connection: { smtpAuthorization, appRbacGroup: "bench-smtp-senders" },
                    }),
                );
                const seconds = Number(process.hrtime.bigint() - started) / 1e9;
                if (!run || run.code !== 0) {
                    throw new Error(`the Exchange run failed: ${run?.stderr}`);
                }
                if (parseRecordedState(run.stdout)?.failures.length) {
                    throw new Error(`the Exchange run recorded failures: ${run.stderr}`);
                }
                // What comes back to the next run as one environment variable each (Linux: at most 128 KiB).
                recordBytes = Math.max(recordBytes, Buffer.byteLength(run.stdout));
                reportBytes = Math.max(reportBytes, Buffer.byteLength(run.stderr));
                // pulumi-command logs each line through a 64 KiB scanner; a longer logged line hangs the update.
                longestOut = Math.max(longestOut, longestLine(run.stdout));
                longestErr = Math.max(longestErr, longestLine(run.stderr));
                return [tenant.calls().length, seconds];
            };
            const [firstCalls, firstSeconds] = timed(list[0].protocols);
            const [changeCalls, changeSeconds] = timed(["imap", "pop", "smtp"]);
            rows.push([
                smtpAuthorization,
                String(count),
                String(firstCalls),
                firstSeconds.toFixed(1),
                String(changeCalls),
                changeSeconds.toFixed(1),
                (recordBytes / 1024).toFixed(1),
                (reportBytes / 1024).toFixed(1),
                (longestOut / 1024).toFixed(1),
                (longestErr / 1024).toFixed(1),
            ]);
        } finally {
            tenant.dispose();
        }
    }
    console.log(`\nExchange step under ${pwsh} (stand-in Exchange Online):`);
    printTable(rows);
}

/** The longest line of an output, in bytes. */
function longestLine(text: string): number {
    return Math.max(0, ...text.split("\n").map((line) => Buffer.byteLength(line)));
}

function printTable(rows: string[][]): void {
    const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
    for (const row of rows) {
        console.log(row.map((cell, column) => cell.padStart(widths[column])).join("  "));
    }
}

main()
    .then(() => statusBench(printTable))
    .then(exchangeBench)
    .then(() => engineBench(printTable))
    .catch((error) => {
        console.error(error);
        process.exit(1);
    });
