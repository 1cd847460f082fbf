/** A GitHub-flavoured Markdown table: a header row, its separator, one row per entry. Cells are written as given. */
export function markdownTable(headers: readonly string[], rows: readonly (readonly string[])[]): string[] {
    const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
    return [line(headers), line(headers.map(() => "---")), ...rows.map(line)];
}
