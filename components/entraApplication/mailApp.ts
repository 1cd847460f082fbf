/**
 * The mail app a stack's Exchange step and outputs are built on: the stack's own app registration (with its secrets,
 * consent and service principal), or, on a customer's stack (`providerApp`), the provider's multi-tenant app as the
 * customer's admin consent made it present in this tenant.
 */
import * as pulumi from "@pulumi/pulumi";
import { PublicCertificate } from "../../config/certificateCredential";
import { StackSettings } from "../../config/settings";
import { configNamespace, mailApplicationName, mockEngineVariable } from "../../facts/project";
import { AccessPlan } from "../../plan/accessPlan";
import { providerStackName } from "../../plan/multiTenant";
import { expiryNotice, secretSlots } from "../../plan/secretRotation";
import { checkCredentialPolicy } from "./credentialPolicyCheck";
import { EntraMailApplication } from "./entraMailApplication";
import { retirementSignIn } from "./legacySecretRetirement";
import { ProviderAppInTenant } from "./providerAppInTenant";

/** What the rest of the program needs of the app, whichever stack makes it. */
export interface MailApp {
    /** The component that declares it, for what depends on all of it (the destroy guard). */
    readonly component: pulumi.ComponentResource;
    readonly clientId: pulumi.Output<string>;
    readonly servicePrincipalObjectId: pulumi.Output<string>;
    /** What the Exchange grants wait for, and are revoked before: the admin consent. */
    readonly consent: pulumi.Resource[];
    readonly secret: {
        readonly value?: pulumi.Output<string>;
        readonly keyId?: pulumi.Output<string>;
        readonly expiresAt?: pulumi.Output<string>;
        readonly previousKeyId?: pulumi.Output<string>;
        readonly previousExpiresAt?: pulumi.Output<string>;
    };
    readonly secretRotation?: number;
}

/** The provider's stack as Pulumi names it: a short name is this project's in this organization. */
export function providerStack(stack: string): string {
    return providerStackName(stack, pulumi.getOrganization(), pulumi.getProject());
}

/** A customer's stack: the provider's multi-tenant app, consented in this tenant; nothing made in Entra ID. */
export async function providerAppInThisTenant(settings: StackSettings, providerApp: NonNullable<StackSettings["providerApp"]>): Promise<MailApp> {
    const app = await ProviderAppInTenant.declare("provider-app", {
        stack: providerStack(providerApp.stack),
        waitMinutes: providerApp.waitMinutes,
        mailboxes: settings.mailboxes,
    });
    return {
        component: app,
        clientId: app.clientId,
        servicePrincipalObjectId: app.servicePrincipalObjectId,
        consent: [app],
        secret: {
            value: app.secret.clientSecret,
            keyId: app.secret.clientSecretKeyId,
            expiresAt: app.secret.clientSecretExpiresAt,
            previousKeyId: app.secret.previousClientSecretKeyId,
            previousExpiresAt: app.secret.previousClientSecretExpiresAt,
        },
    };
}

/** This stack's own app registration, secrets, consent and service principal. */
export async function ownApp(
    settings: StackSettings,
    access: AccessPlan,
    certificate: PublicCertificate | undefined,
    deployerObjectId: pulumi.Output<string>,
): Promise<MailApp> {
    // The tenant's credential policy, read before anything is declared: a secret it forbids fails the preview with
    // the fix instead of failing `pulumi up` at addPassword (why the program reads Graph: credentialPolicyCheck.ts).
    await checkCredentialPolicy(settings);
    const slots = settings.credential === "certificate" ? undefined : secretSlots(settings.secretRotation, settings.secretRetiredThrough);

    // Hand-made secrets to retire (legacySecretsRetired) are removed with the deployer's own Graph sign-in.
    const legacySignIn = settings.legacySecretsRetired ? retirementSignIn(settings.cloud) : undefined;
    if (settings.legacySecretsRetired && !legacySignIn && process.env[mockEngineVariable] !== "1") {
        throw new pulumi.RunError(
            `${configNamespace}:legacySecretsRetired removes secrets through Microsoft Graph with the deployer's client-secret sign-in: set ARM_TENANT_ID, ARM_CLIENT_ID and ARM_CLIENT_SECRET (or azuread:tenantId, azuread:clientId, azuread:clientSecret); nothing was changed`,
        );
    }
    const app = new EntraMailApplication(mailApplicationName, {
        displayName: settings.displayName,
        signInAudience: settings.signInAudience,
        access,
        secretLifetimeDays: settings.secretLifetimeDays,
        secretSlots: slots,
        certificate,
        // Under the mock engine (tests, the offline review) nothing signs in: placeholders that never reach Graph.
        ...(settings.legacySecretsRetired
            ? { legacySecrets: { keyIds: settings.legacySecretsRetired, signIn: legacySignIn ?? { tenantId: "mock", clientId: "mock" } } }
            : {}),
        owners: settings.owners,
        enterpriseApplication: settings.enterpriseApplication,
        deployerObjectId,
        protect: settings.protect,
    });

    // The current secret's end date comes from the secret itself: known in a preview once the secret exists. The
    // check is part of an output the engine waits for, so an expired secret fails the preview and the update.
    const current = app.current?.password;
    const currentExpiresAt = current?.endDate.apply((expiresAt) => {
        const notice = expiryNotice(expiresAt, new Date(), settings.secretWarnDays, settings.secretRotation, pulumi.getStack());
        if (notice?.level === "error") {
            throw new pulumi.ResourceError(notice.message, current);
        }
        if (notice) {
            pulumi.log.warn(notice.message, current);
        }
        return expiresAt;
    });

    return {
        clientId: app.clientId,
        servicePrincipalObjectId: app.servicePrincipalObjectId,
        component: app,
        consent: app.appRoleAssignments,
        secret: {
            value: current?.value,
            keyId: current?.keyId,
            expiresAt: currentExpiresAt,
            previousKeyId: app.previous?.password.keyId,
            previousExpiresAt: app.previous?.password.endDate,
        },
        secretRotation: slots ? settings.secretRotation : undefined,
    };
}
