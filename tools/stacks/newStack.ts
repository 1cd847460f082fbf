/**
 * `npm run stacks -- new <customer> ...`: one more stack for one more customer tenant (issue #30, "one app per
 * customer tenant", the default and the safer way: each customer's app has its own secret). The stack file is made
 * from a template stack of the project (`--from`, its settings and comments kept: a provider's standard setup) or
 * from the flags alone, with the customer's tenant, Exchange organization and mailboxes, and checked as `pulumi up`
 * would check it before it is written. `npm run status` and the scheduled workflows pick it up as a stack file.
 *
 * With `--provider <stack>` it is the other shape: a customer's stack of the provider's multi-tenant app
 * (`providerApp`), and the customer is added to the provider's stack file (`customerTenants.customers`), whose next
 * `pulumi up` outputs the customer's admin-consent URL.
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
    /** The provider's stack file's text, when `--provider` names one: the customer's stack uses its app. */
    readonly provider?: { readonly stack: string; readonly text: string };
}

const stackNamePattern = /^[A-Za-z0-9_.-]{1,100}$/;
const key = (name: string) => `${configNamespace}:${name}`;

function mailboxEntry(flag: string): { address: string; protocols: string[] } | string {
    const [address, list] = flag.split(":");
    const protocols = list === undefined ? ["imap", "smtp"] : list.split(",").filter(Boolean);
    const unknown = protocols.filter((protocol) => !(mailProtocols as readonly string[]).includes(protocol));
    return unknown.length > 0 ? `--mailbox ${flag}: ${unknown.join(", ")} is not one of ${mailProtocols.join(", ")}` : { address, protocols };
}

/** A stack file's config as Pulumi hands it to the program, checked as the program checks it. */
function checked(document: Document): string[] {
    const config = (document.get("config") as unknown as { toJSON(): Record<string, unknown> }).toJSON();
    const raw = Object.fromEntries(Object.entries(config).map(([name, value]) => [name, typeof value === "string" ? value : JSON.stringify(value)]));
    const validated = validateStackConfig(raw);
    return validated.ok ? [] : formatProblems(validated.problems).split("\n").filter(Boolean);
}

/** The provider's stack file with the customer added to `customerTenants.customers`, or why it cannot be. */
function withCustomer(provider: NonNullable<NewStackRequest["provider"]>, customer: string, tenantId: string): { document: Document } | { problems: string[] } {
    const document = parseDocument(provider.text);
    const block = (document.getIn(["config", key("customerTenants")]) as unknown as { toJSON?: () => unknown })?.toJSON?.() as
        { customers?: { name: string; tenantId: string }[] } | undefined;
    if (!block)
        return {
            problems: [
                `--provider ${provider.stack}: Pulumi.${provider.stack}.yaml has no ${key("customerTenants")}; a provider's stack of a multi-tenant app sets it (docs/operations.md)`,
            ],
        };
    const customers = block.customers ?? [];
    const taken = customers.find((entry) => entry.name.toLowerCase() === customer.toLowerCase() || entry.tenantId.toLowerCase() === tenantId.toLowerCase());
    if (taken) return { problems: [`--provider ${provider.stack}: its customerTenants already lists ${JSON.stringify(taken)}`] };
    document.setIn(["config", key("customerTenants"), "customers"], document.createNode([...customers, { name: customer, tenantId }]));
    const problems = checked(document);
    return problems.length > 0 ? { problems: [`Pulumi.${provider.stack}.yaml would be invalid:`, ...problems] } : { document };
}

/**
 * The new stack file's text (and, with a provider, the provider's stack file's new text), or every problem with the
 * request (nothing is written then).
 */
export function newStackFile(request: NewStackRequest): { text: string; providerText?: string } | { problems: string[] } {
    const problems: string[] = [];
    if (!stackNamePattern.test(request.customer))
        problems.push(`${JSON.stringify(request.customer)} is not a stack name: letters, digits, "-", "_" and "." (at most 100)`);
    const mailboxes = request.mailboxes.map(mailboxEntry);
    problems.push(...mailboxes.filter((entry): entry is string => typeof entry === "string"));
    if (!request.template && request.mailboxes.length === 0)
        problems.push("give the customer's mailboxes with --mailbox <address[:imap,pop,smtp]> (or a template stack with --from)");
    const provider = request.provider ? withCustomer(request.provider, request.customer, request.tenantId) : undefined;
    if (provider && "problems" in provider) problems.push(...provider.problems);
    if (problems.length > 0) return { problems };

    // The template's document, comments and all; a new one otherwise.
    const document: Document = request.template ? parseDocument(request.template.text) : new Document({ config: {} });
    if (request.template) document.delete("encryptionsalt"); // each stack's own, written by pulumi stack init
    if (!isMap(document.get("config"))) document.set("config", document.createNode({}));
    const exchange = (document.getIn(["config", key("exchange")]) as unknown as { toJSON?: () => unknown })?.toJSON?.() as Record<string, unknown> | undefined;
    document.setIn(["config", "azuread:tenantId"], request.tenantId);
    // A customer's stack of the provider's app names the app in Exchange Online as the provider's stack does.
    const providerName = provider && "document" in provider ? (provider.document.getIn(["config", key("displayName")]) as string | undefined) : undefined;
    document.setIn(["config", key("displayName")], request.displayName ?? providerName ?? `Mail OAuth (${request.customer})`);
    if (request.provider) document.setIn(["config", key("providerApp")], document.createNode({ stack: request.provider.stack }));
    document.setIn(["config", key("exchange")], document.createNode({ auth: "interactive", ...exchange, organization: request.organization }));
    if (request.mailboxes.length > 0)
        document.setIn(
            ["config", key("mailboxes")],
            document.createNode(mailboxes.filter((entry): entry is { address: string; protocols: string[] } => typeof entry !== "string")),
        );
    // Checked as the program checks it (every problem at once), with the stack file's values as Pulumi hands them.
    const invalid = checked(document);
    if (invalid.length > 0) return { problems: invalid };
    const from = request.template ? `from the ${request.template.stack} stack's settings` : "by npm run stacks -- new";
    // The template's schema line stays (editors check the file with it); its description was the template's.
    const schema = (document.commentBefore ?? "").split("\n").filter((line) => line.includes("yaml-language-server"));
    const shape = request.provider
        ? `the ${request.provider.stack} stack's multi-tenant app, consented in the customer's tenant, made ${from}.\n Next: pulumi up --stack ${request.provider.stack} (outputs the admin-consent URL); the customer's admin opens it; pulumi stack init ${request.customer}; pulumi up --stack ${request.customer}`
        : `one app in the customer's own tenant, made ${from}.\n Next: pulumi stack init ${request.customer}; npm run -s preflight -- --stack ${request.customer}; pulumi up --stack ${request.customer}`;
    document.commentBefore = `${schema.map((line) => `${line}\n`).join("")} The ${request.customer} stack: ${shape}`;
    return { text: document.toString(), ...(provider && "document" in provider ? { providerText: provider.document.toString() } : {}) };
}
