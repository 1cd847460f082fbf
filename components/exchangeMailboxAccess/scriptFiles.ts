import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { projectRoot } from "../../facts/projectRoot";

/** The PowerShell files the Exchange step runs, relative to the project root (where Pulumi runs commands). */
export const exchangeScripts = {
    sync: "scripts/Sync-ExchangeMailAccess.ps1",
    remove: "scripts/Remove-ExchangeMailAccess.ps1",
    manifest: "scripts/ExchangeMailAccess.psd1",
    module: "scripts/ExchangeMailAccess.psm1",
    report: "scripts/MailAccess.Report.ps1",
    state: "scripts/MailAccess.State.ps1",
    connection: "scripts/MailAccess.Connection.ps1",
    get: "scripts/MailAccess.Get.ps1",
    resolve: "scripts/MailAccess.Resolve.ps1",
    invoke: "scripts/MailAccess.Invoke.ps1",
} as const;

let cachedDigest: string | undefined;

/**
 * One digest of the Exchange scripts' content. It is an input of the command, so a new version of the scripts
 * (a fix, a new check) runs once on the next `pulumi up`, while unchanged scripts run nothing.
 */
export function exchangeScriptsDigest(): string {
    if (cachedDigest === undefined) {
        const root = projectRoot();
        const hash = crypto.createHash("sha256");
        for (const file of Object.values(exchangeScripts).sort((a, b) => path.basename(a).localeCompare(path.basename(b)))) {
            // Line endings are normalised so a Windows checkout (autocrlf) does not look like a new version.
            // By name, not by path: moving the folder is not a new version of the scripts.
            hash.update(path.basename(file))
                .update("\0")
                .update(fs.readFileSync(path.join(root, file), "utf8").replace(/\r\n/g, "\n"));
        }
        cachedDigest = hash.digest("hex").slice(0, 16);
    }
    return cachedDigest;
}
