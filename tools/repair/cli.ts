/**
 * npm run repair -- --stack <name> [--dry-run]
 *
 * Brings into the stack's state what an earlier `pulumi up` made in Entra ID but lost from the state (issue #32,
 * finding 11; tools/repair/lostObjects.ts), with `pulumi import`, so the next `pulumi up` succeeds instead of
 * failing on an object that exists. Reads Graph only; writes only the stack's state.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";
import { formatProblems, validateStackConfig } from "../../config/validate";
import { planAccess } from "../../plan/accessPlan";
import { readStackFile } from "../review/stackFile";
import { deployerCredentials, graphReader, tenantFacts } from "./tenantGraph";
import { explainPartialCreate, importFile, repairPlan, StateResource } from "./lostObjects";
import { explainCredentialPolicyError } from "../verify/diagnosis";

export const usage = `Usage: npm run repair -- --stack <name> [--dry-run]
       npm run repair -- --explain "<the error pulumi up printed>"

Finds what an earlier pulumi up made in Entra ID but lost from the stack's state (the app's service principal,
admin consents, the delegated grant), by the app's client ID, and imports it with pulumi import, so the next
pulumi up succeeds. Signs in to Microsoft Graph as the azuread provider does (ARM_CLIENT_ID, ARM_CLIENT_SECRET,
else the stack's azuread:clientId and azuread:clientSecret), and reads only.

  --stack <name>   the stack (Pulumi.<name>.yaml); required
  --dry-run        say what would be imported, import nothing
  --explain <text> name the fix for an error a partial create or a credential policy leaves (nothing is read
                   or changed)
  -h, --help       this help

Exit code: 0 done (or nothing to do), 1 a problem (named), 2 bad usage.`;

type Print = (text: string) => void;

function pulumi(args: string[], input?: string) {
    return spawnSync("pulumi", [...args, "--non-interactive"], { encoding: "utf8", input, maxBuffer: 64 * 1024 * 1024 });
}

export async function main(argv: string[], out: Print, err: Print): Promise<number> {
    let values: { stack?: string; "dry-run"?: boolean; explain?: string; help?: boolean };
    try {
        ({ values } = parseArgs({
            args: argv,
            options: { stack: { type: "string" }, "dry-run": { type: "boolean" }, explain: { type: "string" }, help: { type: "boolean", short: "h" } },
        }));
    } catch (error) {
        err(`${(error as Error).message} (see npm run repair -- --help)`);
        return 2;
    }
    if (values.help) {
        out(usage);
        return 0;
    }
    if (values.explain !== undefined) {
        const fix = explainPartialCreate(values.explain) ?? explainCredentialPolicyError(values.explain);
        out(fix ?? "not an error a partial create or a credential policy leaves; see the README's troubleshooting and docs/provider-fidelity.md");
        return fix ? 0 : 1;
    }
    const stack = values.stack;
    if (!stack) {
        err("--stack <name> is required (see npm run repair -- --help)");
        return 2;
    }
    const stackFile = path.resolve(`Pulumi.${stack}.yaml`);
    if (!fs.existsSync(stackFile)) {
        err(`no stack file ${path.basename(stackFile)} here`);
        return 1;
    }
    const raw = readStackFile(stackFile);
    const validated = validateStackConfig(raw, process.env);
    if (!validated.ok) {
        err(formatProblems(validated.problems));
        return 1;
    }
    const exported = pulumi(["stack", "export", "--stack", stack]);
    if (exported.status !== 0) {
        err(`pulumi stack export --stack ${stack} failed:\n${exported.stderr}`);
        return 1;
    }
    const state = ((JSON.parse(exported.stdout).deployment?.resources ?? []) as StateResource[]).filter((r) => r.urn);
    const signIn = deployerCredentials(stack, raw);
    if (typeof signIn === "string") {
        err(signIn);
        return 1;
    }
    const access = planAccess(validated.settings);
    const clientId = state.find((r) => r.outputs?.clientId && r.type.endsWith(":Application"))?.outputs?.clientId as string | undefined;
    const get = await graphReader({ ...signIn, cloud: validated.settings.cloud });
    const repair = repairPlan(state, access, clientId ? await tenantFacts(get, clientId) : { assignments: [], grants: [] });
    if (repair.note) out(`repair: ${repair.note}`);
    if (repair.lost.length === 0) {
        out(`repair: the state of ${stack} lacks nothing Entra ID holds for app ${repair.clientId ?? "(none)"}`);
        return 0;
    }
    for (const object of repair.lost) out(`lost from the state: ${object.name} (${object.type}) ${object.id}; the next pulumi up would meet "${object.meets}"`);
    if (values["dry-run"]) return 0;
    const azureadVersion = JSON.parse(fs.readFileSync(require.resolve("@pulumi/azuread/package.json"), "utf8")).version as string;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "m365-repair-"));
    const file = path.join(dir, "import.json");
    fs.writeFileSync(file, JSON.stringify(importFile(repair, azureadVersion), null, 2));
    // Imported as the program declares them: not protected (the program says what is), no code to generate.
    const imported = pulumi(["import", "--file", file, "--yes", "--stack", stack, "--generate-code=false", "--protect=false", "--skip-preview"]);
    fs.rmSync(dir, { recursive: true, force: true });
    if (imported.status !== 0) {
        err(`pulumi import failed:\n${imported.stdout}\n${imported.stderr}`);
        return 1;
    }
    out(`repair: imported ${repair.lost.length} object(s) into ${stack}; next: pulumi up --stack ${stack}`);
    return 0;
}
