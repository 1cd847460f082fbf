/**
 * Pulumi's local file backend (the project's default), read directly, as Pulumi 3.248's DIY backend lays it out
 * (pulumi/pulumi, pkg/backend/diy/store.go and state.go at v3.248.0): `.pulumi/meta.yaml` says `version: 1` for the
 * project layout, `.pulumi/stacks/<project>/<stack>.json` (the legacy layout, without meta.yaml:
 * `.pulumi/stacks/<stack>.json`), `.gz` or `.zst` appended when DIY_BACKEND_GZIP or DIY_BACKEND_ZSTD is set; each
 * update, refresh, destroy or import (not a preview) adds
 * `.pulumi/history/<project>/<stack>/<stack>-<unix nanoseconds>.history.json` beside a copy of the checkpoint.
 * The one reader of these files: status (tools/status/stateReader.ts) and the offline review's deployed secret
 * (tools/review/deployedState.ts) both read through it.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as zlib from "zlib";
import { parse } from "yaml";

/** A resource as a checkpoint or `pulumi stack export` holds it. */
export interface StateResource {
    readonly urn?: string;
    readonly type?: string;
    readonly outputs?: Record<string, unknown>;
    readonly created?: string;
    readonly modified?: string;
}

/** A checkpoint's `latest`: the resources and the operations an interrupted run left pending. */
export interface LatestState {
    readonly resources?: StateResource[];
    readonly pending_operations?: unknown[];
}

/** The backend a `pulumi` run in this project uses: PULUMI_BACKEND_URL, else Pulumi.yaml's `backend.url`. */
export function backendUrl(root: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
    if (env.PULUMI_BACKEND_URL) return env.PULUMI_BACKEND_URL;
    const project = parse(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) as { backend?: { url?: string } } | null;
    return project?.backend?.url;
}

/** The folder of a file backend (`file://~` is the home folder, as the CLI reads it), or undefined for another. */
export function fileBackendFolder(url: string): string | undefined {
    if (!url.startsWith("file://")) return undefined;
    const folder = url.slice("file://".length);
    return folder === "~" || folder.startsWith("~/") ? path.join(os.homedir(), folder.slice(1)) : folder;
}

const stateFile = /^(.+)\.json(\.gz|\.zst)?$/;
const stateSuffixes = ["", ".gz", ".zst"];

/** A state file's JSON: plain, gzip or zstd, by its name. */
export function decodeStateFile(file: string): unknown {
    const data = fs.readFileSync(file);
    if (file.endsWith(".gz")) return JSON.parse(zlib.gunzipSync(data).toString("utf8"));
    if (file.endsWith(".zst")) {
        const zstd = (zlib as unknown as { zstdDecompressSync?: (data: Buffer) => Buffer }).zstdDecompressSync;
        if (!zstd) throw new Error(`${path.basename(file)} is zstd-compressed (DIY_BACKEND_ZSTD), which needs Node.js 22.15 or newer to read`);
        return JSON.parse(zstd(data).toString("utf8"));
    }
    return JSON.parse(data.toString("utf8"));
}

/** A local backend's folders for one project: where its stacks' checkpoints and histories lie. */
export class FileBackend {
    private readonly stacksDir: string;
    /** The other layout's stacks folder, where a checkpoint is looked for second. */
    private readonly otherStacksDir: string;
    private readonly historyDir: string;

    constructor(folder: string, project: string) {
        let version: number;
        try {
            version = Number((parse(fs.readFileSync(path.join(folder, ".pulumi", "meta.yaml"), "utf8")) as { version?: number } | null)?.version ?? 0);
        } catch {
            version = 0;
        }
        // Version 1 is the project layout (store.go's projectReferenceStore); without meta.yaml, the legacy one.
        const scope = version >= 1 ? [project] : [];
        this.stacksDir = path.join(folder, ".pulumi", "stacks", ...scope);
        this.otherStacksDir = path.join(folder, ".pulumi", "stacks", ...(version >= 1 ? [] : [project]));
        this.historyDir = path.join(folder, ".pulumi", "history", ...scope);
    }

    /** The stacks the layout's folder holds. */
    public stacks(): string[] {
        if (!fs.existsSync(this.stacksDir)) return [];
        return fs
            .readdirSync(this.stacksDir, { withFileTypes: true })
            .filter((entry) => entry.isFile())
            .map((entry) => stateFile.exec(entry.name)?.[1])
            .filter((name): name is string => name !== undefined);
    }

    /**
     * The stack's checkpoint file, or undefined when it has none. Asked for a stack by name, the other layout's
     * folder is looked in second, as the review always has: a checkpoint at `<project>/<stack>.json` names its stack
     * whether or not meta.yaml is there to say the layout.
     */
    public checkpointFile(stack: string): string | undefined {
        return [this.stacksDir, this.otherStacksDir]
            .flatMap((dir) => stateSuffixes.map((suffix) => path.join(dir, `${stack}.json${suffix}`)))
            .find((candidate) => fs.existsSync(candidate));
    }

    /** The stack's latest state, or undefined when it has no checkpoint; throws when the file cannot be read. */
    public latest(stack: string): LatestState | undefined {
        const file = this.checkpointFile(stack);
        if (file === undefined) return undefined;
        return (decodeStateFile(file) as { checkpoint?: { latest?: LatestState } }).checkpoint?.latest ?? {};
    }

    /** The stack's history files, newest first (their names carry the time in nanoseconds). */
    public historyFiles(stack: string): string[] {
        const dir = path.join(this.historyDir, stack);
        if (!fs.existsSync(dir)) return [];
        const pattern = new RegExp(`^${stack.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}-(\\d+)\\.history\\.json(\\.gz|\\.zst)?$`);
        return fs
            .readdirSync(dir)
            .map((name) => ({ name, time: pattern.exec(name)?.[1] }))
            .filter((entry): entry is { name: string; time: string } => entry.time !== undefined)
            .sort((a, b) => b.time.length - a.time.length || (a.time < b.time ? 1 : a.time > b.time ? -1 : 0))
            .map(({ name }) => path.join(dir, name));
    }
}
