/** Dates as Entra ID stores credential dates: RFC 3339 in UTC, to the second. */

export const dayMs = 24 * 60 * 60 * 1000;

export function rfc3339Seconds(date: Date): string {
    return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}
