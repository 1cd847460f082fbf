/**
 * One config value of a stack file changed with the rest kept as it is: comments, order, quoting and layout. The
 * `yaml` package's Document API finds the value's node; an existing value is replaced in the text at the node's
 * source range (so not even the spacing of a flow list elsewhere changes), a missing one is added to the document.
 */
import { isMap, isScalar, parseDocument } from "yaml";

/**
 * The stack file's text with `config.<key>` set to a number: an existing value keeps its node (and a string stays a
 * string, as `pulumi config set` writes it); a missing key is added at the end of `config`.
 */
export function setStackConfigNumber(text: string, key: string, value: number, file = "the stack file"): string {
    const document = parseDocument(text);
    if (document.errors.length > 0) throw new Error(`${file} is not valid YAML: ${document.errors[0]!.message}`);
    const config = document.get("config", true);
    if (config !== undefined && config !== null && !isMap(config)) throw new Error(`${file}: config is not a map`);
    const node = document.getIn(["config", key], true);
    if (isScalar(node) && node.range) {
        // A quoted string stays a string in its quotes, as `pulumi config set` writes it.
        const source = node.type === "QUOTE_DOUBLE" ? `"${value}"` : node.type === "QUOTE_SINGLE" ? `'${value}'` : String(value);
        return `${text.slice(0, node.range[0])}${source}${text.slice(node.range[1])}`;
    }
    document.setIn(["config", key], value);
    // lineWidth 0: long values stay on their line; no padding added inside flow lists.
    return document.toString({ lineWidth: 0, flowCollectionPadding: false });
}
