/**
 * What `npm run status` knows of one stack, gathered without signing in to any tenant: its stack file, the state the
 * backend holds, the backend's update history and the last `verify` record. The reader (stateReader.ts) fills it
 * from the backend; the decision (decide.ts) reads nothing else, so a scheduled job can hand it facts of its own.
 */
import { VerifyRecord } from "../verify/record";

/** A config value as the stack file or an update recorded it: plain text (objects as canonical JSON) or a secret. */
export type ConfigValue = { readonly value: string } | { readonly secret: true; readonly ciphertext?: string };

export type ConfigMap = Readonly<Record<string, ConfigValue>>;

/** The stack's settings from Pulumi.<stack>.yaml, as far as status needs them. */
export interface StackFileFacts {
    readonly config: ConfigMap;
    /** The config's validation problems (config/validate.ts), when it is invalid. */
    readonly problems?: string;
    readonly secretWarnDays: number;
    readonly secretHandoverDays: number;
    readonly mailboxes: readonly string[];
}

/** One entry of the backend's history (`pulumi stack history`): an update, refresh, destroy or import. */
export interface OperationFacts {
    readonly kind: string;
    /** succeeded, failed or in-progress */
    readonly result: string;
    readonly startedAt: string;
    readonly endedAt?: string;
}

/** What the Exchange step recorded in the state (components/exchangeMailboxAccess/exchangeRecord.ts). */
export interface ExchangeFacts {
    /** When the engine last ran the command (its `modified` time in the state). */
    readonly lastRun?: string;
    readonly reconcileRun?: string;
    readonly granted: readonly string[];
    readonly failed: readonly { readonly address: string; readonly message: string }[];
}

export interface DeployedFacts {
    readonly resourceCount: number;
    readonly secretRotation?: number;
    readonly clientSecretKeyId?: string;
    readonly clientSecretExpiresAt?: string;
    readonly previousClientSecretExpiresAt?: string;
    readonly certificateExpiresAt?: string;
    /** A customer's stack of a provider's multi-tenant app: the provider's stack, fully named. */
    readonly providerStack?: string;
    /** When the current secret was made (its resource's `created` time in the state). */
    readonly currentSecretCreatedAt?: string;
    readonly exchange?: ExchangeFacts;
    /** Operations the engine began and did not finish (an interrupted update). */
    readonly pendingOperations: number;
}

export interface StackFacts {
    readonly stack: string;
    /** Absent: the backend holds the stack but this project has no Pulumi.<stack>.yaml. */
    readonly stackFile?: StackFileFacts;
    /** Absent: the backend holds no such stack. */
    readonly deployed?: DeployedFacts;
    /** The newest entry of the history, of any kind. */
    readonly lastOperation?: OperationFacts;
    /** The newest update that succeeded, with the config it deployed. */
    readonly lastDeploy?: OperationFacts & { readonly config: ConfigMap };
    readonly verify?: VerifyRecord;
    /** Why the state could not be read, when it could not. */
    readonly readProblem?: string;
}

/** JSON with its object keys sorted, so two spellings of one value compare equal. */
export function canonicalJson(value: unknown): string {
    if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
    if (value !== null && typeof value === "object") {
        const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(",")}}`;
    }
    return JSON.stringify(value);
}

/**
 * A value as a stack file holds it (YAML) or a local backend's history file records it (Pulumi's config.Map JSON):
 * a scalar, an object, or `{ secure: <ciphertext> }`.
 */
export function configValueOf(raw: unknown): ConfigValue {
    if (raw !== null && typeof raw === "object" && !Array.isArray(raw) && "secure" in raw) {
        const ciphertext = (raw as { secure: unknown }).secure;
        return typeof ciphertext === "string" ? { secret: true, ciphertext } : { secret: true };
    }
    if (raw !== null && typeof raw === "object") return { value: canonicalJson(raw) };
    return { value: raw === null || raw === undefined ? "" : String(raw) };
}
