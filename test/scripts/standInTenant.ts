/**
 * The stand-in Exchange Online tenant (test/fixtures/exchange-online): its JSON state, its call log, and the
 * environment that points PowerShell at it, as PSModulePath points at the real ExchangeOnlineManagement.
 */
import { CloudName } from "../../facts/clouds";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { planAccess } from "../../plan/accessPlan";
import { identityEnvironment, passwordOnStdinVariable, staticExchangeEnvironment } from "../../components/exchangeMailboxAccess/exchangeEnvironment";
import { exchangeScriptsDigest } from "../../components/exchangeMailboxAccess/scriptFiles";
import { projectRoot } from "../../facts/projectRoot";
import { MailProtocol, SmtpAuthMode } from "../../config/choices";
import { ExchangeBlock } from "../../config/exchangeSchema";
import { exchangeConnectionFrom } from "../../config/settings";
import { CommandInputs } from "./commandProvider";

export const tenantId = "7a3c5e1f-0000-4000-8000-00000000aaaa";
export const organization = "contoso.onmicrosoft.com";
export const appId = "a1a1a1a1-0000-4000-8000-000000000001";
export const servicePrincipalObjectId = "5b5b5b5b-0000-4000-8000-000000000001";

export interface PermissionEntry {
    User: string;
    AccessRights: string[];
    IsInherited: boolean;
    Deny: boolean;
}

export interface SendAsEntry {
    Trustee: string;
    AccessControlType: "Allow" | "Deny";
    /** Left out, Get-RecipientPermission returns no such property (its output is not documented). */
    IsInherited?: boolean;
}

export interface StandInMailbox {
    PrimarySmtpAddress: string;
    Alias: string;
    ImapEnabled: boolean;
    PopEnabled: boolean;
    SmtpClientAuthenticationDisabled: boolean | null;
    /** Get-Mailbox's RecipientTypeDetails; absent: UserMailbox. */
    RecipientTypeDetails?: string;
    permissions: PermissionEntry[];
    sendAs: SendAsEntry[];
}

export interface Fault {
    cmdlet: string;
    identity: string;
    kind: "notFound" | "throttled" | "denied";
    remaining?: number;
}

export interface TenantState {
    /** exchangeEnvironment: the cloud's Connect-ExchangeOnline environment (default O365Default, Worldwide). */
    organization: { name: string; tenantId: string; smtpClientAuthenticationDisabled: boolean; exchangeEnvironment?: string };
    /**
     * Entra ID's service principals by object ID, and how far their replication to Exchange lags: pendingAttempts,
     * grants naming the principal that answer "couldn't be found" first; registrationPendingAttempts,
     * New-ServicePrincipal calls that do (none when left out).
     */
    entra: Record<string, { appId: string; pendingAttempts: number; registrationPendingAttempts?: number }>;
    servicePrincipals: { Identity: string; AppId: string; ObjectId: string; DisplayName: string }[];
    users: string[];
    mailboxes: Record<string, StandInMailbox>;
    faults: Fault[];
    connect: { certificatePassword?: string; interactiveTenantId?: string; missingCmdlets?: string[] };
    /** Mail-enabled security and distribution groups; members by primary SMTP address. */
    groups: { Name: string; Alias: string; DistinguishedName: string; Guid: string; PrimarySmtpAddress: string; members: string[] }[];
    scopes: { Name: string; RecipientRestrictionFilter: string }[];
    /** Role assignments to apps: App is the Exchange service principal's Identity. */
    roleAssignments: { Name: string; Role: string; App: string; CustomResourceScope: string | null }[];
    /** Application Access Policies (Get-ApplicationAccessPolicy). */
    applicationAccessPolicies?: { Identity: string; AppId: string[]; AccessRight: string; ScopeName: string; Description: string }[];
}

export interface LoggedCall {
    cmdlet: string;
    parameters: Record<string, unknown>;
}

/** Cmdlets that change Exchange Online. */
export const changingCmdlets = new Set([
    "New-ServicePrincipal",
    "Remove-ServicePrincipal",
    "Add-MailboxPermission",
    "Remove-MailboxPermission",
    "Add-RecipientPermission",
    "Remove-RecipientPermission",
    "Set-CASMailbox",
    "Set-TransportConfig",
    "New-DistributionGroup",
    "Remove-DistributionGroup",
    "Add-DistributionGroupMember",
    "Remove-DistributionGroupMember",
    "New-ManagementScope",
    "Remove-ManagementScope",
    "New-ManagementRoleAssignment",
    "Remove-ManagementRoleAssignment",
]);

export function mailbox(address: string, settings: Partial<StandInMailbox> = {}): StandInMailbox {
    return {
        PrimarySmtpAddress: address,
        Alias: address.split("@")[0],
        ImapEnabled: false,
        PopEnabled: false,
        SmtpClientAuthenticationDisabled: null,
        // Every mailbox has its owner's own entry and an inherited admin entry, as in a real tenant.
        permissions: [
            { User: "NT AUTHORITY\\SELF", AccessRights: ["FullAccess", "ReadPermission"], IsInherited: false, Deny: false },
            { User: "admin@contoso.com", AccessRights: ["FullAccess"], IsInherited: true, Deny: false },
        ],
        sendAs: [{ Trustee: "NT AUTHORITY\\SELF", AccessControlType: "Allow", IsInherited: false }],
        ...settings,
    };
}

/**
 * A copy of the stand-in module as another version under `folder` (a PSModulePath entry), optionally declaring that
 * it needs a newer PowerShell, as Microsoft's newer versions do.
 */
export function standInModuleAt(folder: string, version: string, powerShellVersion?: string): void {
    const source = path.join(projectRoot(), "test", "fixtures", "exchange-online", "ExchangeOnlineManagement", "3.9.0");
    const target = path.join(folder, "ExchangeOnlineManagement", version);
    fs.mkdirSync(target, { recursive: true });
    fs.copyFileSync(path.join(source, "ExchangeOnlineManagement.psm1"), path.join(target, "ExchangeOnlineManagement.psm1"));
    let manifest = fs.readFileSync(path.join(source, "ExchangeOnlineManagement.psd1"), "utf8").replace("'3.9.0'", `'${version}'`);
    if (powerShellVersion !== undefined) manifest = manifest.replace("PowerShellVersion = '7.0'", `PowerShellVersion = '${powerShellVersion}'`);
    fs.writeFileSync(path.join(target, "ExchangeOnlineManagement.psd1"), manifest);
}

export class StandInTenant {
    readonly dir: string;
    readonly statePath: string;
    readonly logPath: string;
    /** Extra folders in front of the stand-in module on PSModulePath (other module versions). */
    modulePaths: string[] = [];

    constructor(state: Partial<TenantState> & { mailboxes: Record<string, StandInMailbox> }) {
        this.dir = fs.mkdtempSync(path.join(os.tmpdir(), "m365-exo-"));
        this.statePath = path.join(this.dir, "tenant.json");
        this.logPath = path.join(this.dir, "calls.jsonl");
        const full: TenantState = {
            organization: { name: organization, tenantId, smtpClientAuthenticationDisabled: true },
            entra: { [servicePrincipalObjectId]: { appId, pendingAttempts: 0 } },
            servicePrincipals: [],
            users: ["admin@contoso.com", "NT AUTHORITY\\SELF"],
            faults: [],
            connect: {},
            groups: [],
            scopes: [],
            roleAssignments: [],
            ...state,
            mailboxes: Object.fromEntries(Object.entries(state.mailboxes).map(([address, box]) => [address.toLowerCase(), box])),
        };
        this.write(full);
    }

    read(): TenantState {
        return JSON.parse(fs.readFileSync(this.statePath, "utf8")) as TenantState;
    }

    write(state: TenantState): void {
        fs.writeFileSync(this.statePath, JSON.stringify(state, null, 1));
    }

    update(change: (state: TenantState) => void): void {
        const state = this.read();
        change(state);
        this.write(state);
    }

    /** Every call since the log was last cleared. */
    calls(): LoggedCall[] {
        if (!fs.existsSync(this.logPath)) {
            return [];
        }
        return fs
            .readFileSync(this.logPath, "utf8")
            .split("\n")
            .filter((line) => line.length > 0)
            .map((line) => JSON.parse(line) as LoggedCall);
    }

    changingCalls(): LoggedCall[] {
        return this.calls().filter((call) => changingCmdlets.has(call.cmdlet));
    }

    clearLog(): void {
        fs.rmSync(this.logPath, { force: true });
    }

    /** The machine environment: where PowerShell finds the module, where the module keeps the tenant. */
    machine(): Record<string, string> {
        return {
            PSModulePath: [...this.modulePaths, path.join(projectRoot(), "test", "fixtures", "exchange-online")].join(path.delimiter),
            EXO_STANDIN_STATE: this.statePath,
            EXO_STANDIN_LOG: this.logPath,
            EXO_STANDIN_REFERENCE: path.join(projectRoot(), "test", "fixtures", "exchange-cmdlets.json"),
            // Entra ID replication retries without the production back-off.
            M365_EXO_REGISTRATION_DELAY_SECONDS: "0.01",
        };
    }

    mailboxState(address: string): StandInMailbox {
        return this.read().mailboxes[address.toLowerCase()];
    }

    /** The Identity of the app's registration in Exchange, or undefined. */
    servicePrincipalIdentity(app = appId): string | undefined {
        return this.read().servicePrincipals.find((principal) => principal.AppId === app)?.Identity;
    }

    dispose(): void {
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}

export interface StackShape {
    mailboxes: { address: string; protocols: MailProtocol[] }[];
    smtpAuth?: SmtpAuthMode;
    /** User sign-in protocols; with smtpAuth organization and smtp here, SMTP AUTH is enabled org-wide. */
    userSignInProtocols?: MailProtocol[];
    /** The exchange block as a stack file would give it, over an interactive sign-in. */
    connection?: Partial<ExchangeBlock>;
    /** The stack's `cloud`; Worldwide when not given. */
    cloud?: CloudName;
    servicePrincipalObjectId?: string;
    appId?: string;
    stdin?: string;
}

/** The command's inputs for a stack config, built by the same functions the program's component uses. */
export function commandInputs(shape: StackShape): CommandInputs {
    const plan = planAccess({
        displayName: "Mail OAuth (test)",
        exchange: { smtpAuthorization: shape.connection?.smtpAuthorization ?? "mailboxPermission", appRbacGroup: shape.connection?.appRbacGroup },
        mailboxes: shape.mailboxes,
        smtpAuth: shape.smtpAuth ?? "mailbox",
        userSignIn: shape.userSignInProtocols ? { redirectUris: ["https://localhost/callback"], protocols: shape.userSignInProtocols } : undefined,
    });
    const connection = exchangeConnectionFrom(
        {
            organization,
            auth: "interactive",
            certificatePasswordEnv: "M365_EXO_CERTIFICATE_PASSWORD",
            pwsh: "pwsh",
            disableWam: false,
            reconcile: "changed",
            reconcileRun: "",
            smtpAuthorization: "mailboxPermission",
            adoptedGrants: [],
            ...shape.connection,
        },
        shape.cloud,
    );
    const environment = {
        ...staticExchangeEnvironment(plan, connection, exchangeScriptsDigest()),
        ...identityEnvironment({
            tenantId,
            appId: shape.appId ?? appId,
            servicePrincipalObjectId: shape.servicePrincipalObjectId ?? servicePrincipalObjectId,
            displayName: "Mail OAuth (test)",
        }),
    };
    if (shape.stdin !== undefined) {
        environment[passwordOnStdinVariable] = "true";
    }
    return { environment, stdin: shape.stdin };
}
