/**
 * npm run sandbox [-- --down]
 *
 * The main job rehearsed on a local tenant: the stand-in Entra ID (a process of its own, kept running until
 * `--down`) and the stand-in Exchange Online (the PowerShell module, its tenant in a file), a `sandbox` stack on a
 * local file backend in .tools/sandbox, the real `pulumi up`, the mail client's settings, and a sign-in with the
 * secret the stack made. With the Pulumi CLI's real azuread and command plugins (M365_PROVIDER_PLUGINS), those run
 * against the stand-ins; otherwise the project's substitutes (docs/provider-fidelity.md). Nothing reaches Microsoft.
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { configNamespace } from "../../facts/project";
import { projectRoot } from "../../facts/projectRoot";
import { engineMissingMessage, findEngine, offlinePulumiEnv } from "../../test/e2e/engine";
import { installProviderPlugins } from "../../test/e2e/providers";
import { findPwsh, pwshMissingMessage } from "../../test/scripts/commandProvider";
import { mailbox, organization, StandInTenant, tenantId } from "../../test/scripts/standInTenant";
import { StandInClient } from "../../test/fixtures/entra/graphClient";
import { Deployer } from "../../test/fixtures/entra/directory";

export const usage = `Usage: npm run sandbox [-- --down]

Rehearses the main job on a local tenant: starts the stand-in Entra ID and the stand-in Exchange Online, makes a
\`sandbox\` stack pointed at them (local file backend in .tools/sandbox), runs the real \`pulumi up\`, prints the
mail client's settings and signs in with the secret it made. Needs the Pulumi CLI (npm run setup:engine, or
M365_PULUMI_BIN) and PowerShell 7.

  --down      pulumi destroy the sandbox stack, stop the stand-ins, remove .tools/sandbox
  -h, --help  this help`;

type Print = (text: string) => void;

export const sandboxStack = "sandbox";
const mailboxes = [{ address: "edi@contoso.com", protocols: ["imap", "smtp"] }];

/** Where the sandbox keeps everything: the stand-ins' folders, the backend, PULUMI_HOME and what --down needs. */
export function sandboxDir(root = projectRoot()): string {
    return path.join(root, ".tools", "sandbox");
}

interface Saved {
    entraPid: number;
    entraBase: string;
    exchange: Record<string, string>;
}

/** The stand-in Entra ID in its own process, detached so it outlives this command; resolves once it listens. */
async function startEntra(dir: string): Promise<{ pid: number; base: string }> {
    fs.mkdirSync(dir, { recursive: true });
    const log = path.join(dir, "stand-in.log");
    const out = fs.openSync(log, "w");
    const cli = path.join(__dirname, "..", "..", "test", "fixtures", "entra", `cli${path.extname(__filename)}`);
    const runner = path.extname(__filename) === ".ts" ? ["-r", "ts-node/register/transpile-only"] : [];
    const child = spawn(process.execPath, [...runner, cli, "--dir", dir, "--port", "0", "--tenant", tenantId], {
        detached: true,
        stdio: ["ignore", out, out],
        cwd: projectRoot(),
    });
    child.unref();
    for (let waited = 0; waited < 30_000; waited += 200) {
        const text = fs.readFileSync(log, "utf8");
        const base = /listening on (https:\/\/\S+) /.exec(text)?.[1];
        if (base && text.includes("verify's authority")) return { pid: child.pid!, base };
        if (child.exitCode !== null) throw new Error(`the stand-in Entra ID did not start:\n${text}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`the stand-in Entra ID did not start in 30 s (see ${log})`);
}

/** Every `pulumi` run's environment: the sandbox's backend and home, the stand-ins, the deployer's sign-in. */
function pulumiEnv(dir: string, engine: string, saved: Saved): NodeJS.ProcessEnv {
    const deployer = JSON.parse(fs.readFileSync(path.join(dir, "entra", "deployer.json"), "utf8")) as Deployer;
    const ca = path.join(dir, "entra", "ca.crt");
    return {
        ...offlinePulumiEnv(engine, dir, process.env.PULUMI_CONFIG_PASSPHRASE ?? "sandbox"),
        ...saved.exchange,
        SSL_CERT_FILE: ca,
        NODE_EXTRA_CA_CERTS: ca,
        ARM_CLIENT_ID: deployer.clientId,
        ARM_CLIENT_SECRET: deployer.clientSecret,
    };
}

function pulumi(env: NodeJS.ProcessEnv, args: string[], show: boolean): { code: number; stdout: string } {
    const run = spawnSync("pulumi", [...args, "--non-interactive"], {
        cwd: projectRoot(),
        env,
        encoding: "utf8",
        stdio: ["ignore", "pipe", show ? "inherit" : "pipe"],
        maxBuffer: 64 * 1024 * 1024,
    });
    if (show && run.stdout) process.stdout.write(run.stdout);
    return { code: run.status ?? 1, stdout: run.stdout ?? "" };
}

/** The one line that says what the sandbox cannot run without, and how to get it; undefined when nothing is missing. */
export function missingPrerequisite(engine: string | undefined, pwsh: string | undefined): string | undefined {
    if (!engine) return `sandbox: ${engineMissingMessage}`;
    if (!pwsh) return `sandbox: ${pwshMissingMessage}`;
    return undefined;
}

async function up(out: Print, err: Print): Promise<number> {
    const engine = findEngine();
    const pwsh = findPwsh();
    const missing = missingPrerequisite(engine, pwsh);
    if (missing || !engine || !pwsh) {
        err(missing ?? "sandbox: unreachable");
        return 1;
    }
    const dir = sandboxDir();
    if (fs.existsSync(path.join(dir, "sandbox.json"))) {
        err("sandbox: a sandbox is already up (npm run sandbox -- --down first)");
        return 1;
    }
    for (const folder of ["state", "home"]) fs.mkdirSync(path.join(dir, folder), { recursive: true });
    const entra = await startEntra(path.join(dir, "entra"));
    const exchange = new StandInTenant({ mailboxes: Object.fromEntries(mailboxes.map((box) => [box.address, mailbox(box.address)])) });
    const saved: Saved = { entraPid: entra.pid, entraBase: entra.base, exchange: exchange.machine() };
    fs.writeFileSync(path.join(dir, "sandbox.json"), JSON.stringify(saved, null, 2));
    const env = pulumiEnv(dir, engine, saved);
    const providers = installProviderPlugins(
        (args) => {
            if (pulumi(env, args, false).code !== 0) throw new Error(`pulumi ${args.join(" ")} failed`);
        },
        path.join(dir, "plugins"),
    );
    out(
        `sandbox: stand-in Entra ID at ${entra.base}, stand-in Exchange Online in ${exchange.dir}; providers: ${providers === "real" ? "the real azuread and command plugins (M365_PROVIDER_PLUGINS)" : "the project's substitute azuread and command plugins"}`,
    );
    const config: Record<string, unknown> = {
        "azuread:tenantId": tenantId,
        "azuread:metadataHost": new URL(entra.base).host,
        [`${configNamespace}:displayName`]: "Mail OAuth (sandbox)",
        [`${configNamespace}:mailboxes`]: mailboxes,
        [`${configNamespace}:secretLifetimeDays`]: 30,
        [`${configNamespace}:exchange`]: { organization, auth: "interactive", pwsh },
    };
    if (pulumi(env, ["stack", "init", sandboxStack], false).code !== 0) {
        err("sandbox: pulumi stack init sandbox failed");
        return 1;
    }
    const stackFile = path.join(projectRoot(), `Pulumi.${sandboxStack}.yaml`);
    const salt = fs
        .readFileSync(stackFile, "utf8")
        .split("\n")
        .filter((line) => line.startsWith("encryptionsalt:"));
    fs.writeFileSync(stackFile, [...salt, "config:", ...Object.entries(config).map(([key, value]) => `  ${key}: ${JSON.stringify(value)}`), ""].join("\n"));
    out("sandbox: pulumi up --stack sandbox");
    if (pulumi(env, ["up", "--yes", "--stack", sandboxStack], true).code !== 0) {
        err("sandbox: pulumi up failed (above); npm run sandbox -- --down cleans up");
        return 1;
    }
    const outputs = JSON.parse(pulumi(env, ["stack", "output", "--json", "--show-secrets", "--stack", sandboxStack], false).stdout) as Record<string, any>;
    out("sandbox: the mail client's settings (pulumi stack output --stack sandbox):");
    for (const key of ["tenantId", "clientId", "tokenUrl", "scope", "imap", "smtp", "clientSecretExpiresAt", "exchangeMailboxesGranted"])
        if (outputs[key] !== undefined) out(`  ${key}: ${typeof outputs[key] === "string" ? outputs[key] : JSON.stringify(outputs[key])}`);
    out("  clientSecret: [secret] (pulumi stack output clientSecret --show-secrets --stack sandbox)");
    // The secret the stack made signs in at the stand-in's token endpoint, as the mail client would.
    const client = new StandInClient(path.join(dir, "entra", "ca.crt"));
    const token = await client.token(`${entra.base}/${tenantId}/oauth2/v2.0/token`, outputs.clientId, outputs.clientSecret, String(outputs.scope));
    const roles =
        token.status === 200 ? (JSON.parse(Buffer.from(String(token.body.access_token).split(".")[1], "base64url").toString("utf8")).roles as string[]) : [];
    out(
        token.status === 200
            ? `sandbox: verify: the client secret signs in; the token holds ${roles.sort().join(", ")}`
            : `sandbox: verify: the client secret does not sign in: ${token.body?.error_description ?? token.status}`,
    );
    out("sandbox: npm run sandbox -- --down destroys it and stops the stand-ins");
    return token.status === 200 ? 0 : 1;
}

async function down(out: Print, err: Print): Promise<number> {
    const dir = sandboxDir();
    const file = path.join(dir, "sandbox.json");
    if (!fs.existsSync(file)) {
        out("sandbox: no sandbox is up");
        return 0;
    }
    const saved = JSON.parse(fs.readFileSync(file, "utf8")) as Saved;
    const engine = findEngine();
    let code = 0;
    if (engine) {
        const env = pulumiEnv(dir, engine, saved);
        if (pulumi(env, ["destroy", "--yes", "--stack", sandboxStack], true).code !== 0) {
            err("sandbox: pulumi destroy failed (above)");
            code = 1;
        } else pulumi(env, ["stack", "rm", "--yes", sandboxStack], false);
    }
    try {
        process.kill(saved.entraPid, "SIGTERM");
    } catch {
        // Already stopped.
    }
    fs.rmSync(path.dirname(saved.exchange.EXO_STANDIN_STATE), { recursive: true, force: true });
    fs.rmSync(path.join(projectRoot(), `Pulumi.${sandboxStack}.yaml`), { force: true });
    if (code === 0) fs.rmSync(dir, { recursive: true, force: true });
    out(code === 0 ? "sandbox: destroyed, the stand-ins stopped, .tools/sandbox removed" : "sandbox: the stand-ins stopped; .tools/sandbox kept");
    return code;
}

export async function main(argv: string[], out: Print, err: Print): Promise<number> {
    let values: { down?: boolean; help?: boolean };
    try {
        ({ values } = parseArgs({ args: argv, options: { down: { type: "boolean" }, help: { type: "boolean", short: "h" } } }));
    } catch (error) {
        err(`${(error as Error).message} (see npm run sandbox -- --help)`);
        return 2;
    }
    if (values.help) {
        out(usage);
        return 0;
    }
    return values.down ? down(out, err) : up(out, err);
}
