/**
 * npm run adopt -- --stack <name> (--client-id <appId> | --display-name <name>) [--take-ownership] [--out <dir>]
 *
 * Reads a setup made by hand (the vendor guides' app registration, secret, consents, Exchange registration and
 * grants), read only, and writes the stack file that describes it and the `pulumi import --file` document that
 * brings it under the program's names (decisions: adoption.ts). Prints what the tenant grants beyond what the
 * mail client needs, each with its fix.
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { parseDocument } from "yaml";
import { configNamespace } from "../../facts/project";
import { defaults } from "../../config/choices";
import { exchangeConnectionFrom } from "../../config/settings";
import { exchangeBlock } from "../../config/exchangeSchema";
import { formatProblems, validateStackConfig } from "../../config/validate";
import { readStackFile } from "../review/stackFile";
import { graphReader } from "../repair/tenantGraph";
import { deployerSignIn } from "../../components/entraApplication/credentialPolicyRead";
import { CloudName, cloudNames, defaultCloud } from "../../facts/clouds";
import { importFileWithComponent } from "../repair/lostObjects";
import { readApp } from "../tenant/graphApp";
import { AppSelector } from "../tenant/appReading";
import { ExchangeReading, readExchange } from "../tenant/exchangeApp";
import { adopt } from "./adoption";

export const usage = `Usage: npm run adopt -- --stack <name> (--client-id <appId> | --display-name <name>) [options]

Reads an app registration made by hand (as the eBiss and i-net PDFC guides make one) and what Exchange Online
grants it, changing nothing, and writes Pulumi.<name>.yaml describing it and <name>-import.json for
pulumi import --file. Signs in to Microsoft Graph as the azuread provider does (ARM_CLIENT_ID,
ARM_CLIENT_SECRET, ARM_TENANT_ID, or the stack file's azuread:tenantId).

  --stack <name>                  the stack to write (Pulumi.<name>.yaml); required
  --client-id <appId>             the app's Application (client) ID
  --display-name <name>           or its display name (it must name exactly one app)
  --exchange-organization <domain> read Exchange Online too, signing in to this tenant's initial domain
                                  (contoso.onmicrosoft.com) interactively; or the stack file's exchange block
  --mailbox <address>             read only these mailboxes (repeatable); default: every mailbox
  --take-ownership                the FullAccess and SendAs found count as the stack's (exchange.adoptedGrants),
                                  so a destroy removes them; without it they stay, untouched, forever
  --secret-warn-days <days>       report secrets expiring within this many days (default ${defaults.secretWarnDays})
  --out <dir>                     where to write both files (default: here)
  -h, --help                      this help

Exit code: 0 written, 1 a problem (named), 2 bad usage.`;

type Print = (text: string) => void;

interface Options {
    stack?: string;
    "client-id"?: string;
    "display-name"?: string;
    "exchange-organization"?: string;
    mailbox?: string[];
    "take-ownership"?: boolean;
    "secret-warn-days"?: string;
    out?: string;
    help?: boolean;
}

export async function main(argv: string[], out: Print, err: Print): Promise<number> {
    let values: Options;
    try {
        ({ values } = parseArgs({
            args: argv,
            options: {
                stack: { type: "string" },
                "client-id": { type: "string" },
                "display-name": { type: "string" },
                "exchange-organization": { type: "string" },
                mailbox: { type: "string", multiple: true },
                "take-ownership": { type: "boolean" },
                "secret-warn-days": { type: "string" },
                out: { type: "string" },
                help: { type: "boolean", short: "h" },
            },
        }));
    } catch (error) {
        err(`${(error as Error).message} (see npm run adopt -- --help)`);
        return 2;
    }
    if (values.help) {
        out(usage);
        return 0;
    }
    const stack = values.stack;
    if (!stack || !/^[A-Za-z0-9_.-]+$/.test(stack)) {
        err("--stack <name> is required: letters, digits, - _ . (see npm run adopt -- --help)");
        return 2;
    }
    if (!values["client-id"] === !values["display-name"]) {
        err("give exactly one of --client-id <appId> and --display-name <name> (see npm run adopt -- --help)");
        return 2;
    }
    const selector: AppSelector = values["client-id"] ? { clientId: values["client-id"] } : { displayName: values["display-name"]! };
    const warnDays = values["secret-warn-days"] === undefined ? defaults.secretWarnDays : Number(values["secret-warn-days"]);
    if (!Number.isInteger(warnDays) || warnDays < 1 || warnDays > 365) {
        err(`--secret-warn-days ${values["secret-warn-days"]}: give a whole number of days from 1 to 365`);
        return 2;
    }
    const dir = path.resolve(values.out ?? ".");
    const stackFile = path.join(dir, `Pulumi.${stack}.yaml`);
    const existing = fs.existsSync(stackFile) ? readStackFile(stackFile) : {};
    if (existing[`${configNamespace}:displayName`]) {
        err(`${path.basename(stackFile)} already describes an app (${configNamespace}:displayName); adopt writes a new stack: choose another --stack`);
        return 1;
    }
    // The stack file may name the cloud already (a sovereign cloud's tenant); Worldwide otherwise.
    const cloudName = existing[`${configNamespace}:cloud`];
    const cloud = (cloudNames as readonly string[]).includes(cloudName) ? (cloudName as CloudName) : defaultCloud;
    // The provider's sign-in, as the program and the other tools take it (no stack to read config from yet).
    const signIn = deployerSignIn(process.env, { tenantId: existing["azuread:tenantId"], metadataHost: existing["azuread:metadataHost"] });
    if (!signIn) {
        err(
            "no Microsoft Graph sign-in: set ARM_CLIENT_ID and ARM_CLIENT_SECRET (as for the azuread provider) and the tenant in ARM_TENANT_ID or the stack file's azuread:tenantId",
        );
        return 1;
    }
    const { tenantId, metadataHost } = signIn;

    const get = await graphReader({ ...signIn, cloud });
    let app;
    try {
        app = await readApp(get, selector);
    } catch (error) {
        err(`adopt: ${(error as Error).message}`);
        return 1;
    }
    out(`adopt: app registration "${app.application.displayName}" (client ID ${app.application.clientId}, object ID ${app.application.objectId})`);

    // Exchange: the stack file's exchange block, else an interactive sign-in to --exchange-organization.
    const blockInput = existing[`${configNamespace}:exchange`]
        ? JSON.parse(existing[`${configNamespace}:exchange`])
        : values["exchange-organization"]
          ? { organization: values["exchange-organization"], auth: "interactive" }
          : undefined;
    let exchange: ExchangeReading | undefined;
    if (blockInput) {
        const block = exchangeBlock.safeParse(blockInput);
        if (!block.success) {
            err(`adopt: ${configNamespace}:exchange: ${block.error.issues.map((issue) => issue.message).join("; ")}`);
            return 1;
        }
        try {
            exchange = readExchange(exchangeConnectionFrom(block.data, cloud), tenantId, {
                appId: app.application.clientId,
                servicePrincipalObjectId: app.servicePrincipal?.objectId,
                applicationObjectId: app.application.objectId,
                mailboxes: values.mailbox ?? [],
            });
        } catch (error) {
            err(`adopt: ${(error as Error).message}`);
            return 1;
        }
    }

    const adoption = adopt(app, exchange, {
        now: new Date(),
        secretWarnDays: warnDays,
        exchange: blockInput,
        takeOwnership: values["take-ownership"] === true,
        stack,
        azuread: { "azuread:tenantId": tenantId, ...(metadataHost ? { "azuread:metadataHost": metadataHost } : {}) },
    });
    const asPulumiHandsIt = Object.fromEntries(
        Object.entries({ ...existing, ...adoption.config }).map(([name, value]) => [name, typeof value === "string" ? value : JSON.stringify(value)]),
    );
    const validated = validateStackConfig(asPulumiHandsIt);
    if (!validated.ok) {
        err(`adopt: the setup found does not fit the stack's config:\n${formatProblems(validated.problems)}`);
        return 1;
    }

    fs.mkdirSync(dir, { recursive: true });
    const document = fs.existsSync(stackFile) ? parseDocument(fs.readFileSync(stackFile, "utf8")) : parseDocument("config: {}\n");
    for (const [name, value] of Object.entries(adoption.config)) document.setIn(["config", name], value);
    fs.writeFileSync(stackFile, String(document));
    const azureadVersion = JSON.parse(fs.readFileSync(require.resolve("@pulumi/azuread/package.json"), "utf8")).version as string;
    const importFile = path.join(dir, `${stack}-import.json`);
    fs.writeFileSync(importFile, `${JSON.stringify(importFileWithComponent(adoption.imports, azureadVersion), null, 2)}\n`);

    out(`wrote ${path.relative(process.cwd(), stackFile) || stackFile} and ${path.relative(process.cwd(), importFile) || importFile}`);
    out(`to import (${adoption.imports.length}): ${adoption.imports.map((object) => `${object.name} (${object.type.split(":").pop()})`).join(", ")}`);
    for (const credential of adoption.legacyCredentials)
        out(
            `legacy credential (cannot be imported; the mail client keeps using it until you retire it): ${credential.kind} "${credential.displayName ?? ""}" key ID ${credential.keyId}, ends ${credential.endDateTime ?? "never"}${credential.retire ? `\n    retire: ${credential.retire}` : ""}`,
        );
    for (const note of adoption.notes) out(`note: ${note}`);
    if (adoption.findings.length > 0) out(`more than the mail client needs (${adoption.findings.length}):`);
    for (const finding of adoption.findings) out(`  - ${finding.what}\n    fix: ${finding.fix}`);
    out(
        [
            "next:",
            `  pulumi stack init ${stack}        (if the stack does not exist yet)`,
            `  pulumi import --file ${path.relative(process.cwd(), importFile) || importFile} --stack ${stack} --protect=false --generate-code=false`,
            `  pulumi preview --stack ${stack}   (no replace of the app or its enterprise application; the stack's own secret is added)`,
            `  pulumi up --stack ${stack}`,
        ].join("\n"),
    );
    return 0;
}
