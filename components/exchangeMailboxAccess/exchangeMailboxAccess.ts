/**
 * The Exchange Online side: service principal registration, mailbox FullAccess / SendAs, SMTP AUTH and
 * protocol enablement, run by PowerShell through one `@pulumi/command` resource.
 *
 * One resource means one Exchange session per `pulumi up`, however many mailboxes. Its `create` and `update`
 * reconcile (Get / Test / Set), its `delete` revokes what the recorded state lists. Environment changes are
 * in-place updates, so a config change never replaces the resource; if something ever does force a
 * replacement, the old one is deleted first (`deleteBeforeReplace`), so a late delete cannot undo grants that
 * the replacement has just made.
 */
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { AccessPlan } from "../../plan/accessPlan";
import { identityEnvironment, passwordOnStdinVariable, staticExchangeEnvironment } from "./exchangeEnvironment";
import { failureMessage, grantedMailboxes, parseRecordedState } from "./exchangeRecord";
import { exchangeScripts, exchangeScriptsDigest } from "./scriptFiles";
import { ExchangeConnectionConfig } from "../../config/settings";
import { componentTypes } from "../../facts/project";

export interface ExchangeMailboxAccessArgs {
    access: Pick<AccessPlan, "mailboxes" | "organizationSmtpAuth" | "smtpAuthorization" | "appRbac">;
    connection: ExchangeConnectionConfig;
    /** The stack's tenant: the Exchange sign-in must reach it. */
    tenantId: pulumi.Input<string>;
    /** The app's client ID (New-ServicePrincipal -AppId). */
    appId: pulumi.Input<string>;
    /** The enterprise application's object ID (New-ServicePrincipal -ObjectId, and the trustee of every grant). */
    servicePrincipalObjectId: pulumi.Input<string>;
    /** The name the app gets in Exchange Online. */
    displayName: string;
    /** PFX password from secret stack config, for certificate auth; passed only as secret stdin. */
    certificatePassword?: pulumi.Output<string>;
}

/** The interpreter: PowerShell 7 with no profile (reproducible) and no prompts (a prompt would hang the update). */
export function exchangeInterpreter(pwsh: string): string[] {
    return [pwsh, "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-File"];
}

export class ExchangeMailboxAccess extends pulumi.ComponentResource {
    public readonly command: command.local.Command;
    /** The mailboxes for which Exchange accepted every configured grant and setting in the last run; a login may need minutes more. */
    public readonly mailboxesGranted: pulumi.Output<string[]>;

    constructor(name: string, args: ExchangeMailboxAccessArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentTypes.mailboxAccess, name, {}, opts);

        const environment: Record<string, pulumi.Input<string>> = {
            ...staticExchangeEnvironment(args.access, args.connection, exchangeScriptsDigest()),
            ...identityEnvironment<pulumi.Input<string>>({
                tenantId: args.tenantId,
                appId: args.appId,
                servicePrincipalObjectId: args.servicePrincipalObjectId,
                displayName: args.displayName,
            }),
        };
        // The PFX password from secret config goes in on stdin: a secret inside `environment` would turn the
        // whole environment secret and hide the per-mailbox changes from the preview, and stdin is not visible
        // to other processes the way an environment or a command line is.
        if (args.certificatePassword !== undefined) {
            environment[passwordOnStdinVariable] = "true";
        }

        this.command = new command.local.Command(
            name,
            {
                interpreter: exchangeInterpreter(args.connection.pwsh),
                create: exchangeScripts.sync,
                update: exchangeScripts.sync,
                delete: exchangeScripts.remove,
                environment,
                stdin: args.certificatePassword !== undefined ? pulumi.secret(args.certificatePassword) : undefined,
                // The previous run's recorded state reaches update and delete as PULUMI_COMMAND_STDOUT.
                addPreviousOutputInEnv: true,
                // stdout is the machine-readable state; stderr is the human report of what changed.
                logging: "stderr",
            },
            {
                parent: this,
                deleteBeforeReplace: true,
                // No aliases of its own: every version declared it here, as the component's child of the same name.
                // Renamed, the command must stay the same resource (a create-then-delete would run the delete
                // script after the create and revoke what the create had just granted): give the component an alias
                // for its old name, and Pulumi derives the command's from it, as it does for a child whose name
                // starts with its parent's.
            },
        );

        // A run that could not finish some mailboxes exits 0 so that its record (what it did change) is kept;
        // the deployment fails here instead, on the resource, until a run succeeds.
        // stdout holds no secret (the record). Neither pulumi-command 1.2.1 nor the substitute makes it secret for a
        // secret stdin (only an output of the same name as a secret input is); unsecret keeps the granted mailboxes
        // readable in `pulumi stack output` whatever a provider version does.
        this.mailboxesGranted = pulumi.unsecret(this.command.stdout).apply((stdout) => {
            const state = parseRecordedState(stdout);
            const failed = failureMessage(state);
            if (failed !== undefined) {
                if (pulumi.runtime.isDryRun()) {
                    pulumi.log.warn(`The last Exchange Online run failed.\n${failed}`, this);
                } else {
                    throw new pulumi.ResourceError(failed, this);
                }
            }
            return grantedMailboxes(state);
        });

        this.registerOutputs({ mailboxesGranted: this.mailboxesGranted });
    }
}
