/**
 * npm run sandbox [-- --down]
 *
 * The main job rehearsed on a local tenant: the stand-in Entra ID and, where Dovecot is installed, a mail lab (both
 * in a process of their own, world.ts, kept running until `--down`), the stand-in Exchange Online (the PowerShell
 * module, its tenant in a file), a `sandbox` stack on a local file backend in .tools/sandbox, the real `pulumi up`,
 * the mail client's settings, and `npm run verify -- --stack sandbox` logging in over IMAP, POP3 and SMTP (without
 * Dovecot, a sign-in at the token endpoint). With the real azuread and command plugins installed
 * (~/.pulumi/plugins, or M365_PROVIDER_PLUGINS), those run against the stand-ins; otherwise the project's
 * substitutes (docs/provider-fidelity.md). Nothing reaches Microsoft.
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
import { dovecotInstall, findDovecot, writeLabGrants } from "../../test/fixtures/mailLab";
import { labGrants } from "../../test/scripts/scenarioHelpers";
import { World, worldFile } from "./world";
import { Deployer } from "../../test/fixtures/entra/directory";

export const usage = `Usage: npm run sandbox [-- --down]

Rehearses the main job on a local tenant: starts the stand-in Entra ID and the stand-in Exchange Online (and
Dovecot where installed), makes a \`sandbox\` stack pointed at them (local file backend in .tools/sandbox), runs the
real \`pulumi up\`, prints the mail client's settings and runs \`npm run verify -- --stack sandbox\` against Dovecot
(without Dovecot: a sign-in with the secret it made). Needs the Pulumi CLI (npm run setup:engine, or
M365_PULUMI_BIN) and PowerShell 7.

  --down      pulumi destroy the sandbox stack, stop the stand-ins, remove .tools/sandbox
  -h, --help  this help`;

type Print = (text: string) => void;

export const sandboxStack = "sandbox";
const mailboxes = [
    { address: "edi@contoso.com", protocols: ["imap", "smtp"] },
    { address: "archive@contoso.com", protocols: ["pop"] },
];

/** Where the sandbox keeps everything: the stand-ins' folders, the backend, PULUMI_HOME and what --down needs. */
export function sandboxDir(root = projectRoot()): string {
    return path.join(root, ".tools", "sandbox");
}

interface Saved {
    world: World;
    exchange: Record<string, string>;
}

/** This command's runner for a sibling script: compiled, or under ts-node as `npm run sandbox` runs the sources. */
function nodeArgs(script: string): string[] {
    const extension = path.extname(__filename);
    return [...(extension === ".ts" ? ["-r", "ts-node/register/transpile-only"] : []), path.join(__dirname, "..", `${script}${extension}`)];
}

/** The local tenant (world.ts) in its own process, detached so it outlives this command; resolves once all listens. */
async function startWorld(dir: string, withDovecot: boolean): Promise<World> {
    const log = path.join(dir, "world.log");
    const out = fs.openSync(log, "w");
    const child = spawn(process.execPath, [...nodeArgs("sandbox/world"), "--dir", dir, "--tenant", tenantId, ...(withDovecot ? ["--dovecot"] : [])], {
        detached: true,
        stdio: ["ignore", out, out],
        cwd: projectRoot(),
    });
    child.unref();
    for (let waited = 0; waited < 60_000; waited += 200) {
        if (fs.existsSync(worldFile(dir))) return JSON.parse(fs.readFileSync(worldFile(dir), "utf8")) as World;
        if (child.exitCode !== null) throw new Error(`the sandbox's stand-ins did not start:\n${fs.readFileSync(log, "utf8")}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`the sandbox's stand-ins did not start in 60 s (see ${log})`);
}

/** Every `pulumi` run's environment: the sandbox's backend and home, the stand-ins, the deployer's sign-in. */
function pulumiEnv(dir: string, engine: string, saved: Saved): NodeJS.ProcessEnv {
    const deployer = JSON.parse(fs.readFileSync(path.join(saved.world.entraDir, "deployer.json"), "utf8")) as Deployer;
    return {
        ...offlinePulumiEnv(engine, dir, process.env.PULUMI_CONFIG_PASSPHRASE ?? "sandbox"),
        ...saved.exchange,
        SSL_CERT_FILE: saved.world.caFile,
        NODE_EXTRA_CA_CERTS: saved.world.caFile,
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
    const dovecot = findDovecot();
    const world = await startWorld(dir, dovecot !== undefined);
    const exchange = new StandInTenant({ mailboxes: Object.fromEntries(mailboxes.map((box) => [box.address, mailbox(box.address)])) });
    const saved: Saved = { world, exchange: exchange.machine() };
    fs.writeFileSync(path.join(dir, "sandbox.json"), JSON.stringify(saved, null, 2));
    const env = pulumiEnv(dir, engine, saved);
    const providers = installProviderPlugins(
        (args) => {
            if (pulumi(env, args, false).code !== 0) throw new Error(`pulumi ${args.join(" ")} failed`);
        },
        path.join(dir, "plugins"),
    );
    out(
        `sandbox: stand-in Entra ID at ${world.authority}, stand-in Exchange Online in ${exchange.dir}; providers: ${providers === "real" ? "the real azuread and command plugins" : "the project's substitute azuread and command plugins"}`,
    );
    out(
        world.lab
            ? `sandbox: Dovecot (${dovecot}) serves IMAP, POP3 and SMTP on ${world.lab.host} and lets in what the stand-in Exchange Online grants`
            : `sandbox: Dovecot is not installed, so verify stops at the token endpoint (for the logins too: ${dovecotInstall})`,
    );
    const config: Record<string, unknown> = {
        "azuread:tenantId": tenantId,
        "azuread:metadataHost": world.metadataHost,
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
    for (const key of ["tenantId", "clientId", "tokenUrl", "scope", "imap", "pop", "smtp", "clientSecretExpiresAt", "exchangeMailboxesGranted"])
        if (outputs[key] !== undefined) out(`  ${key}: ${typeof outputs[key] === "string" ? outputs[key] : JSON.stringify(outputs[key])}`);
    out("  clientSecret: [secret] (pulumi stack output clientSecret --show-secrets --stack sandbox)");
    const passed = world.lab ? verifyOnLab(world, exchange, outputs.clientId, env) : await signInOnly(world, outputs, out);
    out("sandbox: npm run sandbox -- --down destroys it and stops the stand-ins");
    return passed ? 0 : 1;
}

/**
 * `npm run verify -- --stack sandbox` as a user runs it, against the lab's servers: Dovecot lets in exactly what
 * the stand-in Exchange Online now grants the stack's service principal (test/scripts/scenarioHelpers.ts labGrants).
 */
function verifyOnLab(world: World, exchange: StandInTenant, clientId: string, env: NodeJS.ProcessEnv): boolean {
    const lab = world.lab!;
    writeLabGrants(lab.dir, labGrants(exchange, exchange.servicePrincipalIdentity(clientId)));
    const flags = ["--stack", sandboxStack, "--authority", world.authority, "--timeout", "10s"];
    for (const [protocol, port] of [
        ["imap", lab.imapPort],
        ["pop", lab.popPort],
        ["smtp", lab.smtpPort],
    ] as const)
        flags.push(`--${protocol}-host`, lab.host, `--${protocol}-port`, String(port));
    const run = spawnSync(process.execPath, [...nodeArgs("verify"), ...flags], { cwd: projectRoot(), env, stdio: ["ignore", "inherit", "inherit"] });
    return run.status === 0;
}

/** Without Dovecot: the secret the stack made signs in at the stand-in's token endpoint, as the mail client would. */
async function signInOnly(world: World, outputs: Record<string, any>, out: Print): Promise<boolean> {
    const client = new StandInClient(world.caFile);
    const token = await client.token(`${world.authority}/${tenantId}/oauth2/v2.0/token`, outputs.clientId, outputs.clientSecret, String(outputs.scope));
    const roles =
        token.status === 200 ? (JSON.parse(Buffer.from(String(token.body.access_token).split(".")[1], "base64url").toString("utf8")).roles as string[]) : [];
    out(
        token.status === 200
            ? `sandbox: verify: the client secret signs in; the token holds ${roles.sort().join(", ")}`
            : `sandbox: verify: the client secret does not sign in: ${token.body?.error_description ?? token.status}`,
    );
    return token.status === 200;
}

/** Stops the world and waits until it has stopped Dovecot (at most 15 s). */
async function stopWorld(pid: number): Promise<void> {
    try {
        process.kill(pid, "SIGTERM");
    } catch {
        return; // Already stopped.
    }
    for (let waited = 0; waited < 15_000; waited += 200) {
        try {
            process.kill(pid, 0);
        } catch {
            return;
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
    }
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
    await stopWorld(saved.world.pid);
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
