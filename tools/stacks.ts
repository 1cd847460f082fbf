/**
 * npm run -s stacks -- [--deployable] [--json] [--exchange-certificate <stack>]
 *
 * The stacks of this project, from its Pulumi.<stack>.yaml files: the workflows' matrix comes from here, so adding a
 * stack needs no workflow edit. --deployable keeps the stacks CI can deploy unattended: their Exchange step signs in
 * with a certificate or a managed identity (an interactive sign-in needs a person at a browser).
 * --exchange-certificate tells the deploy workflow where that stack's Exchange certificate goes and which variable
 * holds its password, as the stack file says.
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { projectRoot } from "../facts/projectRoot";
import { validateStackConfig } from "../config/validate";
import { readStackFile } from "./review/stackFile";
import { newStackFile } from "./stacks/newStack";

export function stackNames(root = projectRoot()): string[] {
    return fs
        .readdirSync(root)
        .map((file) => /^Pulumi\.([^.]+)\.yaml$/.exec(file)?.[1])
        .filter((name): name is string => name !== undefined)
        .sort();
}

/**
 * The stacks in the order deploy.yml runs them (one at a time): a provider's stack of a multi-tenant app
 * (`customerTenants`) before the others, so a rotation there is deployed before the customers' stacks hand the secret
 * on; each group by name.
 */
export function deployOrder(stacks: readonly string[], root = projectRoot()): string[] {
    const provider = (stack: string) => {
        const validation = validateStackConfig(readStackFile(path.join(root, `Pulumi.${stack}.yaml`)));
        return validation.ok && validation.settings.customerTenants !== undefined;
    };
    const providers = stacks.filter(provider);
    return [...providers, ...stacks.filter((stack) => !providers.includes(stack))];
}

/** Whether a stack can run unattended: no Exchange step, or one that signs in without a browser. */
export function deployableUnattended(stack: string, root = projectRoot()): boolean {
    const validation = validateStackConfig(readStackFile(path.join(root, `Pulumi.${stack}.yaml`)));
    return validation.ok && (validation.settings.exchange === undefined || validation.settings.exchange.auth !== "interactive");
}

/** The Exchange sign-in certificate a stack's file names, or undefined when it signs in otherwise. */
export function exchangeCertificate(stack: string, root = projectRoot()): { path: string; passwordEnv: string } | undefined {
    const validation = validateStackConfig(readStackFile(path.join(root, `Pulumi.${stack}.yaml`)));
    if (!validation.ok) {
        throw new Error(`Pulumi.${stack}.yaml is invalid; npm run -s review -- --stack ${stack} lists its problems`);
    }
    const exchange = validation.settings.exchange;
    return exchange?.auth === "certificate" ? { path: exchange.certificatePath, passwordEnv: exchange.certificatePasswordEnv } : undefined;
}

/**
 * Why a passphrase-encrypted stack cannot be deployed from CI yet, or undefined: its stack file lacks the
 * `encryptionsalt` that `pulumi stack init` writes. A salt made on a runner would be lost with the runner, and with
 * it every secret in the state.
 */
export function passphraseSaltProblem(stack: string, root = projectRoot(), env: NodeJS.ProcessEnv = process.env): string | undefined {
    if (!env.PULUMI_CONFIG_PASSPHRASE && !env.PULUMI_CONFIG_PASSPHRASE_FILE) return undefined;
    const text = fs.readFileSync(path.join(root, `Pulumi.${stack}.yaml`), "utf8");
    return /^encryptionsalt:/m.test(text)
        ? undefined
        : `Pulumi.${stack}.yaml has no encryptionsalt: run 'pulumi stack init ${stack}' once against the shared backend (PULUMI_BACKEND_URL) with the team's passphrase, and commit the encryptionsalt line it writes`;
}

/** `new <customer>`: writes Pulumi.<customer>.yaml (newStack.ts decides); every problem at once, nothing written. */
export function newStack(args: string[], root = projectRoot(), out = console.log, err = console.error): number {
    const { values, positionals } = parseArgs({
        args,
        allowPositionals: true,
        options: {
            tenant: { type: "string" },
            organization: { type: "string" },
            mailbox: { type: "string", multiple: true },
            "display-name": { type: "string" },
            from: { type: "string" },
            provider: { type: "string" },
        },
    });
    const customer = positionals[1];
    const missing = [!customer && "<customer>", !values.tenant && "--tenant <tenant-id>", !values.organization && "--organization <domain>"].filter(Boolean);
    if (missing.length > 0) {
        err(`npm run stacks -- new needs ${missing.join(", ")} (see npm run -s stacks -- --help)`);
        return 2;
    }
    const file = path.join(root, `Pulumi.${customer}.yaml`);
    if (fs.existsSync(file)) {
        err(`${path.basename(file)} exists already: a customer's stack is made once (edit it, or choose another name)`);
        return 1;
    }
    const templateFile = values.from !== undefined ? path.join(root, `Pulumi.${values.from}.yaml`) : undefined;
    if (templateFile && !fs.existsSync(templateFile)) {
        err(`--from ${values.from}: no stack file ${path.basename(templateFile)} (stacks: ${stackNames(root).join(", ")})`);
        return 1;
    }
    const providerFile = values.provider !== undefined ? path.join(root, `Pulumi.${values.provider}.yaml`) : undefined;
    if (providerFile && !fs.existsSync(providerFile)) {
        err(`--provider ${values.provider}: no stack file ${path.basename(providerFile)} (stacks: ${stackNames(root).join(", ")})`);
        return 1;
    }
    const made = newStackFile({
        customer: customer!,
        tenantId: values.tenant!,
        organization: values.organization!,
        mailboxes: values.mailbox ?? [],
        ...(values["display-name"] !== undefined ? { displayName: values["display-name"] } : {}),
        ...(templateFile ? { template: { stack: values.from!, text: fs.readFileSync(templateFile, "utf8") } } : {}),
        ...(providerFile ? { provider: { stack: values.provider!, text: fs.readFileSync(providerFile, "utf8") } } : {}),
    });
    if ("problems" in made) {
        err(`Pulumi.${customer}.yaml was not written:\n${made.problems.map((problem) => `  ${problem}`).join("\n")}`);
        return 1;
    }
    fs.writeFileSync(file, made.text);
    if (providerFile && made.providerText !== undefined) {
        fs.writeFileSync(providerFile, made.providerText);
        out(
            `wrote ${path.basename(file)} and added ${customer} to ${path.basename(providerFile)}; next: pulumi up --stack ${values.provider}, send the customer's admin its URL (pulumi stack output adminConsentUrls --stack ${values.provider}), pulumi stack init ${customer}, pulumi up --stack ${customer} (it waits for the consent)`,
        );
        return 0;
    }
    out(`wrote ${path.basename(file)}; next: pulumi stack init ${customer}, npm run -s preflight -- --stack ${customer}, pulumi up --stack ${customer}`);
    return 0;
}

function main(): void {
    if (process.argv[2] === "new") {
        process.exitCode = newStack(process.argv.slice(2));
        return;
    }
    const { values } = parseArgs({
        options: {
            deployable: { type: "boolean", default: false },
            json: { type: "boolean", default: false },
            "exchange-certificate": { type: "string" },
            "check-passphrase-salt": { type: "string" },
            help: { type: "boolean", short: "h", default: false },
        },
    });
    if (values.help) {
        console.log(
            [
                "Usage: npm run -s stacks -- [--deployable] [--json] [--exchange-certificate <stack>]",
                "       npm run -s stacks -- new <customer> --tenant <tenant-id> --organization <domain> [--mailbox <address[:imap,pop,smtp]>]... [--from <stack>] [--provider <stack>] [--display-name <name>]",
                "  new <customer>                  a stack file for one more customer tenant, from a template stack's settings (--from) or the flags; checked before it is written",
                "    --provider <stack>            instead of an app of its own, the provider's multi-tenant app: adds the customer to that stack's customerTenants",
                "  --deployable                    only stacks CI can deploy unattended (default: all)",
                "  --json                          a JSON list, for a workflow matrix (default: one per line)",
                "  --exchange-certificate <stack>  the stack's Exchange certificate path, and on a second line the variable of its password; nothing without one (default: off)",
                "  --check-passphrase-salt <stack> exit 1 with a GitHub error when a passphrase stack's file lacks its salt (default: off)",
            ].join("\n"),
        );
        return;
    }
    if (values["check-passphrase-salt"] !== undefined) {
        const problem = passphraseSaltProblem(values["check-passphrase-salt"]);
        if (problem) {
            console.log(`::error::${problem}`);
            process.exitCode = 1;
        }
        return;
    }
    if (values["exchange-certificate"] !== undefined) {
        const certificate = exchangeCertificate(values["exchange-certificate"]);
        if (certificate) console.log(`${certificate.path}\n${certificate.passwordEnv}`);
        return;
    }
    const names = deployOrder(stackNames().filter((stack) => !values.deployable || deployableUnattended(stack)));
    console.log(values.json ? JSON.stringify(names) : names.join("\n"));
}

if (require.main === module) {
    main();
}
