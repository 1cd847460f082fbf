/**
 * The providers the project's own program needs under the real engine: `pulumi-resource-azuread` 6.9.1 and
 * `pulumi-resource-command` 1.2.1, installed into an EngineProject's PULUMI_HOME as `pulumi plugin install --file`
 * installs a local binary, so the CLI finds them without a download.
 *
 * Where the real plugins are at hand, those are installed: the folder M365_PROVIDER_PLUGINS names, else the user's
 * own plugin cache when it holds both at these versions (Pulumi's ordinary CLI: `pulumi plugin install resource
 * azuread 6.9.1` and `resource command 1.2.1` put them in $PULUMI_HOME/plugins, by default ~/.pulumi/plugins).
 * Otherwise, as on these machines where the Go module proxy refuses both providers
 * (tools/engine/README.md), the substitutes in test/fixtures/providers are, and the suites say which they ran.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EngineProject } from "./engine";
import { azureadVersion } from "../fixtures/providers/azuread";
import { commandVersion } from "../fixtures/providers/command";

export const providerPlugins = [
    { name: "azuread", version: azureadVersion },
    { name: "command", version: commandVersion },
] as const;

/** Where the real plugin binary is: a folder with `pulumi-resource-<name>`, or the plugin cache's layout. */
function realPlugin(folder: string, name: string, version: string): string | undefined {
    return [path.join(folder, `pulumi-resource-${name}`), path.join(folder, `resource-${name}-v${version}`, `pulumi-resource-${name}`)].find((file) =>
        fs.existsSync(file),
    );
}

/**
 * Where the real plugins are: M365_PROVIDER_PLUGINS as given, else the user's plugin cache if it holds both at the
 * exact versions (one without the other would mix a real provider with a substitute), else none.
 */
export function realPluginFolder(env: NodeJS.ProcessEnv = process.env): string | undefined {
    if (env.M365_PROVIDER_PLUGINS) return env.M365_PROVIDER_PLUGINS;
    const cache = path.join(env.PULUMI_HOME ?? path.join(os.homedir(), ".pulumi"), "plugins");
    return providerPlugins.every(({ name, version }) => realPlugin(cache, name, version)) ? cache : undefined;
}

/**
 * A one-line launcher for a substitute under this Node.js: the compiled fixture, or under ts-node (`npm run
 * sandbox` runs the sources) the TypeScript one, transpiled.
 */
function substitutePlugin(dir: string, name: string): string {
    const extension = path.extname(__filename);
    const script = path.join(__dirname, "..", "fixtures", "providers", `${name}${extension}`);
    const runner = extension === ".ts" ? ` -r ${JSON.stringify(require.resolve("ts-node/register/transpile-only"))}` : "";
    const launcher = path.join(dir, `pulumi-resource-${name}`);
    fs.writeFileSync(launcher, `#!/bin/sh\nexec ${JSON.stringify(process.execPath)}${runner} ${JSON.stringify(script)} "$@"\n`, { mode: 0o755 });
    return launcher;
}

/**
 * Installs both providers into the PULUMI_HOME that `pulumi` runs with (launchers for the substitutes written into
 * `launchers`); returns "real" or "substitute".
 */
export function installProviderPlugins(pulumi: (args: string[]) => void, launchers: string): "real" | "substitute" {
    const real = realPluginFolder();
    fs.mkdirSync(launchers, { recursive: true });
    for (const { name, version } of providerPlugins) {
        const file = real ? realPlugin(real, name, version) : substitutePlugin(launchers, name);
        if (!file) throw new Error(`${real} holds no pulumi-resource-${name} ${version} (M365_PROVIDER_PLUGINS)`);
        pulumi(["plugin", "install", "resource", name, version, "--file", file]);
    }
    return real ? "real" : "substitute";
}

/** Installs both providers into the project's PULUMI_HOME; returns "real" or "substitute". */
export function installProviders(project: EngineProject): "real" | "substitute" {
    return installProviderPlugins((args) => project.ok(args), fs.mkdtempSync(path.join(project.root, "..", "plugins-")));
}
