/**
 * The last `npm run verify -- --stack <name>` result, kept for `npm run status` (tools/status/): one small JSON file
 * per stack in the project, `.m365/verify/<stack>.json` (git-ignored). It holds when, whether it passed, with which
 * secret rotation, and per check its step, mailbox and fix; never the secret, a token or a server's reply.
 */
import * as fs from "fs";
import * as path from "path";
import { CheckResult } from "./types";

export interface VerifyRecord {
    readonly stack: string;
    /** When the last round finished (RFC 3339). */
    readonly at: string;
    readonly ok: boolean;
    /** The rotation number of the secret that signed in (the stack's `secretRotation` output), when known. */
    readonly secretRotation?: number;
    readonly clientId: string;
    readonly rounds: number;
    readonly checks: readonly { step: string; mailbox?: string; ok: boolean; fix?: string }[];
}

/** Where a stack's record lives, under the project root. */
export function verifyRecordFile(root: string, stack: string): string {
    return path.join(root, ".m365", "verify", `${stack}.json`);
}

/** The record of one run: only what names the check and its fix (a check's detail may quote a server). */
export function verifyRecord(
    stack: string,
    at: Date,
    target: { clientId: string; secretRotation?: number },
    run: { results: readonly CheckResult[]; rounds: number },
): VerifyRecord {
    return {
        stack,
        at: at.toISOString(),
        ok: run.results.every((result) => result.ok),
        ...(target.secretRotation !== undefined ? { secretRotation: target.secretRotation } : {}),
        clientId: target.clientId,
        rounds: run.rounds,
        checks: run.results.map((result) => ({
            step: result.step,
            ...(result.mailbox !== undefined ? { mailbox: result.mailbox } : {}),
            ok: result.ok,
            ...(result.fix !== undefined ? { fix: result.fix } : {}),
        })),
    };
}

export function writeVerifyRecord(root: string, record: VerifyRecord): string {
    const file = verifyRecordFile(root, record.stack);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
    return file;
}

/** The stack's last record, or undefined when verify never ran for it here (or the file is not a record). */
export function readVerifyRecord(root: string, stack: string): VerifyRecord | undefined {
    let record: Partial<VerifyRecord>;
    try {
        record = JSON.parse(fs.readFileSync(verifyRecordFile(root, stack), "utf8")) as Partial<VerifyRecord>;
    } catch {
        return undefined;
    }
    return typeof record.at === "string" && typeof record.ok === "boolean" && Array.isArray(record.checks) ? (record as VerifyRecord) : undefined;
}
