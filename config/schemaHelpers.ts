/**
 * The building blocks of the config schema: each gives zod the message a user reads, naming the bad value and what
 * it must be, and `documented` records a key's row of the config table (docs/configuration.md) where the key is declared.
 */
import { z } from "zod";
import { show } from "./formats";

/** One row of the config table (docs/configuration.md), recorded where the key is declared. */
export interface ConfigDoc {
    readonly key: string;
    readonly values: string;
    readonly default: string;
    readonly meaning: string;
}

export const configDocs: ConfigDoc[] = [];

/** Declares a documented key: its description also reaches the JSON Schema (editor hover). */
export function documented<T extends z.ZodType>(key: string, values: string, fallback: string, meaning: string, schema: T): T {
    configDocs.push({ key, values, default: fallback, meaning });
    return schema.describe(meaning);
}

export type Issue = { readonly code?: string; readonly input?: unknown; readonly keys?: readonly string[] };

/** An error function: `missing` when the key is absent, else the bad value followed by what it must be. */
export function says(missing: string | undefined, invalid: (value: unknown) => string): { error: (issue: Issue) => string | undefined } {
    return { error: (issue) => (issue.input === undefined ? missing : invalid(issue.input)) };
}

export function enumOf<T extends readonly [string, ...string[]]>(values: T) {
    return z.enum(
        values,
        says(undefined, (value) => `${show(value)} is not one of ${values.join(", ")}`),
    );
}

/** A strict object: unknown properties are reported one by one (validate.ts expands the keys). */
export function strictObject<T extends z.ZodRawShape>(shape: T, form: string) {
    const allowed = Object.keys(shape).join(", ");
    return z.strictObject(shape, {
        error: (issue: Issue) =>
            issue.code === "unrecognized_keys"
                ? `unknown setting; expected one of ${allowed}`
                : issue.input === undefined
                  ? undefined
                  : `${show(issue.input)} must be an object ${form}`,
    });
}

export function nonEmptyString() {
    return z.string(says(undefined, (value) => `${show(value)} must be a non-empty string`)).refine(
        (value) => value.trim() !== "",
        says(undefined, (value) => `${show(value)} must be a non-empty string`),
    );
}

export function wholeNumber(min: number, max: number, unit: string) {
    const message = says(undefined, (value) => `${show(value)} must be a whole number of ${unit} from ${min} to ${max}`);
    return z.number(message).int(message).min(min, message).max(max, message);
}

/** A string of a pattern: anything else (another type, or text off the pattern) "is not <what>". */
export function patterned(pattern: RegExp, what: string, missing = `missing; give ${what}`) {
    const message = says(missing, (value) => `${show(value)} is not ${what}`);
    return z.string(message).regex(pattern, message);
}

/** A string a predicate accepts, with the same wording as `patterned`. */
export function checked(accepts: (value: string) => boolean, what: string, missing = `missing; give ${what}`) {
    return z.string(says(missing, (value) => `${show(value)} is not ${what}`)).refine(
        accepts,
        says(undefined, (value) => `${show(value)} is not ${what}`),
    );
}
