/** Reads a `Pulumi.<stack>.yaml` into the key/value map Pulumi hands a program; secure values stay encrypted. */
import * as fs from "fs";
import * as path from "path";
import { parse, YAMLParseError } from "yaml";
import { configNamespace } from "../../facts/project";

/** A stack file that is not valid YAML: file, line, column and the offending line, without a stack trace. */
export class StackFileError extends Error {}

export function readStackFile(file: string, project = configNamespace): Record<string, string> {
    return readStackText(fs.readFileSync(file, "utf8"), file, project);
}

/** The same from a stack file's text (e.g. as it was at a git ref); `file` names it in errors. */
export function readStackText(text: string, file: string, project = configNamespace): Record<string, string> {
    let document: { config?: Record<string, unknown> } | null;
    try {
        document = parse(text) as { config?: Record<string, unknown> } | null;
    } catch (error) {
        if (error instanceof YAMLParseError && error.linePos) {
            const { line, col } = error.linePos[0];
            const lines = text.split(/\r?\n/);
            const offending = lines[line - 1] ?? "";
            const reason = error.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
            // The parser names where it noticed the mistake, often the line after it: show the one before too.
            const before = line > 1 ? `    ${line - 1}: ${lines[line - 2]}\n` : "";
            throw new StackFileError(
                `${path.basename(file)}:${line}:${col}: ${reason}\n${before}    ${line}: ${offending}\n    ${" ".repeat(String(line).length + 2 + Math.max(0, col - 1))}^`,
            );
        }
        throw new StackFileError(`${path.basename(file)}: ${(error as Error).message}`);
    }
    if (document === null || document === undefined) {
        throw new StackFileError(
            `${path.basename(file)} is empty (or only comments): put the stack's settings under config:, e.g.\nconfig:\n  ${project}:displayName: Mail OAuth`,
        );
    }
    if (typeof document !== "object" || Array.isArray(document)) {
        throw new StackFileError(`${path.basename(file)}: expected a mapping with config: at the top`);
    }
    if (document.config === undefined) {
        const stray = Object.keys(document).filter((key) => key.includes(":"));
        if (stray.length > 0) {
            throw new StackFileError(`${path.basename(file)}: ${stray.join(", ")} must be under config: (indented below a line config:)`);
        }
    }
    const raw: Record<string, string> = {};
    for (const [key, value] of Object.entries(document.config ?? {})) {
        const fullKey = key.includes(":") ? key : `${project}:${key}`;
        // A key with no value (`displayName:`) is not set, as `pulumi config` reads it; never the text "null".
        if (value === null || value === undefined) continue;
        if (typeof value === "object" && value !== null && "secure" in value) {
            raw[fullKey] = "[secret]";
        } else {
            raw[fullKey] = typeof value === "string" ? value : JSON.stringify(value);
        }
    }
    return raw;
}
