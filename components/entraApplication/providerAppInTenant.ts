/**
 * The provider's multi-tenant app as one customer's tenant sees it (`providerApp`): the provider's stack read
 * through a stack reference (the app's client ID, its current secret, what it asks customers to consent to and
 * their consent URLs), checked against this stack's mailboxes, and the service principal the customer's admin
 * consent made in this tenant, waited for. It declares nothing in Entra ID: the app, its secrets and its
 * permissions are the provider's stack's; the service principal and its grants are the consent's.
 */
import * as azuread from "@pulumi/azuread";
import * as pulumi from "@pulumi/pulumi";
import { MailProtocol } from "../../config/choices";
import { componentTypes } from "../../facts/project";
import { consentMissingMessage, consentUrlFor, providerOutputsProblem, unconsentedProtocolProblems } from "../../plan/multiTenant";
import { servicePrincipalAfterConsent } from "./consentWait";

export interface ProviderAppInTenantArgs {
    /** The provider's stack, fully named (`<organization>/<project>/<stack>`). */
    readonly stack: string;
    readonly waitMinutes: number;
    /** This stack's mailboxes: each protocol must be among those the customers consent to. */
    readonly mailboxes: readonly { readonly address: string; readonly protocols: readonly MailProtocol[] }[];
}

/** The provider's outputs a customer's mail client needs as they are (the secret stays a secret). */
const passedThrough = ["clientSecret", "clientSecretKeyId", "clientSecretExpiresAt", "previousClientSecretKeyId", "previousClientSecretExpiresAt"] as const;
type PassedThrough = (typeof passedThrough)[number];

export class ProviderAppInTenant extends pulumi.ComponentResource {
    public readonly providerStack: pulumi.StackReference;
    public clientId!: pulumi.Output<string>;
    /** The service principal in this tenant; unknown in a preview before consent. */
    public servicePrincipalObjectId!: pulumi.Output<string>;
    /** The provider's secret outputs this stack passes on: only those the provider's stack has. */
    public secret: Partial<Record<PassedThrough, pulumi.Output<string>>> = {};

    /**
     * Reads and checks the provider's stack, then waits for the consent, before the program declares anything that
     * needs the app: a problem stops the program with every message at once, naming its key and the fix.
     */
    static async declare(name: string, args: ProviderAppInTenantArgs, opts?: pulumi.ComponentResourceOptions): Promise<ProviderAppInTenant> {
        const app = new ProviderAppInTenant(name, args, opts);
        await app.settle(args);
        return app;
    }

    private constructor(name: string, args: ProviderAppInTenantArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentTypes.providerAppInTenant, name, {}, opts);
        this.providerStack = new pulumi.StackReference(`${name}-provider-stack`, { name: args.stack }, { parent: this });
    }

    private async settle(args: ProviderAppInTenantArgs): Promise<void> {
        const read = async (output: string) => {
            const details = await this.providerStack.getOutputDetails(output);
            return details.value ?? details.secretValue;
        };
        const outputs = {
            clientId: await read("clientId"),
            customerProtocols: await read("customerProtocols"),
            adminConsentUrls: await read("adminConsentUrls"),
        };
        // This tenant is the one the azuread provider signs in to.
        const { tenantId } = await azuread.getClientConfig({ parent: this });
        const problem = providerOutputsProblem(args.stack, outputs, tenantId);
        const problems = problem !== undefined ? [problem] : unconsentedProtocolProblems(args.mailboxes, outputs.customerProtocols as string[], args.stack);
        if (problems.length > 0) throw new pulumi.RunError(problems.join("\n"));
        const clientId = outputs.clientId as string;
        const consentUrl = consentUrlFor(outputs, tenantId) as string;

        const objectId = await servicePrincipalAfterConsent({
            clientId,
            waitMinutes: args.waitMinutes,
            missing: (preview) => consentMissingMessage(tenantId, consentUrl, args.waitMinutes, preview),
            parent: this,
        });
        this.clientId = pulumi.output(clientId);
        // A preview before consent: what needs the service principal shows as known only after the update.
        this.servicePrincipalObjectId = pulumi.output((objectId ?? pulumi.unknown) as string);
        for (const output of passedThrough) {
            if ((await read(output)) !== undefined) this.secret[output] = this.providerStack.getOutput(output) as pulumi.Output<string>;
        }
        this.registerOutputs({ clientId: this.clientId, servicePrincipalObjectId: this.servicePrincipalObjectId });
    }
}
