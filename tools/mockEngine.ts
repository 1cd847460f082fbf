/**
 * Runs the real program (index.ts, or bin/index.js when compiled) under Pulumi's own mock engine and records
 * what it declares. Used by the tests, the benchmark and `npm run review`.
 *
 * The mocks answer like Entra ID would (IDs, the client secret, the tenant's Microsoft service principals);
 * what matters is what the program sends: every resource's type, name and inputs, and the stack outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { exchangeOnline, microsoftGraph } from "../facts/microsoft";
import { customerConsentUrls } from "../plan/multiTenant";
import { configNamespace, mockEngineVariable, offlineReviewVariable, resourceTypes } from "../facts/project";

export const tenant = {
    tenantId: "7e57e57e-0000-4000-8000-00000000fa4e", // obviously fake: no real tenant has it
    deployerObjectId: "d0d0d0d0-0000-4000-8000-000000000001",
    exchangeSpObjectId: "e0e0e0e0-0000-4000-8000-00000000e0e0",
    graphSpObjectId: "a0a0a0a0-0000-4000-8000-00000000a0a0",
    /** The provider's app's service principal, as a customer's admin consent made it (providerApp). */
    consentedSpObjectId: "c0c0c0c0-0000-4000-8000-00000000c0c0",
};

export const mockExpiresAt = "2027-05-21T08:00:00Z";

/** A provider's multi-tenant app, as a customer's stack reads it through its stack reference. */
export const mockProviderClientId = "5e5e5e5e-0000-4000-8000-0000000a11a5";

/** The outputs of a provider's stack that lists `customerTenant` among its customers. */
export function mockProviderStack(customerTenant: string): { outputs: Record<string, unknown> } {
    return {
        outputs: {
            clientId: mockProviderClientId,
            clientSecret: "mock-provider-secret",
            clientSecretKeyId: "5e5e5e5e-0000-4000-8000-00000000c0de",
            clientSecretExpiresAt: "2027-05-21T08:00:00Z",
            customerProtocols: ["imap", "pop", "smtp"],
            adminConsentUrls: customerConsentUrls(
                {
                    consentRedirectUri: "https://provider.example/consented",
                    protocols: ["imap", "pop", "smtp"],
                    customers: [{ name: "customer", tenantId: customerTenant }],
                },
                mockProviderClientId,
                "global",
            ),
        },
    };
}
export const mockSecretValue = "mock-secret-Value~with.special_chars";

/** Resource options the program set that the engine acts on. */
export interface DeclaredOptions {
    readonly protect?: boolean;
    readonly deleteBeforeReplace?: boolean;
    readonly ignoreChanges?: string[];
    readonly aliases?: pulumi.CustomResourceOptions["aliases"];
    readonly dependsOn?: pulumi.CustomResourceOptions["dependsOn"];
}

export interface DeclaredResource {
    readonly type: string;
    readonly name: string;
    readonly inputs: Record<string, any>;
    readonly options?: DeclaredOptions;
}

export interface ProgramRun {
    readonly resources: DeclaredResource[];
    readonly calls: { token: string; inputs: Record<string, any> }[];
    /** Stack outputs as the engine would store them (secrets unwrapped). */
    readonly outputs: Record<string, any>;
    /** The program's exports as Pulumi outputs, to ask which are secret. */
    readonly exports: Record<string, pulumi.Output<any>>;
    readonly error?: Error;
}

export interface RunOptions {
    preview?: boolean;
    /** Overrides the tenant's published IDs, to exercise the checks against them. */
    exchangeAppRoleIds?: Record<string, string>;
    /** The tenant getClientConfig answers with (default: the test tenant). */
    tenantId?: string;
    /** The deploying identity's object ID getClientConfig answers with (default: the test tenant's deployer). */
    deployerObjectId?: string;
    /**
     * Another copy of the program to run (its sources, e.g. as they are at a git ref: the change review's base);
     * default: this one.
     */
    programDir?: string;
    /** Stack name the program sees. */
    stack?: string;
    /** Whether the program runs in CI (the CI variable): tests and the offline review see none unless they ask. */
    ci?: boolean;
    /** What the Exchange command printed on its last run (its recorded state), as the engine hands it back. */
    commandStdout?: string;
    /**
     * The run is the offline review or change review: the program lets the example's placeholder tenant through
     * (the plan says it will be refused), where a real preview or update refuses it.
     */
    offlineReview?: boolean;
    /**
     * A customer's stack (`providerApp`): the provider's stack outputs its stack reference reads (default: a
     * provider's multi-tenant app for every protocol, listing this run's tenant), and whether the customer's tenant
     * holds the app's service principal yet (default: consented).
     */
    providerStack?: { outputs: Record<string, unknown>; consented?: boolean };
    /**
     * Answers a resource registration instead of the default mocks (see tools/engineReplay.ts, which replays
     * updates as the engine would); undefined falls back to the defaults. Throwing fails the program, as a
     * provider's check failure does.
     */
    engine?: (
        args: pulumi.runtime.MockResourceArgs,
        defaultResult: { id: string; state: Record<string, any> },
        /** The resource options the program declared (ignoreChanges, protect, ...), as the engine acts on them. */
        declared?: DeclaredOptions,
    ) => Promise<{ id: string; state: Record<string, any> }>;
}

export const types = resourceTypes;

// index.js when compiled (bin/tools), index.ts under ts-node (tools/).
const indexPath = require.resolve(path.join(__dirname, "..", "index"));

/** The program's entry module: this one, or the TypeScript sources of another copy (through ts-node, transpiled only). */
function programIndex(programDir: string | undefined): string {
    if (programDir === undefined) return indexPath;
    if (!require.extensions[".ts"]) require("ts-node").register({ transpileOnly: true, compilerOptions: { module: "commonjs" } });
    return require.resolve(path.join(programDir, "index.ts"));
}

function stableId(name: string): string {
    let hash = 0;
    for (const char of name) {
        hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
    }
    const hex = hash.toString(16).padStart(8, "0");
    return `${hex}-0000-4000-8000-${hex}0000`;
}

/** Stack config as `pulumi config set` stores it: objects and lists as JSON text. */
export function stackConfig(values: Record<string, unknown>, tenantId = tenant.tenantId): Record<string, string> {
    const config: Record<string, string> = { "azuread:tenantId": tenantId };
    for (const [key, value] of Object.entries(values)) {
        config[`${configNamespace}:${key}`] = typeof value === "string" ? value : JSON.stringify(value);
    }
    return config;
}

type MockResult = { id: string; state: Record<string, any> };

/** What the mocks answer by default: IDs and outputs as Entra ID would give them, stable per name. */
function defaultResource(args: pulumi.runtime.MockResourceArgs, options: RunOptions): MockResult {
    const id = stableId(args.name);
    switch (args.type) {
        case "azuread:index/application:Application":
            return { id: `/applications/${id}`, state: { ...args.inputs, clientId: stableId(`${args.name}-client`), objectId: id } };
        case "azuread:index/servicePrincipal:ServicePrincipal":
            return { id, state: { ...args.inputs, objectId: id } };
        case "azuread:index/applicationPassword:ApplicationPassword":
            return { id: `${id}/password/${id}`, state: { ...args.inputs, keyId: stableId(`${args.name}-key`), value: mockSecretValue } };
        case types.secretExpiry:
            return { id, state: { ...args.inputs, expiresAt: mockExpiresAt } };
        case "command:local:Command":
            return { id, state: { ...args.inputs, stdout: options.commandStdout ?? "", stderr: "" } };
        case types.stackReference: {
            // Pulumi's StackReference reads `outputs` and `secretOutputNames` from the state (@pulumi/pulumi stackReference.ts).
            const outputs = (options.providerStack ?? mockProviderStack(options.tenantId ?? tenant.tenantId)).outputs;
            return { id: String(args.inputs.name), state: { name: args.inputs.name, outputs, secretOutputNames: ["clientSecret"] } };
        }
        default:
            return { id, state: args.inputs };
    }
}

const noServicePrincipal =
    "invoking azuread:index/getServicePrincipal:getServicePrincipal: 1 error occurred:\n\t* No service principal found: no service principal found\n\n";

/** The provider functions the program calls, answered as the test tenant's Entra ID would. */
function answerCall(args: pulumi.runtime.MockCallArgs, options: RunOptions): Record<string, any> {
    switch (args.token) {
        case "azuread:index/getClientConfig:getClientConfig":
            return {
                tenantId: options.tenantId ?? tenant.tenantId,
                clientId: "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
                objectId: options.deployerObjectId ?? tenant.deployerObjectId,
            };
        case "azuread:index/getServicePrincipal:getServicePrincipal":
            if (args.inputs.clientId === exchangeOnline.appId) {
                return {
                    objectId: tenant.exchangeSpObjectId,
                    clientId: exchangeOnline.appId,
                    appRoleIds: options.exchangeAppRoleIds ?? { ...exchangeOnline.appRoles, full_access_as_app: "dc890d15-9560-4a4c-9b7f-a736ec74ec40" },
                    oauth2PermissionScopeIds: {},
                };
            }
            if (args.inputs.clientId === microsoftGraph.appId) {
                return {
                    objectId: tenant.graphSpObjectId,
                    clientId: microsoftGraph.appId,
                    appRoleIds: {},
                    oauth2PermissionScopeIds: { ...microsoftGraph.delegatedScopes },
                };
            }
            if (args.inputs.clientId === mockProviderClientId && options.providerStack?.consented !== false) {
                return { objectId: tenant.consentedSpObjectId, clientId: mockProviderClientId, appRoleIds: {}, oauth2PermissionScopeIds: {} };
            }
            // The real provider's answer (components/entraApplication/consentWait.ts names its source). The engine
            // hands a failed invoke back as a gRPC error whose `details` the SDK turns into the message.
            throw Object.assign(new Error(noServicePrincipal), { details: noServicePrincipal });
        default:
            throw new Error(`unexpected call ${args.token}`);
    }
}

/** Installs Pulumi's mock engine, recording every registration and call into `run`. */
async function installMocks(
    run: Pick<ProgramRun, "resources" | "calls">,
    config: Record<string, string>,
    options: RunOptions,
    declaredOptions: ReadonlyMap<string, DeclaredOptions>,
): Promise<void> {
    await pulumi.runtime.setMocks(
        {
            async newResource(args: pulumi.runtime.MockResourceArgs) {
                run.resources.push({ type: args.type, name: args.name, inputs: args.inputs });
                const fallback = defaultResource(args, options);
                // The stack transformation has recorded the options by the time the registration reaches the mocks.
                return options.engine ? options.engine(args, fallback, declaredOptions.get(`${args.type}::${args.name}`)) : fallback;
            },
            call(args: pulumi.runtime.MockCallArgs) {
                run.calls.push({ token: args.token, inputs: args.inputs });
                return answerCall(args, options);
            },
        },
        configNamespace,
        options.stack ?? "test",
        options.preview ?? false,
        // The local file backend's organization name.
        "organization",
    );
    pulumi.runtime.setAllConfig(config);
}

/**
 * The mock engine does not see resource options; a stack transformation does. Records, per `type::name`, the
 * options the engine would act on.
 */
function captureOptions(into: Map<string, DeclaredOptions>): void {
    pulumi.runtime.registerStackTransformation((declared) => {
        const parent = declared.opts.parent as (pulumi.Resource & { __protect?: boolean }) | undefined;
        into.set(`${declared.type}::${declared.name}`, {
            // As the SDK resolves it after the transformations: unset, a resource takes its parent's.
            protect: declared.opts.protect ?? parent?.__protect,
            deleteBeforeReplace: (declared.opts as pulumi.CustomResourceOptions).deleteBeforeReplace,
            ignoreChanges: declared.opts.ignoreChanges,
            aliases: declared.opts.aliases,
            dependsOn: declared.opts.dependsOn,
        });
        return undefined;
    });
}

/**
 * Runs `body` with the environment the program reads set as the run asks (CI, the offline review's variable, and
 * always the mock engine's),
 * and puts the caller's environment back afterwards: tests and the offline review see no CI unless they ask.
 */
async function inProgramEnvironment<T>(options: RunOptions, body: () => Promise<T>): Promise<T> {
    const savedCi = process.env.CI;
    process.env[mockEngineVariable] = "1";
    if (options.offlineReview) {
        process.env[offlineReviewVariable] = "1";
    }
    if (options.ci) {
        process.env.CI = "true";
    } else {
        delete process.env.CI;
    }
    try {
        return await body();
    } finally {
        delete process.env[mockEngineVariable];
        delete process.env[offlineReviewVariable];
        if (savedCi === undefined) {
            delete process.env.CI;
        } else {
            process.env.CI = savedCi;
        }
    }
}

export async function runProgram(config: Record<string, string>, options: RunOptions = {}): Promise<ProgramRun> {
    const recorded: Pick<ProgramRun, "resources" | "calls"> = { resources: [], calls: [] };
    const resourceOptions = new Map<string, DeclaredOptions>();
    await installMocks(recorded, config, options, resourceOptions);

    let outputs: Record<string, any> = {};
    let programExports: Record<string, pulumi.Output<any>> = {};
    let error: Error | undefined;
    // A failure inside an apply (e.g. a check on a looked-up value) surfaces as an unhandled rejection, as the
    // real engine reports it; the stack then never completes, so the run ends on the first such error.
    let failed: (reason: Error) => void = () => undefined;
    const failure = new Promise<"failed">((done) => {
        failed = (reason) => {
            error ??= reason;
            done("failed");
        };
    });
    const onRejection = (reason: unknown) => failed(reason instanceof Error ? reason : new Error(String(reason)));
    process.on("unhandledRejection", onRejection);
    try {
        await inProgramEnvironment(options, async () => {
            const result = await Promise.race([
                pulumi.runtime.runInPulumiStack(async () => {
                    captureOptions(resourceOptions);
                    const index = programIndex(options.programDir);
                    delete require.cache[index];
                    const program = require(index) as () => Promise<Record<string, pulumi.Output<any>>>;
                    programExports = await program();
                    return programExports;
                }),
                failure,
            ]);
            if (result !== "failed") {
                outputs = result as Record<string, any>;
                // Every registration, including resources no output depends on, has reached the mocks after this.
                await pulumi.runtime.disconnect();
            }
        });
    } catch (caught) {
        error = caught as Error;
        await pulumi.runtime.disconnect();
    } finally {
        process.off("unhandledRejection", onRejection);
    }
    const declared = recorded.resources
        .map((resource) => ({ ...resource, options: resourceOptions.get(`${resource.type}::${resource.name}`) }))
        .filter((resource) => resource.type !== "pulumi:pulumi:Stack");
    return { resources: declared, calls: recorded.calls, outputs, exports: programExports, error };
}

/** Resolves an output's value and whether it is secret. */
export async function resolve<T>(output: pulumi.Output<T>): Promise<{ value: T; secret: boolean }> {
    const value = await new Promise<T>((done) => output.apply((resolved) => done(resolved)));
    return { value, secret: await pulumi.isSecret(output) };
}

export function ofType(run: ProgramRun, type: string): DeclaredResource[] {
    return run.resources.filter((resource) => resource.type === type);
}
