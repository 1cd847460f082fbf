import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { projectRoot } from "../../facts/projectRoot";

/** The folder of the PowerShell the Exchange step runs, relative to the project root (where Pulumi runs commands). */
export const scriptsFolder = "scripts";

/**
 * The entry scripts the command runs (sync, remove), the read-only one the tools run (read: `npm run adopt`'s and
 * `npm run preflight`'s readings, tools/tenant/exchangeApp.ts), and the module they import
 * (scripts/ExchangeMailAccess/, one function per file).
 */
export const exchangeScripts = {
    sync: `${scriptsFolder}/Sync-ExchangeMailAccess.ps1`,
    remove: `${scriptsFolder}/Remove-ExchangeMailAccess.ps1`,
    read: `${scriptsFolder}/Read-ExchangeMailAccess.ps1`,
    manifest: `${scriptsFolder}/ExchangeMailAccess/ExchangeMailAccess.psd1`,
    module: `${scriptsFolder}/ExchangeMailAccess/ExchangeMailAccess.psm1`,
} as const;

/** Every PowerShell file of the Exchange step (entry scripts, manifest, module, its functions), sorted. */
export function exchangeScriptFiles(root = projectRoot()): string[] {
    const found: string[] = [];
    const walk = (relative: string) => {
        for (const entry of fs.readdirSync(path.join(root, relative), { withFileTypes: true })) {
            const child = `${relative}/${entry.name}`;
            if (entry.isDirectory()) walk(child);
            else if (/\.ps(d|m)?1$/.test(entry.name)) found.push(child);
        }
    };
    walk(scriptsFolder);
    return found.sort();
}

let cachedDigest: string | undefined;

/**
 * One digest of the Exchange scripts' content. It is an input of the command, so a new version of the scripts
 * (a fix, a new check) runs once on the next `pulumi up`, while unchanged scripts run nothing.
 */
export function exchangeScriptsDigest(): string {
    if (cachedDigest === undefined) {
        const root = projectRoot();
        const hash = crypto.createHash("sha256");
        for (const file of exchangeScriptFiles(root)) {
            // Line endings are normalised so a Windows checkout (autocrlf) does not look like a new version.
            // By the path inside scripts/, not the project's: moving the folder is not a new version of the scripts.
            hash.update(path.posix.relative(scriptsFolder, file))
                .update("\0")
                .update(fs.readFileSync(path.join(root, file), "utf8").replace(/\r\n/g, "\n"));
        }
        cachedDigest = hash.digest("hex").slice(0, 16);
    }
    return cachedDigest;
}
