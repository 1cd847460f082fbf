/**
 * Reads PowerShell the way PowerShell's grammar does (tree-sitter-powershell, through web-tree-sitter), so the
 * scripts can be checked on machines that have no PowerShell: syntax, cmdlet calls and their parameters.
 */
import * as fs from "fs";
import * as path from "path";
import { Language, Node, Parser } from "web-tree-sitter";

let parser: Parser | undefined;

export async function powershellParser(): Promise<Parser> {
    if (parser === undefined) {
        await Parser.init();
        const language = await Language.load(require.resolve("tree-sitter-powershell/tree-sitter-powershell.wasm"));
        parser = new Parser();
        parser.setLanguage(language);
    }
    return parser;
}

export interface CommandCall {
    readonly name: string;
    /** Parameter names as written, without the dash and a trailing colon (`-AutoMapping:$false`). */
    readonly parameters: string[];
    /** Names of the variables splatted into the call (`@connection` gives `connection`). */
    readonly splats: string[];
    readonly line: number;
    readonly node: Node;
}

export interface ParsedScript {
    readonly file: string;
    readonly source: string;
    readonly root: Node;
    /** Nodes the grammar could not parse: empty for a valid script. */
    readonly errors: { line: number; text: string }[];
    readonly commands: CommandCall[];
    /** Names of the functions the script defines. */
    readonly functions: string[];
}

export function descendants(node: Node, type?: string): Node[] {
    const found: Node[] = [];
    const visit = (current: Node) => {
        if (type === undefined || current.type === type) {
            found.push(current);
        }
        for (const child of current.namedChildren) {
            if (child) {
                visit(child);
            }
        }
    };
    visit(node);
    return found;
}

function commandCall(node: Node): CommandCall | undefined {
    const nameNode = node.childForFieldName("command_name") ?? node.namedChildren.find((child) => child?.type === "command_name");
    if (!nameNode || nameNode.type !== "command_name") {
        return undefined;
    }
    const elements = node.namedChildren.find((child) => child?.type === "command_elements");
    const parameters: string[] = [];
    const splats: string[] = [];
    if (elements) {
        for (const child of elements.namedChildren) {
            if (!child) {
                continue;
            }
            if (child.type === "command_parameter") {
                parameters.push(child.text.replace(/^-/, "").replace(/:$/, ""));
            }
        }
        for (const variable of descendants(elements, "variable")) {
            if (variable.text.startsWith("@")) {
                splats.push(variable.text.slice(1));
            }
        }
    }
    return { name: nameNode.text, parameters, splats, line: node.startPosition.row + 1, node };
}

export async function parseScript(file: string): Promise<ParsedScript> {
    const source = fs.readFileSync(file, "utf8");
    const tree = (await powershellParser()).parse(source);
    if (!tree) {
        throw new Error(`tree-sitter returned no tree for ${file}`);
    }
    const root = tree.rootNode;
    const errors = descendants(root)
        .filter((node) => node.type === "ERROR" || node.isMissing)
        .map((node) => ({ line: node.startPosition.row + 1, text: node.text.slice(0, 80) }));
    const commands = descendants(root, "command")
        .map(commandCall)
        .filter((call): call is CommandCall => call !== undefined);
    const functions = descendants(root, "function_statement")
        .map((node) => node.namedChildren.find((child) => child?.type === "function_name")?.text)
        .filter((name): name is string => name !== undefined);
    return { file: path.basename(file), source, root, errors, commands, functions };
}

/**
 * The keys a splatted hashtable can hold: the keys of `$name = @{ ... }` literals and `$name.Key = ...`
 * assignments anywhere in the script.
 */
export function splatKeys(script: ParsedScript, variable: string): string[] {
    const keys: string[] = [];
    for (const assignment of descendants(script.root, "assignment_expression")) {
        const left = assignment.namedChildren[0];
        if (!left) {
            continue;
        }
        const member = descendants(left, "member_access")[0];
        if (member) {
            const target = member.namedChildren[0];
            const memberName = member.namedChildren.find((child) => child?.type === "member_name");
            if (target?.text.toLowerCase() === `$${variable}`.toLowerCase() && memberName) {
                keys.push(memberName.text);
            }
            continue;
        }
        const assigned = descendants(left, "variable")[0];
        if (assigned?.text.toLowerCase() !== `$${variable}`.toLowerCase()) {
            continue;
        }
        const right = assignment.namedChildren[assignment.namedChildren.length - 1];
        if (!right) {
            continue;
        }
        for (const entry of descendants(right, "hash_entry")) {
            const key = entry.namedChildren.find((child) => child?.type === "key_expression");
            if (key) {
                keys.push(key.text.replace(/^['"]|['"]$/g, ""));
            }
        }
    }
    return keys;
}
