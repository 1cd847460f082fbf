/**
 * The stack outputs: what `pulumi stack output` shows the mail client's admin, what the offline review reads from the
 * mock engine and what `npm run verify --stack` reads back. One type, so the three cannot disagree on a name.
 * Outputs that do not apply to a stack's config are left out, hence the optional fields.
 */
import { MailProtocol, SmtpAuthorizationMode } from "../config/choices";
import { ClientSettings } from "./clientSettings";

/** The client settings (token URL, scope, servers, mailboxes, user sign-in) are outputs as they are. */
export interface StackOutputs extends ClientSettings {
    readonly tenantId: string;
    readonly clientId: string;
    readonly servicePrincipalObjectId: string;
    /** Secret: the current client secret's value. */
    readonly clientSecret?: string;
    readonly clientSecretKeyId?: string;
    readonly clientSecretExpiresAt?: string;
    readonly previousClientSecretKeyId?: string;
    readonly previousClientSecretExpiresAt?: string;
    /** The rotation number of the current secret. */
    readonly secretRotation?: number;
    readonly certificateThumbprint?: string;
    readonly certificateExpiresAt?: string;
    readonly keyVaultSecretUri?: string;
    /** The mailboxes Exchange accepted every change for in the last run. */
    readonly exchangeMailboxesGranted: readonly string[];
    readonly smtpAuthorization?: SmtpAuthorizationMode;
    readonly appRbacGroup?: string;
    /** A provider's stack of a multi-tenant app: the protocols every customer consents to. */
    readonly customerProtocols?: readonly MailProtocol[];
    /** A provider's stack of a multi-tenant app: each customer's admin-consent URL, by customer name. */
    readonly adminConsentUrls?: Readonly<Record<string, string>>;
    /** A customer's stack: the provider's stack whose app it uses. */
    readonly providerStack?: string;
}

/** Every output's name (a plain union, so a mapped type over it makes every name required). */
export type StackOutputName = keyof StackOutputs;

/** The names at run time; the type makes the list complete, a test checks the program exports nothing else. */
const stackOutputNameSet: Record<StackOutputName, true> = {
    tenantId: true,
    clientId: true,
    servicePrincipalObjectId: true,
    clientSecret: true,
    clientSecretKeyId: true,
    clientSecretExpiresAt: true,
    previousClientSecretKeyId: true,
    previousClientSecretExpiresAt: true,
    secretRotation: true,
    certificateThumbprint: true,
    certificateExpiresAt: true,
    keyVaultSecretUri: true,
    tokenUrl: true,
    scope: true,
    imap: true,
    pop: true,
    smtp: true,
    mailboxes: true,
    userSignIn: true,
    exchangeMailboxesGranted: true,
    smtpAuthorization: true,
    appRbacGroup: true,
    customerProtocols: true,
    adminConsentUrls: true,
    providerStack: true,
};
export const stackOutputNames = Object.keys(stackOutputNameSet) as StackOutputName[];
