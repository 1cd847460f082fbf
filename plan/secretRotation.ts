/**
 * Zero-downtime rotation of the client secret, decided without the engine, from the config alone.
 *
 * `secretRotation` is a whole number n. The secret of rotation k lives in slot k mod 2, so after rotation n the app
 * holds exactly two secrets: rotation n (current) and rotation n - 1 (previous, still valid). Raising n by one
 * replaces only the slot that held n - 1: the secret clients use now stays valid until the rotation after. Each
 * slot is keyed by the rotation it holds and nothing else, so no other config change (a new name, a new lifetime,
 * a mailbox) touches a secret. A jump of more than one would replace both slots at once: the rotation guard
 * (components/entraApplication/secretRotationGuard.ts) refuses it before anything changes.
 */
import { configNamespace } from "../facts/project";
import { dayMs } from "../config/rfc3339";

export type SlotName = "a" | "b";

export interface SecretSlot {
    readonly slot: SlotName;
    /** The rotation number this slot's secret was made for. */
    readonly rotation: number;
}

export interface SecretSlots {
    readonly current: SecretSlot;
    /** Absent before the first rotation, and once retired. */
    readonly previous?: SecretSlot;
    /** `secretRetiredThrough`, when set: the rotation guard refuses retiring in the update that rotates. */
    readonly retiredThrough?: number;
}

function slotOf(rotation: number): SlotName {
    return rotation % 2 === 0 ? "a" : "b";
}

/**
 * @param retiredThrough `secretRetiredThrough`: secrets of this rotation and older are retired, so the previous slot
 *   is left out once its rotation is among them (its secret is removed; the next rotation makes a new one in it).
 */
export function secretSlots(rotation: number, retiredThrough?: number): SecretSlots {
    const previous = rotation - 1;
    return {
        current: { slot: slotOf(rotation), rotation },
        ...(previous >= 0 && (retiredThrough === undefined || previous > retiredThrough) ? { previous: { slot: slotOf(previous), rotation: previous } } : {}),
        ...(retiredThrough !== undefined ? { retiredThrough } : {}),
    };
}

/**
 * Why retiring is refused in this update, or undefined: retiring the secret the deployed stack holds as current in
 * the same update that makes its successor would leave the clients still on it with nothing that works.
 */
export function retirementStepProblem(deployedRotation: number | undefined, rotation: number, retiredThrough: number | undefined): string | undefined {
    if (deployedRotation === undefined || retiredThrough === undefined || rotation === deployedRotation || retiredThrough < deployedRotation) return undefined;
    return `${configNamespace}:secretRetiredThrough: ${retiredThrough} retires rotation ${deployedRotation}'s secret in the same update that makes rotation ${rotation}'s, while clients still use it; pulumi up the rotation first, switch the clients over (npm run verify), then retire`;
}

/**
 * Why a change of the rotation number is refused, or undefined. Only +1 is a rotation: +2 or more would retire
 * both valid secrets in one update, and going back would make a new secret under an old number.
 */
export function rotationStepProblem(previous: number | undefined, next: number): string | undefined {
    if (previous === undefined || next === previous || next === previous + 1) {
        return undefined;
    }
    if (next > previous + 1) {
        return `${configNamespace}:secretRotation: ${next} skips ${next - previous - 1} rotation(s) after ${previous}; rotate one step at a time (set ${previous + 1}, pulumi up, switch the clients, then ${previous + 2}), or both valid secrets would be retired at once`;
    }
    return `${configNamespace}:secretRotation: ${next} is lower than the deployed ${previous}; the rotation number only goes up, one at a time`;
}

export interface ExpiryNotice {
    readonly level: "warning" | "error";
    readonly message: string;
}

/**
 * Warns when the current secret expires within `warnDays`, and fails when it has expired. The end date comes from
 * the current secret resource itself: a rotation makes a new current secret, whose date is not yet known.
 */
/** The commands that rotate the secret one step: the next rotation number, then an update. */
export function rotateCommand(nextRotation: number | string, stack: string): string {
    return `pulumi config set ${configNamespace}:secretRotation ${nextRotation} --stack ${stack} && pulumi up --stack ${stack}`;
}

/** The commands that retire the previous secret (rotation `rotation - 1`) once no client uses it. */
export function retireCommand(rotation: number, stack: string): string {
    return `pulumi config set ${configNamespace}:secretRetiredThrough ${rotation - 1} --stack ${stack} && pulumi up --stack ${stack}`;
}

export function expiryNotice(expiresAt: string | undefined, now: Date, warnDays: number, rotation: number, stack: string): ExpiryNotice | undefined {
    if (expiresAt === undefined) {
        return undefined;
    }
    const expires = Date.parse(expiresAt);
    if (Number.isNaN(expires)) {
        return undefined;
    }
    const rotate = rotateCommand(rotation + 1, stack);
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
