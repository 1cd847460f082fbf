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
            const offending = text.split(/\r?\n/)[line - 1] ?? "";
            const reason = error.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
            throw new StackFileError(`${path.basename(file)}:${line}:${col}: ${reason}\n    ${offending}\n    ${" ".repeat(Math.max(0, col - 1))}^`);
        }
        throw new StackFileError(`${path.basename(file)}: ${(error as Error).message}`);
    }
    const raw: Record<string, string> = {};
    for (const [key, value] of Object.entries(document?.config ?? {})) {
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
