/**
 * A tenant as the two vendor guides leave it, made step by step as a reader of each guide makes it: the portal
 * steps through Graph (as the portal makes them, with the deployer's rights), the PowerShell steps as the stand-in
 * Exchange Online's cmdlets leave its tenant file. Mistakes readers make are options: the app registration's
 * object ID given to New-ServicePrincipal, SMTP AUTH enabled for the whole organisation.
 */
import * as crypto from "crypto";
import { exchangeOnline, microsoftGraph } from "../../facts/microsoft";
import { StandInTenant } from "../scripts/standInTenant";

/** A Graph v1.0 call with the deployer's rights (EngineStandIn.admin, or an in-process stand-in's session). */
export type AdminGraph = (method: string, pathAndQuery: string, json?: unknown) => Promise<{ status: number; body: any }>;

export interface HandMadeApp {
    readonly objectId: string;
    readonly appId: string;
    readonly servicePrincipalId: string;
    /** The secret the mail client was configured with (its value; the test's own copy). */
    readonly secret: string;
    readonly secretKeyId: string;
}

async function ok(graph: AdminGraph, method: string, pathAndQuery: string, json?: unknown): Promise<any> {
    const answer = await graph(method, pathAndQuery, json);
    if (answer.status >= 300) throw new Error(`${method} ${pathAndQuery}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
}

const byAppId = (appId: string) => `servicePrincipals?$filter=${encodeURIComponent(`appId eq '${appId}'`)}`;
const userRead = microsoftGraph.delegatedScopes["User.Read"];

/**
 * The portal part of either guide: New registration (single tenant), the API permissions, a client secret, the
 * enterprise application, Grant admin consent (an app role assignment per application permission, and the
 * default User.Read as a delegated grant for all users, as the portal's consent makes it).
 */
async function portalApp(
    graph: AdminGraph,
    displayName: string,
    roles: (keyof typeof exchangeOnline.appRoles)[],
    secretMonths: number,
    web?: string[],
): Promise<HandMadeApp> {
    const app = await ok(graph, "POST", "applications", {
        displayName,
        signInAudience: "AzureADMyOrg",
        ...(web ? { web: { redirectUris: web } } : {}),
        // "After creating the application, the default API permission is User.Read for the Microsoft Graph API."
        requiredResourceAccess: [
            { resourceAppId: microsoftGraph.appId, resourceAccess: [{ id: userRead, type: "Scope" }] },
            { resourceAppId: exchangeOnline.appId, resourceAccess: roles.map((role) => ({ id: exchangeOnline.appRoles[role], type: "Role" })) },
        ],
    });
    const end = new Date(Date.now() + secretMonths * 30.4 * 86400_000).toISOString();
    const password = await ok(graph, "POST", `applications/${app.id}/addPassword`, {
        passwordCredential: { displayName: `${displayName} secret`, endDateTime: end },
    });
    const sp = await ok(graph, "POST", "servicePrincipals", { appId: app.appId });
    const [exchange] = (await ok(graph, "GET", byAppId(exchangeOnline.appId))).value;
    const [msGraph] = (await ok(graph, "GET", byAppId(microsoftGraph.appId))).value;
    for (const role of roles)
        await ok(graph, "POST", `servicePrincipals/${exchange.id}/appRoleAssignedTo`, {
            principalId: sp.id,
            resourceId: exchange.id,
            appRoleId: exchangeOnline.appRoles[role],
        });
    await ok(graph, "POST", "oauth2PermissionGrants", { clientId: sp.id, consentType: "AllPrincipals", resourceId: msGraph.id, scope: "User.Read" });
    return { objectId: app.id, appId: app.appId, servicePrincipalId: sp.id, secret: password.secretText, secretKeyId: password.keyId };
}

/**
 * The eBiss guide, part 1: SMTP.SendAsApp and POP.AccessAsApp and "an expiry duration" of the reader's choice:
 * 24 months is the portal's longest; a secret made with `az ad app credential reset --years 3` (or before the
 * portal's cap) lives longer.
 */
export function ebissPortal(graph: AdminGraph, displayName = "eBiss OAuth", secretMonths = 24): Promise<HandMadeApp> {
    return portalApp(graph, displayName, ["SMTP.SendAsApp", "POP.AccessAsApp"], secretMonths);
}

/** The i-net PDFC guide: a Web redirect URI, IMAP.AccessAsApp and SMTP.SendAsApp, a secret of 12 months. */
export function pdfcPortal(graph: AdminGraph, displayName = "i-net PDFC", redirectUri = "https://pdfc.contoso.com/oauth"): Promise<HandMadeApp> {
    return portalApp(graph, displayName, ["IMAP.AccessAsApp", "SMTP.SendAsApp"], 12, [redirectUri]);
}

export interface GuidePowerShell {
    /** New-ServicePrincipal -ObjectId given the app registration's object ID instead of the enterprise application's. */
    readonly registeredWithAppObjectId?: boolean;
    /** Set-TransportConfig -SmtpClientAuthenticationDisabled $false (the eBiss guide's Option B; i-net's requirement). */
    readonly smtpAuthOrganizationWide?: boolean;
    /** Add-RecipientPermission -AccessRights SendAs (the eBiss guide's step 2.4; the i-net guide has none). */
    readonly sendAs?: boolean;
    /** Set-CASMailbox -SmtpClientAuthenticationDisabled $false (the eBiss guide's Option A). */
    readonly smtpAuthMailbox?: boolean;
}

/**
 * The PowerShell part: New-ServicePrincipal, then FullAccess (and SendAs) on each mailbox for the registration's
 * Identity, as the stand-in's cmdlets record them; returns that Identity.
 */
export function guidePowerShell(exchange: StandInTenant, app: HandMadeApp, mailboxes: string[], how: GuidePowerShell): string {
    const identity = crypto.randomUUID();
    exchange.update((state) => {
        state.servicePrincipals.push({
            Identity: identity,
            AppId: app.appId,
            ObjectId: how.registeredWithAppObjectId ? app.objectId : app.servicePrincipalId,
            DisplayName: `${app.appId} (by hand)`,
        });
        if (how.smtpAuthOrganizationWide) state.organization.smtpClientAuthenticationDisabled = false;
        for (const address of mailboxes) {
            const mailbox = state.mailboxes[address.toLowerCase()];
            mailbox.permissions.push({ User: identity, AccessRights: ["FullAccess"], IsInherited: false, Deny: false });
            if (how.sendAs) mailbox.sendAs.push({ Trustee: identity, AccessControlType: "Allow", IsInherited: false });
            if (how.smtpAuthMailbox) mailbox.SmtpClientAuthenticationDisabled = false;
        }
    });
    return identity;
}
