/**
 * Zero-downtime rotation of the client secret, decided without the engine.
 *
 * The app holds at most two secrets, in two slots (`a`, `b`). A rotation writes the new secret into the slot that
 * does not hold the current one, so the secret clients use now stays valid until the rotation after: after any
 * rotation exactly the new and the previous secret are valid, the one before them is deleted in the same update,
 * and no update ever deletes the secret it creates. The slot labels of the last update come back from the stack's
 * own outputs (`secretSlots`), so a preview shows exactly which slot is replaced.
 */
import { dayMs } from "./rfc3339";
import { configNamespace } from "../facts/project";

export type SlotName = "a" | "b";

export interface SecretSlots {
    /** The rotation label each slot's secret was made for; a slot without a label holds no secret. */
    readonly a?: string;
    readonly b?: string;
    readonly current: SlotName;
}

export const initialRotation = "initial";

function otherSlot(slot: SlotName): SlotName {
    return slot === "a" ? "b" : "a";
}

/** Reads the previous update's `secretSlots` output, tolerating an absent or foreign value (first update). */
export function readSecretSlots(value: unknown): SecretSlots | undefined {
    if (typeof value !== "object" || value === null) {
        return undefined;
    }
    const { a, b, current } = value as Record<string, unknown>;
    if ((current !== "a" && current !== "b") || typeof (current === "a" ? a : b) !== "string") {
        return undefined;
    }
    return {
        a: typeof a === "string" ? a : undefined,
        b: typeof b === "string" ? b : undefined,
        current,
    };
}

export function decideSecretSlots(previous: SecretSlots | undefined, rotation: string): SecretSlots {
    if (previous === undefined) {
        return { a: rotation, current: "a" };
    }
    if (previous[previous.current] === rotation) {
        return previous;
    }
    const target = otherSlot(previous.current);
    return { ...previous, [target]: rotation, current: target };
}

export function previousSlot(slots: SecretSlots): SlotName | undefined {
    const other = otherSlot(slots.current);
    return slots[other] === undefined ? undefined : other;
}

export interface ExpiryNotice {
    readonly level: "warning" | "error";
    readonly message: string;
}

/**
 * Warns when the current secret expires within `warnDays`, and fails when it has expired, unless this update is
 * the rotation that replaces it. The message names the date and the command that rotates.
 */
export function expiryNotice(
    expiresAt: string | undefined,
    now: Date,
    warnDays: number,
    rotatingNow: boolean,
    stack: string,
): ExpiryNotice | undefined {
    if (expiresAt === undefined || rotatingNow) {
        return undefined;
    }
    const expires = Date.parse(expiresAt);
    if (Number.isNaN(expires)) {
        return undefined;
    }
    const rotate = `pulumi config set ${configNamespace}:secretRotation <new label> --stack ${stack} && pulumi up --stack ${stack}`;
    if (expires <= now.getTime()) {
        return {
            level: "error",
            message: `The client secret expired on ${expiresAt}: every mail client using it fails to log in. Rotate it now: ${rotate}`,
        };
    }
    const daysLeft = Math.ceil((expires - now.getTime()) / dayMs);
    if (daysLeft <= warnDays) {
        return {
            level: "warning",
            message: `The client secret expires on ${expiresAt} (in ${daysLeft} day${daysLeft === 1 ? "" : "s"}). Rotate it before then: ${rotate}`,
        };
    }
    return undefined;
}
