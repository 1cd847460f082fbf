/**
 * What the offline review can know of a stack that is already deployed, read from the state of Pulumi's local file
 * backend (the project's default, read as status reads it: tools/state/fileBackend.ts): the current client secret's
 * rotation and end date, so the review can show the date itself rather than "N days after it is created". Other
 * backends (Azure Blob, Pulumi Cloud) need credentials; the review then says how the date is set, as for a new stack.
 */
import { FileBackend, fileBackendFolder, LatestState } from "../state/fileBackend";

export interface DeployedSecret {
    readonly rotation: number;
    readonly expiresAt: string;
}

/** The deployed current secret, from the stack outputs `secretRotation` and `clientSecretExpiresAt`, or undefined. */
export function deployedSecret(url: string | undefined, project: string, stack: string): DeployedSecret | undefined {
    const folder = url === undefined ? undefined : fileBackendFolder(url);
    if (folder === undefined) return undefined;
    let latest: LatestState | undefined;
    try {
        latest = new FileBackend(folder, project).latest(stack);
    } catch {
        // A state file the review cannot read changes nothing it shows but the date: say how the date is set instead.
        return undefined;
    }
    const outputs: Record<string, unknown> = latest?.resources?.find((resource) => resource?.type === "pulumi:pulumi:Stack")?.outputs ?? {};
    const rotation = Number(outputs.secretRotation);
    const expiresAt = outputs.clientSecretExpiresAt;
    return Number.isInteger(rotation) && typeof expiresAt === "string" ? { rotation, expiresAt } : undefined;
}
