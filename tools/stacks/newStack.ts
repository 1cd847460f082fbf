/**
 * `npm run stacks -- new <customer> ...`: one more stack for one more customer tenant (issue #30, "one app per
 * customer tenant", the default and the safer way: each customer's app has its own secret). The stack file is made
 * from a template stack of the project (`--from`, its settings and comments kept: a provider's standard setup) or
 * from the flags alone, with the customer's tenant, Exchange organization and mailboxes, and checked as `pulumi up`
 * would check it before it is written. `npm run status` and the scheduled workflows pick it up as a stack file.
 */
import { Document, isMap, parseDocument } from "yaml";
import { configNamespace } from "../../facts/project";
import { formatProblems, validateStackConfig } from "../../config/validate";
import { mailProtocols } from "../../config/choices";

export interface NewStackRequest {
    /** The stack's name: the customer, as Pulumi allows a stack name. */
    readonly customer: string;
    readonly tenantId: string;
    /** The customer's initial domain, for the Exchange step's sign-in. */
    readonly organization: string;
    /** `address` or `address:imap,smtp`; without a template at least one. */
    readonly mailboxes: readonly string[];
    readonly displayName?: string;
    /** The template stack file's text, when `--from` names one. */
    readonly template?: { readonly stack: string; readonly text: string };
}

const stackNamePattern = /^[A-Za-z0-9_.-]{1,100}$/;
const key = (name: string) => `${configNamespace}:${name}`;

function mailboxEntry(flag: string): { address: string; protocols: string[] } | string {
    const [address, list] = flag.split(":");
    const protocols = list === undefined ? ["imap", "smtp"] : list.split(",").filter(Boolean);
    const unknown = protocols.filter((protocol) => !(mailProtocols as readonly string[]).includes(protocol));
    return unknown.length > 0 ? `--mailbox ${flag}: ${unknown.join(", ")} is not one of ${mailProtocols.join(", ")}` : { address, protocols };
}

/** The new stack file's text, or every problem with the request (nothing is written then). */
export function newStackFile(request: NewStackRequest): { text: string } | { problems: string[] } {
    const problems: string[] = [];
    if (!stackNamePattern.test(request.customer))
        problems.push(`${JSON.stringify(request.customer)} is not a stack name: letters, digits, "-", "_" and "." (at most 100)`);
    const mailboxes = request.mailboxes.map(mailboxEntry);
    problems.push(...mailboxes.filter((entry): entry is string => typeof entry === "string"));
    if (!request.template && request.mailboxes.length === 0)
        problems.push("give the customer's mailboxes with --mailbox <address[:imap,pop,smtp]> (or a template stack with --from)");
    if (problems.length > 0) return { problems };

    // The template's document, comments and all; a new one otherwise.
    const document: Document = request.template ? parseDocument(request.template.text) : new Document({ config: {} });
    if (request.template) document.delete("encryptionsalt"); // each stack's own, written by pulumi stack init
    if (!isMap(document.get("config"))) document.set("config", document.createNode({}));
    const exchange = (document.getIn(["config", key("exchange")]) as unknown as { toJSON?: () => unknown })?.toJSON?.() as Record<string, unknown> | undefined;
    document.setIn(["config", "azuread:tenantId"], request.tenantId);
    document.setIn(["config", key("displayName")], request.displayName ?? `Mail OAuth (${request.customer})`);
    document.setIn(["config", key("exchange")], document.createNode({ auth: "interactive", ...exchange, organization: request.organization }));
    if (request.mailboxes.length > 0)
        document.setIn(
            ["config", key("mailboxes")],
            document.createNode(mailboxes.filter((entry): entry is { address: string; protocols: string[] } => typeof entry !== "string")),
        );
    // Checked as the program checks it (every problem at once), with the stack file's values as Pulumi hands them.
    const config = (document.get("config") as unknown as { toJSON(): Record<string, unknown> }).toJSON();
    const raw = Object.fromEntries(Object.entries(config).map(([name, value]) => [name, typeof value === "string" ? value : JSON.stringify(value)]));
    const validated = validateStackConfig(raw);
    if (!validated.ok) return { problems: formatProblems(validated.problems).split("\n").filter(Boolean) };
    const from = request.template ? `from the ${request.template.stack} stack's settings` : "by npm run stacks -- new";
    // The template's schema line stays (editors check the file with it); its description was the template's.
    const schema = (document.commentBefore ?? "").split("\n").filter((line) => line.includes("yaml-language-server"));
    document.commentBefore = `${schema.map((line) => `${line}\n`).join("")} The ${request.customer} stack: one app in the customer's own tenant, made ${from}.\n Next: pulumi stack init ${request.customer}; npm run -s preflight -- --stack ${request.customer}; pulumi up --stack ${request.customer}`;
    return { text: document.toString() };
}
