/**
 * One config value of a stack file changed with the rest kept as it is: comments, order, quoting and layout (the
 * `yaml` package's Document API edits the parsed document in place instead of rewriting it from data).
 */
import { isMap, isScalar, parseDocument } from "yaml";

/**
 * The stack file's text with `config.<key>` set to a number: an existing value keeps its node (and a string stays a
 * string, as `pulumi config set` writes it); a missing key is added at the end of `config`.
 */
export function setStackConfigNumber(text: string, key: string, value: number, file = "the stack file"): string {
    const document = parseDocument(text, { keepSourceTokens: true });
    if (document.errors.length > 0) throw new Error(`${file} is not valid YAML: ${document.errors[0]!.message}`);
    const config = document.get("config", true);
    if (config !== undefined && config !== null && !isMap(config)) throw new Error(`${file}: config is not a map`);
    const node = document.getIn(["config", key], true);
    if (isScalar(node)) {
        node.value = typeof node.value === "string" ? String(value) : value;
    } else {
        document.setIn(["config", key], value);
    }
    // lineWidth 0: long values stay on their line, as they were written.
    return document.toString({ lineWidth: 0 });
}
