/**
 * What the offline review can know of a stack that is already deployed, read from the state of Pulumi's local file
 * backend (the project's default): the current client secret's rotation and end date, so the review can show the
 * date itself rather than "N days after it is created". Other backends (Azure Blob, Pulumi Cloud) need credentials;
 * the review then says how the date is set, as for a new stack.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as zlib from "zlib";
import { parse } from "yaml";

export interface DeployedSecret {
    readonly rotation: number;
    readonly expiresAt: string;
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

/**
 * The stack's checkpoint file: `.pulumi/stacks/<project>/<stack>.json` (the layout since Pulumi 3.61), or the older
 * `.pulumi/stacks/<stack>.json`; gzipped when PULUMI_SELF_MANAGED_STATE_GZIP was set.
 */
function readCheckpoint(folder: string, project: string, stack: string): unknown {
    const stacks = path.join(folder, ".pulumi", "stacks");
    for (const base of [path.join(stacks, project, stack), path.join(stacks, stack)]) {
        for (const [suffix, decode] of [
            [".json", (data: Buffer) => data],
            [".json.gz", (data: Buffer) => zlib.gunzipSync(data)],
        ] as const) {
            const file = `${base}${suffix}`;
            if (fs.existsSync(file)) return JSON.parse(decode(fs.readFileSync(file)).toString("utf8"));
        }
    }
    return undefined;
}

/** The deployed current secret, from the stack outputs `secretRotation` and `clientSecretExpiresAt`, or undefined. */
export function deployedSecret(url: string | undefined, project: string, stack: string): DeployedSecret | undefined {
    const folder = url === undefined ? undefined : fileBackendFolder(url);
    if (folder === undefined) return undefined;
    let checkpoint: any;
    try {
        checkpoint = readCheckpoint(folder, project, stack);
    } catch {
        // A state file the review cannot read changes nothing it shows but the date: say how the date is set instead.
        return undefined;
    }
    const resources: any[] = checkpoint?.checkpoint?.latest?.resources ?? [];
    const outputs = resources.find((resource) => resource?.type === "pulumi:pulumi:Stack")?.outputs ?? {};
    const rotation = Number(outputs.secretRotation);
    const expiresAt = outputs.clientSecretExpiresAt;
    return Number.isInteger(rotation) && typeof expiresAt === "string" ? { rotation, expiresAt } : undefined;
}
