/**
 * Checks made before `pulumi up` changes anything, so a missing tool fails with a fix instead of halfway.
 */
import { exchangeModuleInstall } from "../../facts/microsoft";
import which from "which";
import { configNamespace } from "../../facts/project";

/** Finds an executable the way a shell would: a path as given, a bare name on PATH (PATHEXT on Windows). */
export function findExecutable(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
    return which.sync(name, { nothrow: true, path: env.PATH ?? "", pathExt: env.PATHEXT }) ?? undefined;
}

/** The message for a missing PowerShell; names the config key that changes it. */
export function missingPwshMessage(pwsh: string): string {
    return (
        `${configNamespace}:exchange.pwsh: "${pwsh}" was not found${pwsh.includes("/") || pwsh.includes("\\") ? "" : " on PATH"}. ` +
        "The Exchange Online step runs PowerShell 7 with the ExchangeOnlineManagement 3.x module: install PowerShell 7 " +
        `(https://aka.ms/powershell), then \`pwsh -Command '${exchangeModuleInstall.powerShell76}'\` ` +
        `(on PowerShell 7.4 or 7.5: \`pwsh -Command '${exchangeModuleInstall.beforePowerShell76}'\`, as 3.10 and later need 7.6), ` +
        "or set exchange.pwsh to the full path of pwsh."
    );
}

/** exchange.auth interactive in CI: nobody is at a browser to sign in, and the run would wait forever. */
export function noHeadlessSignInMessage(): string {
    return (
        `${configNamespace}:exchange.auth: "interactive" needs a person at a browser, and this run is in CI (CI=true). ` +
        'For unattended runs set exchange.auth to "certificate" (exchange.appId, exchange.certificatePath) or "managedIdentity"; ' +
        "or deploy this stack from a workstation."
    );
}
