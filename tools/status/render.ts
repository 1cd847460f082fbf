/** The status report as a table for a terminal, Markdown for an issue, or JSON for tools. */
import { markdownTable } from "../../config/markdownTable";
import { StackStatus, StatusReport } from "./decide";

export type StatusFormat = "table" | "markdown" | "json";
export const statusFormats: readonly StatusFormat[] = ["table", "markdown", "json"];

const headers = [
    "Stack",
    "State",
    "Rotation",
    "Secret ends",
    "Previous ends",
    "Certificate ends",
    "Last update",
    "Mailboxes ok/failed/set",
    "Exchange ran",
    "Config",
    "Verify",
    "Action",
];

/** A date and the days left, e.g. "2027-03-01 (85 d)"; "expired" once past. */
function ends(date: string | undefined, left: number | undefined, retire = false): string {
    if (date === undefined) return "-";
    const when = `${date.slice(0, 10)} (${left === undefined ? "?" : left <= 0 ? "expired" : `${left} d`})`;
    return retire ? `${when} retire` : when;
}

/** "2026-12-06 03:32" from an RFC 3339 time. */
function minute(time: string | undefined): string {
    return time === undefined ? "-" : time.slice(0, 16).replace("T", " ");
}

function row(status: StackStatus): string[] {
    const { secret, lastUpdate, mailboxes, verify } = status;
    return [
        status.stack,
        status.state,
        secret?.rotation !== undefined ? String(secret.rotation) : "-",
        ends(secret?.expiresAt, secret?.daysLeft),
        ends(secret?.previousExpiresAt, secret?.previousDaysLeft, secret?.retirementDue),
        ends(status.certificate?.expiresAt, status.certificate?.daysLeft),
        lastUpdate ? `${minute(lastUpdate.endedAt ?? lastUpdate.startedAt)} ${lastUpdate.kind} ${lastUpdate.result}` : "-",
        status.state === "deployed" ? `${mailboxes.granted}/${mailboxes.failed}/${mailboxes.configured}` : "-",
        minute(status.exchange?.lastRun),
        status.configChanges === undefined ? "-" : status.configChanges.length === 0 ? "deployed" : `${status.configChanges.length} changed`,
        verify ? `${verify.ok ? "passed" : "FAILED"} ${minute(verify.at)}${verify.stale ? " (before the update)" : ""}` : "-",
        status.actions.join(", ") || "-",
    ];
}

/** The findings, one line each: stack, action, why, and what to run. */
function findingLines(report: StatusReport): string[] {
    return report.stacks.flatMap((status) => [
        ...status.findings.map((finding) => `${status.stack}: ${finding.action}: ${finding.reason}. Fix: ${finding.fix}`),
        ...status.notes.map((note) => `${status.stack}: note: ${note}`),
    ]);
}

function textTable(rows: readonly string[][]): string[] {
    const widths = rows[0].map((_, column) => Math.max(...rows.map((cells) => cells[column].length)));
    return rows.map((cells) =>
        cells
            .map((cell, column) => cell.padEnd(widths[column]))
            .join("  ")
            .trimEnd(),
    );
}

const markdownCell = (text: string) => text.replace(/\|/g, "\\|");

export function renderStatus(report: StatusReport, format: StatusFormat): string {
    if (format === "json") return JSON.stringify(report, null, 2);
    const rows = report.stacks.map(row);
    const summary = report.needsAction
        ? `${report.stacks.filter((s) => s.actions.length > 0).length} of ${report.stacks.length} stack(s) need action.`
        : `${report.stacks.length} stack(s), none needs action.`;
    const lines = findingLines(report);
    if (format === "markdown") {
        return [
            `## Stack status at ${minute(report.at)} UTC`,
            "",
            summary,
            "",
            ...markdownTable(
                headers,
                rows.map((cells) => cells.map(markdownCell)),
            ),
            ...(lines.length > 0 ? ["", "### Actions and notes", "", ...lines.map((line) => `- ${markdownCell(line)}`)] : []),
        ].join("\n");
    }
    return [`Stack status at ${minute(report.at)} UTC: ${summary}`, "", ...textTable([headers, ...rows]), ...(lines.length > 0 ? ["", ...lines] : [])].join(
        "\n",
    );
}
