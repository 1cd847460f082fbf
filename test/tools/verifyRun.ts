/**
 * Running `npm run verify` in the tests: the compiled command as a user runs it, against a mail lab
 * (fixtures/mailLab.ts), with the lab's CA trusted through NODE_EXTRA_CA_CERTS; and what its JSON report says.
 */
import * as assert from "assert";
import { ChildProcess, spawn } from "child_process";
import * as path from "path";
import { MailLab } from "../fixtures/mailLab";

const verifyScript = path.join(__dirname, "..", "..", "tools", "verify.js");

export interface VerifyRun {
    code: number | null;
    stdout: string;
    stderr: string;
    json?: { ok: boolean; rounds: number; results: { step: string; mailbox?: string; ok: boolean; detail: string; fix?: string }[] };
    ms: number;
}

/** Every verify process a test starts; ended after each test, so a failing test leaves nothing running. */
const children = new Set<ChildProcess>();
afterEach(() => {
    for (const child of children) {
        if (child.exitCode === null) child.kill("SIGKILL");
    }
    children.clear();
});

/** `npm run verify`'s compiled command for one tenant and client secret, run as a user runs it, against a lab. */
export function verifyRunner(tenant: string, secret: string) {
    return (lab: MailLab, args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string) => runVerify(lab, tenant, secret, args, env, cwd);
}

function runVerify(lab: MailLab, tenant: string, secret: string, args: string[], env: NodeJS.ProcessEnv, cwd?: string): Promise<VerifyRun> {
    const started = Date.now();
    const child = spawn(
        process.execPath,
        [
            verifyScript,
            "--json",
            "--tenant",
            tenant,
            "--authority",
            lab.authority,
            "--imap-host",
            "127.0.0.2",
            "--imap-port",
            String(lab.imapPort),
            "--pop-host",
            "127.0.0.2",
            "--pop-port",
            String(lab.popPort),
            "--smtp-host",
            "127.0.0.2",
            "--smtp-port",
            String(lab.smtpPort),
            "--timeout",
            "5s",
            ...args,
        ],
        {
            env: { ...process.env, NODE_EXTRA_CA_CERTS: lab.caFile, M365_CLIENT_SECRET: secret, ...env },
            cwd,
        },
    );
    children.add(child);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    return new Promise((resolve) =>
        child.on("close", (code) => {
            let json;
            try {
                json = JSON.parse(stdout);
            } catch {
                json = undefined;
            }
            resolve({ code, stdout, stderr, json, ms: Date.now() - started });
        }),
    );
}

export function result(run: VerifyRun, step: string, mailbox?: string) {
    const found = run.json?.results.find((r) => r.step === step && (mailbox === undefined || r.mailbox === mailbox));
    assert.ok(found, `no ${step} ${mailbox ?? ""} result in ${run.stdout}\n${run.stderr}`);
    return found;
}

/**
 * Verify logged in to every mailbox over every protocol listed for it: the token, then each mailbox's protocols, in
 * that order, all passed.
 */
export function assertLoggedInEverywhere(run: VerifyRun, mailboxes: readonly { address: string; protocols: readonly string[] }[]): void {
    assert.strictEqual(run.code, 0, run.stdout + run.stderr);
    assert.deepStrictEqual(
        run.json?.results.map((r) => [r.step, r.mailbox ?? "", r.ok]),
        [["token", "", true], ...mailboxes.flatMap((m) => m.protocols.map((protocol) => [protocol, m.address, true]))],
    );
}

/** The token and every listed protocol passed, in that order. */
export function assertAllPassed(run: VerifyRun, protocols: string[]): void {
    assert.deepStrictEqual(
        run.json?.results.map((r) => [r.step, r.ok]),
        [["token", true], ...protocols.map((protocol) => [protocol, true])],
    );
}
