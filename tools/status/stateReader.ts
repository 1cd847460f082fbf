/**
 * Gathers every stack's facts (stackFacts.ts) for `npm run status`, signing in to no tenant: the project's
 * Pulumi.<stack>.yaml files, the last `verify` records, and what the backend holds.
 *
 * A local file backend is read directly (tools/state/fileBackend.ts: its layouts, gzip or zstd, and the history: each
 * update, refresh, destroy or import adds an UpdateInfo: kind, startTime, config, result, endTime, in seconds). Any
 * other backend is read through the CLI, with its own sign-in: `pulumi stack ls --json`, `pulumi stack export` and
 * `pulumi stack history --json` (which shows a secret config value only as `secret: true`).
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { grantedMailboxes, parseRecordedState, RecordedExchangeState } from "../../components/exchangeMailboxAccess/exchangeRecord";
import { formatProblems, validateStackConfig } from "../../config/validate";
import { defaults } from "../../config/choices";
import { resourceTypes } from "../../facts/project";
import { readStackText } from "../review/stackFile";
import { backendUrl, decodeStateFile, FileBackend, fileBackendFolder, StateResource } from "../state/fileBackend";
import { readVerifyRecord } from "../verify/record";
import { ConfigMap, configValueOf, DeployedFacts, OperationFacts, StackFacts, StackFileFacts } from "./stackFacts";

/** An entry of the history, before it is told apart: the file's UpdateInfo or the CLI's JSON. */
interface HistoryEntry extends OperationFacts {
    readonly config: ConfigMap;
}

/** The stacks that have a Pulumi.<stack>.yaml in the project folder. */
export function stackFilesIn(root: string): string[] {
    return fs
        .readdirSync(root)
        .map((name) => /^Pulumi\.(.+)\.yaml$/.exec(name)?.[1])
        .filter((name): name is string => name !== undefined)
        .sort();
}

export function projectName(root: string): string {
    return (parse(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) as { name: string }).name;
}

/** The stack file's config as values to compare, its thresholds and mailboxes (defaults where it is invalid). */
export function stackFileFacts(text: string, file: string, project: string): StackFileFacts {
    const config: Record<string, ReturnType<typeof configValueOf>> = {};
    let problems: string | undefined;
    try {
        // Read as the review reads it first: a YAML mistake is named with its line.
        const raw = readStackText(text, file, project);
        const document = (parse(text) ?? {}) as { config?: Record<string, unknown> };
        for (const [key, value] of Object.entries(document.config ?? {})) {
            if (value === null || value === undefined) continue;
            config[key.includes(":") ? key : `${project}:${key}`] = configValueOf(value);
        }
        const validation = validateStackConfig(raw);
        if (validation.ok) {
            const { secretWarnDays, secretHandoverDays, mailboxes } = validation.settings;
            return { config, secretWarnDays, secretHandoverDays, mailboxes: mailboxes.map((mailbox) => mailbox.address) };
        }
        problems = formatProblems(validation.problems);
    } catch (error) {
        problems = (error as Error).message;
    }
    return { config, problems, secretWarnDays: defaults.secretWarnDays, secretHandoverDays: defaults.secretHandoverDays, mailboxes: [] };
}

/** What status reads of a stack's resources: outputs, the current secret's creation, the Exchange step's record. */
export function deployedFacts(resources: readonly StateResource[], pendingOperations: number): DeployedFacts {
    const outputs = resources.find((resource) => resource.type === "pulumi:pulumi:Stack")?.outputs ?? {};
    const text = (name: string) => (typeof outputs[name] === "string" ? (outputs[name] as string) : undefined);
    const rotation = outputs.secretRotation;
    const currentKeyId = text("clientSecretKeyId");
    const currentSecret = resources.find(
        (resource) => resource.type === resourceTypes.password && currentKeyId !== undefined && resource.outputs?.keyId === currentKeyId,
    );
    let exchange: DeployedFacts["exchange"];
    for (const resource of resources.filter((candidate) => candidate.type === resourceTypes.command)) {
        const stdout = resource.outputs?.stdout;
        // A secret stdout (an object with a ciphertext) cannot be read without the passphrase: no record then.
        if (typeof stdout !== "string") continue;
        let record: RecordedExchangeState | undefined;
        try {
            record = parseRecordedState(stdout);
        } catch {
            record = undefined;
        }
        if (!record) continue;
        exchange = {
            ...((resource.modified ?? resource.created) ? { lastRun: resource.modified ?? resource.created } : {}),
            ...(record.reconcileRun ? { reconcileRun: record.reconcileRun } : {}),
            granted: grantedMailboxes(record),
            failed: record.failures ?? [],
        };
    }
    return {
        // The stack itself and the providers are there even in a stack whose resources are all gone.
        resourceCount: resources.filter((resource) => resource.type !== "pulumi:pulumi:Stack" && !resource.type?.startsWith("pulumi:providers:")).length,
        ...(typeof rotation === "number" ? { secretRotation: rotation } : {}),
        ...(currentKeyId ? { clientSecretKeyId: currentKeyId } : {}),
        ...(text("clientSecretExpiresAt") ? { clientSecretExpiresAt: text("clientSecretExpiresAt") } : {}),
        ...(text("providerStack") ? { providerStack: text("providerStack") } : {}),
        ...(text("previousClientSecretExpiresAt") ? { previousClientSecretExpiresAt: text("previousClientSecretExpiresAt") } : {}),
        ...(text("certificateExpiresAt") ? { certificateExpiresAt: text("certificateExpiresAt") } : {}),
        ...(currentSecret?.created ? { currentSecretCreatedAt: currentSecret.created } : {}),
        ...(exchange ? { exchange } : {}),
        pendingOperations,
    };
}

/** The newest operation, and the newest successful update with its config, from entries newest first. */
function fromHistory(entries: Iterable<HistoryEntry>): Pick<StackFacts, "lastOperation" | "lastDeploy"> {
    let lastOperation: OperationFacts | undefined;
    for (const entry of entries) {
        const { config, ...operation } = entry;
        lastOperation ??= operation;
        if (entry.kind === "update" && entry.result === "succeeded") return { lastOperation, lastDeploy: { ...operation, config } };
    }
    return lastOperation ? { lastOperation } : {};
}

// --- the local file backend, read directly ---

const fromUnixSeconds = (seconds: unknown) => (typeof seconds === "number" && seconds > 0 ? new Date(seconds * 1000).toISOString() : undefined);

/** What a local backend holds of one stack: its checkpoint and its history. */
export function fileBackendFacts(backend: FileBackend, stack: string): Pick<StackFacts, "deployed" | "lastOperation" | "lastDeploy" | "readProblem"> {
    if (backend.checkpointFile(stack) === undefined) return {};
    try {
        const latest = backend.latest(stack);
        return { deployed: deployedFacts(latest?.resources ?? [], latest?.pending_operations?.length ?? 0), ...fromHistory(fileHistory(backend, stack)) };
    } catch (error) {
        return { readProblem: (error as Error).message };
    }
}

/** The history entries newest first, read one at a time as needed. */
function* fileHistory(backend: FileBackend, stack: string): Generator<HistoryEntry> {
    for (const file of backend.historyFiles(stack)) {
        const info = decodeStateFile(file) as {
            kind?: string;
            result?: string;
            startTime?: number;
            endTime?: number;
            config?: Record<string, unknown>;
        };
        const endedAt = fromUnixSeconds(info.endTime);
        yield {
            kind: info.kind ?? "update",
            result: info.result ?? "unknown",
            startedAt: fromUnixSeconds(info.startTime) ?? "",
            ...(endedAt ? { endedAt } : {}),
            config: Object.fromEntries(Object.entries(info.config ?? {}).map(([key, value]) => [key, configValueOf(value)])),
        };
    }
}

// --- any other backend, through the CLI ---

export type CliRunner = (args: readonly string[]) => Promise<{ code: number; stdout: string; stderr: string }>;

/** Runs `pulumi` in the project folder with the environment given. */
export function pulumiRunner(root: string, env: NodeJS.ProcessEnv): CliRunner {
    return (args) =>
        new Promise((resolve, reject) => {
            const child = spawn("pulumi", [...args, "--non-interactive"], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
            let stdout = "";
            let stderr = "";
            child.stdout.on("data", (chunk) => (stdout += chunk));
            child.stderr.on("data", (chunk) => (stderr += chunk));
            child.on("error", reject);
            child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
        });
}

interface CliHistoryEntry {
    kind?: string;
    result?: string;
    startTime?: string;
    endTime?: string;
    config?: Record<string, { value?: string; objectValue?: unknown; secret?: boolean }>;
}

function cliConfigValue(value: { value?: string; objectValue?: unknown; secret?: boolean }) {
    if (value.secret) return { secret: true as const };
    return value.objectValue !== undefined ? configValueOf(value.objectValue) : { value: value.value ?? "" };
}

export async function cliStacks(run: CliRunner): Promise<string[]> {
    const listed = await run(["stack", "ls", "--json"]);
    if (listed.code !== 0) throw new Error(`pulumi stack ls failed: ${listed.stderr.trim()}`);
    return (JSON.parse(listed.stdout) as { name: string }[]).map((entry) => entry.name.split("/").pop()!);
}

export async function cliFacts(run: CliRunner, stack: string): Promise<Pick<StackFacts, "deployed" | "lastOperation" | "lastDeploy" | "readProblem">> {
    const exported = await run(["stack", "export", "--stack", stack]);
    if (exported.code !== 0) return { readProblem: `pulumi stack export failed: ${exported.stderr.trim()}` };
    const deployment = (JSON.parse(exported.stdout) as { deployment?: { resources?: StateResource[]; pending_operations?: unknown[] } }).deployment;
    const history = await run(["stack", "history", "--json", "--stack", stack, "--page-size", "20"]);
    const entries = history.code === 0 ? (JSON.parse(history.stdout || "[]") as CliHistoryEntry[]) : [];
    return {
        deployed: deployedFacts(deployment?.resources ?? [], deployment?.pending_operations?.length ?? 0),
        ...fromHistory(
            entries.map((entry) => ({
                kind: entry.kind ?? "update",
                result: entry.result ?? "unknown",
                startedAt: entry.startTime ?? "",
                ...(entry.endTime ? { endedAt: entry.endTime } : {}),
                config: Object.fromEntries(Object.entries(entry.config ?? {}).map(([key, value]) => [key, cliConfigValue(value)])),
            })),
        ),
    };
}

export interface ReadOptions {
    /** The project folder (Pulumi.yaml, the stack files, .m365/verify). */
    readonly root: string;
    readonly env?: NodeJS.ProcessEnv;
    /** Only this stack. */
    readonly stack?: string;
    /** How `pulumi` runs for a backend that is not a local folder. */
    readonly run?: CliRunner;
}

/** Every stack's facts: the stack files' and the backend's stacks, by name. */
export async function readStackFacts(options: ReadOptions): Promise<StackFacts[]> {
    const { root } = options;
    const env = options.env ?? process.env;
    const project = projectName(root);
    const url = backendUrl(root, env);
    const folder = url === undefined ? undefined : fileBackendFolder(url);
    const fileBackend = folder === undefined ? undefined : new FileBackend(folder, project);
    const run = options.run ?? pulumiRunner(root, env);
    const inBackend = fileBackend ? fileBackend.stacks() : await cliStacks(run);
    const names = [...new Set([...stackFilesIn(root), ...inBackend])].filter((name) => options.stack === undefined || name === options.stack).sort();
    const known = new Set(inBackend);
    const one = async (stack: string): Promise<StackFacts> => {
        const file = path.join(root, `Pulumi.${stack}.yaml`);
        const stackFile = fs.existsSync(file) ? stackFileFacts(fs.readFileSync(file, "utf8"), file, project) : undefined;
        const verify = readVerifyRecord(root, stack);
        const state = !known.has(stack) ? {} : fileBackend ? fileBackendFacts(fileBackend, stack) : await cliFacts(run, stack);
        return { stack, ...(stackFile ? { stackFile } : {}), ...state, ...(verify ? { verify } : {}) };
    };
    if (fileBackend) return Promise.all(names.map(one));
    // Through the CLI, a few stacks at a time: each is a process of its own.
    const results: StackFacts[] = [];
    for (let index = 0; index < names.length; index += 4) results.push(...(await Promise.all(names.slice(index, index + 4).map(one))));
    return results;
}
