/**
 * The benchmark's part under the real Pulumi engine (`npm run setup:engine`, or M365_PULUMI_BIN): wall time of
 * `pulumi preview` and `pulumi up` for an empty TypeScript program and for the project's credential resources
 * (test/e2e/programs/credentials: rotation guard, secret expiry, two secret slots, over the stand-in Entra ID's
 * Graph, which runs in a process of its own), and the project's own program's
 * start-up, for the dev stack's shape and for 100 mailboxes, against the empty program in the same run. The
 * project's program runs as `pulumi` runs it after `npm run build` (program.js: the compiled program). A second
 * baseline, test/e2e/programs/sdk, loads @pulumi/pulumi and declares nothing: what any program that declares a
 * resource pays before its own first line (the SDK's index loads the automation API and the closure serializer).
 *
 * The project's program is timed twice. Without provider plugins, up to the moment the engine asks for the azuread
 * plugin: that is its start-up (Node.js, the SDKs, reading and validating config, deciding the access plan, the
 * first registration), what every `pulumi` run pays before any provider work. And whole, for 1 and 100 mailboxes,
 * with the providers test/e2e/providers.ts installs (the substitutes here, where the real azuread and command
 * plugins cannot be built: tools/engine/README.md) against the stand-in Entra ID and, under pwsh, the stand-in
 * Exchange Online. Each figure is the median of three runs (a first `up`, which creates everything, runs once).
 */
import { EngineProject, engineMissingMessage, findEngine } from "../../test/e2e/engine";
import { EngineStandIn, startStandInEntraForEngine } from "../../test/fixtures/entra/forEngine";
import { configNamespace } from "../../facts/project";
import { projectOnStandIns } from "../../test/e2e/standInWorld";
import { mailbox, organization, StandInTenant, tenantId } from "../../test/scripts/standInTenant";
import { findPwsh } from "../../test/scripts/commandProvider";

const runs = 3;

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
}

/** Seconds of `pulumi ARGS`; `expect` checks each run's output (throws when the run is not what is measured). */
function timed(project: EngineProject, args: string[], expect: (code: number, output: string) => boolean, count = runs): number {
    const seconds: number[] = [];
    for (let i = 0; i < count; i++) {
        const started = process.hrtime.bigint();
        const run = project.pulumi(args);
        seconds.push(Number(process.hrtime.bigint() - started) / 1e9);
        if (!expect(run.code, run.output)) {
            throw new Error(`pulumi ${args.join(" ")} did not run as measured (exit ${run.code}):\n${run.output}`);
        }
    }
    return median(seconds);
}

const succeeded = (code: number) => code === 0;
/** The program ran to its first Entra ID resource: the engine then looks for the azuread plugin, which is not here. */
const reachedAzuread = (_code: number, output: string) => /no resource plugin 'pulumi-resource-azuread' found/.test(output);

function benchMailboxes(count: number): { address: string; protocols: string[] }[] {
    return Array.from({ length: count }, (_, i) => ({ address: `mailbox-${i}@contoso.com`, protocols: i % 2 === 0 ? ["imap", "smtp"] : ["pop"] }));
}

function projectConfig(mailboxCount: number): Record<string, unknown> {
    // A tenant that is not the example's placeholder, which previews refuse before any resource.
    return {
        "azuread:tenantId": "7e57e57e-0000-4000-8000-00000000fa4e",
        [`${configNamespace}:displayName`]: "bench",
        [`${configNamespace}:exchange`]: { organization: "contoso.onmicrosoft.com" },
        [`${configNamespace}:mailboxes`]: benchMailboxes(mailboxCount),
    };
}

const up = ["up", "--yes", "--stack", "bench"];

/** Seconds of the first `pulumi up` of a new stack: it creates everything, so it runs once. */
const firstUp = (project: EngineProject) => timed(project, up, succeeded, 1);

export async function engineBench(printTable: (rows: string[][]) => void): Promise<void> {
    const engineDir = findEngine();
    if (engineDir === undefined) {
        console.log(`\nReal engine: not measured (${engineMissingMessage}).`);
        return;
    }
    const rows: string[][] = [["program", "pulumi preview s", "first pulumi up s", "pulumi up, nothing to change s"]];
    const projects: EngineProject[] = [];
    let standIn: EngineStandIn | undefined;
    const open = (program?: string, compiled = false, env: NodeJS.ProcessEnv = {}) => {
        const project = new EngineProject(engineDir, program, compiled, env);
        projects.push(project);
        return project;
    };
    try {
        const empty = open("empty");
        empty.initStack("bench", {});
        const emptyPreview = timed(empty, ["preview", "--stack", "bench"], succeeded);
        rows.push(["empty TypeScript program", emptyPreview.toFixed(1), firstUp(empty).toFixed(1), timed(empty, up, succeeded).toFixed(1)]);
        const sdk = open("sdk");
        sdk.initStack("bench", {});
        const sdkPreview = timed(sdk, ["preview", "--stack", "bench"], succeeded);
        rows.push(["empty program loading @pulumi/pulumi", sdkPreview.toFixed(1), firstUp(sdk).toFixed(1), timed(sdk, up, succeeded).toFixed(1)]);

        standIn = await startStandInEntraForEngine();
        const credentials = open("credentials", false, standIn.env);
        credentials.initStack("bench", { rotation: "0", lifetimeDays: "90" });
        const credentialsPreview = timed(credentials, ["preview", "--stack", "bench"], succeeded);
        rows.push(["credential resources", credentialsPreview.toFixed(1), firstUp(credentials).toFixed(1), timed(credentials, up, succeeded).toFixed(1)]);

        const pwsh = findPwsh();
        if (pwsh === undefined) {
            rows.push(["the project's program", "not measured: no pwsh (npm run setup:pwsh)", "", ""]);
        }
        for (const count of pwsh === undefined ? [] : [1, 100]) {
            const exchange = new StandInTenant({ mailboxes: Object.fromEntries(benchMailboxes(count).map((m) => [m.address, mailbox(m.address)])) });
            const entra = await startStandInEntraForEngine(tenantId);
            try {
                const { project, providers } = projectOnStandIns(engineDir, entra, exchange, true);
                projects.push(project);
                project.initStack("bench", {
                    "azuread:tenantId": tenantId,
                    "azuread:metadataHost": new URL(entra.env.M365_STANDIN_TOKEN_URL).host,
                    [`${configNamespace}:displayName`]: "bench",
                    [`${configNamespace}:exchange`]: { organization, auth: "interactive", pwsh },
                    [`${configNamespace}:mailboxes`]: benchMailboxes(count),
                });
                const preview = timed(project, ["preview", "--stack", "bench"], succeeded);
                rows.push([
                    `the project's program, ${count} mailbox(es), ${providers} providers`,
                    preview.toFixed(1),
                    firstUp(project).toFixed(1),
                    timed(project, up, succeeded).toFixed(1),
                ]);
            } finally {
                exchange.dispose();
                await entra.stop();
            }
        }

        const startUps: string[][] = [
            ["the project's program", "start-up s (to the first provider)", "times the empty program's preview", "times the SDK-loading one's"],
        ];
        for (const count of [1, 100]) {
            const project = open(undefined, true);
            project.initStack("bench", projectConfig(count));
            const startUp = timed(project, ["preview", "--stack", "bench"], reachedAzuread);
            startUps.push([`${count} mailbox(es)`, startUp.toFixed(1), (startUp / emptyPreview).toFixed(2), (startUp / sdkPreview).toFixed(2)]);
        }
        console.log(`\nUnder the real Pulumi engine (${engineDir}), median of ${runs} runs:`);
        printTable(rows);
        console.log("");
        printTable(startUps);
    } finally {
        for (const project of projects) project.dispose();
        await standIn?.stop();
    }
}
