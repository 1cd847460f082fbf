/**
 * One end-to-end suite's world: the stand-in Entra ID (its own process, reached through azuread:metadataHost, the
 * deployer's secret in ARM_CLIENT_SECRET), the stand-in Exchange Online with a few mailboxes, a temporary project
 * with the azuread and command providers installed (test/e2e/providers.ts), and with a mail lab, Dovecot too; and
 * the project's stack config for a list of mailboxes.
 */
import { EngineProject, requireEngine } from "./engine";
import { installProviders } from "./providers";
import { EngineStandIn, startStandInEntraForEngine } from "../fixtures/entra/forEngine";
import { MailLab, requireDovecot } from "../fixtures/mailLab";
import { mailbox, organization, StandInTenant, tenantId } from "../scripts/standInTenant";
import { findPwsh, requirePwsh } from "../scripts/commandProvider";
import { configNamespace } from "../../facts/project";

export const edi = "edi@contoso.com";
export const archive = "archive@contoso.com";
export const added = "orders@contoso.com";
export const failing = "invoices@contoso.com";
export const bystander = "other@contoso.com";
const allMailboxes = [edi, archive, added, failing, bystander];

export type Mailboxes = { address: string; protocols: string[] }[];

/** The project's settings (without the namespace) for these mailboxes, as a stack file holds them. */
export function projectSettings(mailboxes: Mailboxes, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        displayName: "Mail OAuth (e2e)",
        mailboxes,
        smtpAuth: "mailbox",
        secretLifetimeDays: 90,
        exchange: { organization, auth: "interactive", pwsh: findPwsh() },
        ...extra,
    };
}

/**
 * A temporary copy of the project whose `pulumi` runs reach both stand-ins, with the providers installed: the
 * stand-in Entra ID's environment (its CA, where it listens), the stand-in Exchange Online's (PSModulePath), and
 * the deployer's sign-in as the azuread provider reads it from the environment, never on a command line.
 * @param compiled copy the build too, so the compiled program runs (as `pulumi` runs it after `npm run build`)
 */
export function projectOnStandIns(engineDir: string, entra: EngineStandIn, exchange: StandInTenant, compiled = false) {
    const project = new EngineProject(engineDir, undefined, compiled, {
        ...entra.env,
        ...exchange.machine(),
        ARM_CLIENT_ID: entra.env.M365_STANDIN_CLIENT_ID,
        ARM_CLIENT_SECRET: entra.env.M365_STANDIN_CLIENT_SECRET,
    });
    return { project, providers: installProviders(project) };
}

/** Both stand-ins and a temporary project with the providers installed, for one suite; with a mail lab, Dovecot too. */
export function onStandIns(suite: Mocha.Suite, lab?: MailLab) {
    const world = {} as { project: EngineProject; entra: EngineStandIn; exchange: StandInTenant };
    suite.beforeAll(async function () {
        const engineDir = requireEngine(this);
        requirePwsh(this);
        if (lab) {
            requireDovecot(this);
            await lab.start();
        }
        // With a lab, the stand-in serves the lab's certificate: one CA for the token endpoint and the mail servers.
        world.entra = await startStandInEntraForEngine(tenantId, lab?.tls);
        if (lab) {
            lab.useEntra(world.entra);
            await lab.startDovecot();
        }
        world.exchange = new StandInTenant({ mailboxes: Object.fromEntries(allMailboxes.map((address) => [address, mailbox(address)])) });
        let providers: string;
        ({ project: world.project, providers } = projectOnStandIns(engineDir, world.entra, world.exchange));
        console.log(`      (azuread and command providers: ${providers === "real" ? "the real plugins" : "the substitutes in test/fixtures/providers"})`);
    });
    suite.afterAll(async () => {
        world.project?.dispose();
        world.exchange?.dispose();
        await world.entra?.stop();
        await lab?.stop();
    });
    /** The stack file's config: the provider pointed at the stand-in, and the project's settings. */
    const config = (mailboxes: Mailboxes, extra: Record<string, unknown> = {}) => ({
        "azuread:tenantId": tenantId,
        "azuread:metadataHost": new URL(world.entra.env.M365_STANDIN_TOKEN_URL).host,
        ...Object.fromEntries(Object.entries(projectSettings(mailboxes)).map(([key, value]) => [`${configNamespace}:${key}`, value])),
        ...extra,
    });
    return { world, config };
}
