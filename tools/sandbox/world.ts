/**
 * The sandbox's local tenant, in a process of its own that outlives `npm run sandbox` until `--down` stops it: the
 * stand-in Entra ID, and where Dovecot is installed a mail lab (test/fixtures/mailLab.ts) whose IMAP, POP3 and
 * submission servers check the stand-in's tokens and the grants the stand-in Exchange Online holds. One CA covers
 * the token endpoint and the mail servers. When everything listens it writes world.json into its folder; SIGTERM
 * stops Dovecot, the lab and the stand-in.
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { MailLab } from "../../test/fixtures/mailLab";
import { startStandInEntraInFolder } from "../../test/fixtures/entra/inFolder";
import { copyServerCertificate, serverCertificateFiles } from "../../test/fixtures/certificates";

/** What the sandbox reads of a running world. */
export interface World {
    pid: number;
    /** The azuread provider's metadataHost, and verify's --authority. */
    metadataHost: string;
    authority: string;
    /** The CA the stand-in's and the lab's certificates chain to. */
    caFile: string;
    /** The stand-in Entra ID's folder: tenant file, deployer.json, request log. */
    entraDir: string;
    /** With Dovecot: where the mail servers listen, and the folder whose grants file they read. */
    lab?: { dir: string; host: string; imapPort: number; popPort: number; smtpPort: number };
}

export const worldFile = (dir: string) => path.join(dir, "world.json");

async function main(): Promise<void> {
    const { values } = parseArgs({ options: { dir: { type: "string" }, tenant: { type: "string" }, dovecot: { type: "boolean" } } });
    const dir = path.resolve(values.dir!);
    const entraDir = path.join(dir, "entra");
    fs.mkdirSync(entraDir, { recursive: true });
    let lab: MailLab | undefined;
    if (values.dovecot) {
        lab = new MailLab({ tenant: values.tenant!, clients: {}, grants: [] });
        await lab.start();
        // The stand-in serves the lab's certificate, as the e2e suites' worlds do (test/e2e/standInWorld.ts).
        copyServerCertificate(lab.tls, entraDir);
    }
    const { entra } = await startStandInEntraInFolder(entraDir, { tenant: values.tenant });
    if (lab) {
        lab.useEntra(entra);
        await lab.startDovecot();
    }
    const world: World = {
        pid: process.pid,
        metadataHost: entra.metadataHost,
        authority: entra.authority,
        caFile: serverCertificateFiles(entraDir).caFile,
        entraDir,
        lab: lab && { dir: lab.dir, host: "127.0.0.2", imapPort: lab.imapPort, popPort: lab.popPort, smtpPort: lab.smtpPort },
    };
    fs.writeFileSync(worldFile(dir), JSON.stringify(world, null, 2));
    const stop = () =>
        void Promise.all([lab?.stop(), entra.stop()]).then(
            () => process.exit(0),
            () => process.exit(1),
        );
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
}

if (require.main === module) {
    main().catch((error: Error) => {
        console.error(error.stack ?? error.message);
        process.exit(2);
    });
}
