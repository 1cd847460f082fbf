/**
 * The readiness check's decision: from the validated stack config and what was read of Entra ID and Exchange
 * Online, one finding per check, in a mail admin's words, each that needs action with its fix. Pure: the CLI reads,
 * this decides, the renderers print (so the tests drive every finding without a tenant).
 */
import { customerDeployerSteps, deployerSteps } from "../../facts/deployerRights";
import { configNamespace } from "../../facts/project";
import { StackSettings } from "../../config/settings";
import { AccessPlan } from "../../plan/accessPlan";
import { credentialPolicyFindings, secretRules } from "../../plan/credentialPolicy";
import { EntraFacts, Read } from "./entraFacts";
import { ExchangeFacts } from "./exchangeFacts";

/** ok: ready; note: worth knowing, nothing to do; warn: works, but should change; block: the first pulumi up would fail or do harm; unknown: could not be read. */
export type Severity = "ok" | "note" | "warn" | "block" | "unknown";

export interface Finding {
    readonly check: string;
    readonly severity: Severity;
    readonly says: string;
    readonly fix?: string;
}

export interface ReadinessInput {
    readonly settings: StackSettings;
    readonly access: AccessPlan;
    /** The stack's own app (its client ID in the state), when it has been deployed: its name is not "taken". */
    readonly ownClientId?: string;
    readonly entra: Read<EntraFacts>;
    /** Now: which of the credential policy's restrictions apply depends on when the app was created. */
    readonly now: Date;
    /** Absent when the stack has no Exchange step (user sign-in only). */
    readonly exchange?: Read<ExchangeFacts>;
    /** A customer's stack: the provider's stack, by its name here, where the admin-consent URL comes from. */
    readonly providerStack?: string;
}

const key = (name: string) => `${configNamespace}:${name}`;
const mailKinds = ["UserMailbox", "SharedMailbox"];

function deployerFindings(entra: EntraFacts, access: AccessPlan, customer: boolean): Finding[] {
    const steps = (customer ? customerDeployerSteps : deployerSteps).filter(
        (step) => step.step !== "grant the delegated permissions for user sign-in" || access.delegatedScopes.length > 0,
    );
    if ("unreadable" in entra.deployer)
        return [
            {
                check: "deploying identity",
                severity: "unknown",
                says: `could not read what the deploying identity may do: ${entra.deployer.unreadable}`,
                fix: "give it Directory.Read.All (or Application.Read.All) to let this check read it, or check its roles in the Entra admin center",
            },
        ];
    const { permissions, roles } = entra.deployer.value;
    return steps.map((step) => {
        const by = [...step.permissions.filter((p) => permissions.includes(p)), ...step.roles.filter((r) => roles.includes(r))];
        return by.length > 0
            ? { check: "deploying identity", severity: "ok", says: `may ${step.step} (${by.join(", ")})` }
            : {
                  check: "deploying identity",
                  severity: "block",
                  says: `may not ${step.step}: it holds none of ${[...step.permissions, ...step.roles].join(", ")}`,
                  // Cloud Application Administrator is the least privileged role that allows every step (facts/deployerRights.ts).
                  fix: `grant it the Microsoft Graph application permission ${step.permissions[0]} (with admin consent), or the Cloud Application Administrator role`,
              };
    });
}

function tenantFindings(entra: EntraFacts, input: ReadinessInput): Finding[] {
    const findings: Finding[] = [];
    findings.push(
        "unreadable" in entra.exchangeOnline
            ? {
                  check: "Exchange Online",
                  severity: "unknown",
                  says: `could not look for Exchange Online's service principal: ${entra.exchangeOnline.unreadable}`,
              }
            : entra.exchangeOnline.value
              ? { check: "Exchange Online", severity: "ok", says: "the tenant has Exchange Online (its service principal is present)" }
              : {
                    check: "Exchange Online",
                    severity: "block",
                    says: "the tenant has no Exchange Online service principal: the IMAP, POP and SMTP permissions cannot be granted",
                    fix: "license Exchange Online in this tenant, or check azuread:tenantId",
                },
    );
    const organization = input.settings.exchange?.organization;
    if (organization !== undefined) {
        if ("unreadable" in entra.domains)
            findings.push({ check: "Exchange organization", severity: "unknown", says: `could not read the tenant's domains: ${entra.domains.unreadable}` });
        else {
            const initial = entra.domains.value.find((domain) => domain.isInitial)?.name;
            const match = entra.domains.value.find((domain) => domain.name.toLowerCase() === organization.toLowerCase());
            if (match?.isInitial) findings.push({ check: "Exchange organization", severity: "ok", says: `${organization} is the tenant's initial domain` });
            else
                findings.push({
                    check: "Exchange organization",
                    severity: "block",
                    says: match
                        ? `${organization} is a domain of the tenant, but Connect-ExchangeOnline -Organization takes the initial *.onmicrosoft.com domain`
                        : `${organization} is not a domain of this tenant (its domains: ${entra.domains.value.map((d) => d.name).join(", ")})`,
                    fix: `set ${key("exchange")}.organization to ${initial ?? "the tenant's initial domain"}`,
                });
        }
    }
    if (input.settings.providerApp) return [...findings, consentFinding(entra, input)];
    findings.push(...policyFindings(entra, input));
    if ("unreadable" in entra.sameName)
        findings.push({
            check: "display name",
            severity: "unknown",
            says: `could not look for apps named "${input.settings.displayName}": ${entra.sameName.unreadable}`,
        });
    else {
        const others = entra.sameName.value.filter((app) => app.appId !== input.ownClientId);
        findings.push(
            others.length === 0
                ? { check: "display name", severity: "ok", says: `no other app is named "${input.settings.displayName}"` }
                : {
                      check: "display name",
                      severity: "block",
                      says: `"${input.settings.displayName}" is already the name of ${others.map((app) => `app ${app.appId}`).join(", ")}; the stack never takes over an app it did not make, and two apps of one name confuse every admin after you`,
                      fix: `choose another ${key("displayName")}, or bring that app under the stack: npm run adopt -- --stack <name> --client-id ${others[0].appId}`,
                  },
        );
    }
    return findings;
}

/** A customer's stack: has this tenant's admin consented to the provider's app yet? Not yet is no blocker: up waits. */
function consentFinding(entra: EntraFacts, input: ReadinessInput): Finding {
    const check = "consent to the provider's app";
    const provider = input.providerStack ?? input.settings.providerApp?.stack ?? "the provider's stack";
    const urls = `pulumi stack output adminConsentUrls --stack ${provider}`;
    if (entra.consented === undefined)
        return {
            check,
            severity: "unknown",
            says: `the provider's app is unknown: stack ${provider} has no clientId output here`,
            fix: `pulumi up --stack ${provider} first`,
        };
    if ("unreadable" in entra.consented) return { check, severity: "unknown", says: `could not look for its service principal: ${entra.consented.unreadable}` };
    return entra.consented.value
        ? { check, severity: "ok", says: "this tenant holds the provider's app's service principal: an administrator consented" }
        : {
              check,
              severity: "note",
              says: `not yet: \`pulumi up\` waits up to ${input.settings.providerApp?.waitMinutes} minute(s) for it`,
              fix: `an administrator of this tenant opens its URL (${urls}) and accepts`,
          };
}

/** The tenant's credential policy against the stack's secret: the program's own decision (plan/credentialPolicy.ts). */
function policyFindings(entra: EntraFacts, input: ReadinessInput): Finding[] {
    const check = "credential policy";
    if ("unreadable" in entra.credentialPolicy)
        return [
            {
                check,
                severity: "unknown",
                says: `could not read the tenant's credential policy: ${entra.credentialPolicy.unreadable}`,
                fix: "give the deploying identity Policy.Read.All to check it; a secret the policy forbids fails at creation",
            },
        ];
    const rules = secretRules(entra.credentialPolicy.value, input.now);
    const refused = credentialPolicyFindings(rules, input.settings);
    if (refused.length === 0)
        return [
            {
                check,
                severity: "ok",
                says:
                    rules.source === "none"
                        ? "no app management policy restricts the app's credentials"
                        : `${rules.source} allows what the stack makes${rules.maxLifetimeDays !== undefined ? ` (secrets of at most ${rules.maxLifetimeDays} days)` : ""}`,
            },
        ];
    return refused.map((finding) => {
        const [says, fix] = finding.message.split(" Fix: ");
        return { check, severity: "block", says, ...(fix ? { fix } : {}) };
    });
}

function exchangeFindings(exchange: Read<ExchangeFacts>, input: ReadinessInput): Finding[] {
    if ("unreadable" in exchange)
        return [
            {
                check: "Exchange Online sign-in",
                severity: "block",
                says: `could not read Exchange Online: ${exchange.unreadable}`,
                fix: `the Exchange step signs in the same way: fix ${key("exchange")} (auth, organization) or the module as the message says`,
            },
        ];
    const facts = exchange.value;
    const findings: Finding[] = [{ check: "Exchange Online module", severity: "ok", says: `ExchangeOnlineManagement ${facts.module} signs in` }];
    const smtpMailboxes = input.access.mailboxes.filter((mailbox) => mailbox.protocols.includes("smtp"));
    if (smtpMailboxes.length > 0 && input.access.smtpAuthorization === "mailboxPermission") {
        const smtpAuth = input.settings.smtpAuth;
        if (!facts.organizationSmtpAuthDisabled && smtpAuth === "mailbox")
            findings.push({
                check: "SMTP AUTH",
                severity: "warn",
                says: "SMTP AUTH is on for the whole organisation (the vendor guides' shortcut): every mailbox accepts SMTP AUTH, not just the app's",
                fix: `once no other client needs it: Set-TransportConfig -SmtpClientAuthenticationDisabled $true (the stack keeps it on for its ${smtpMailboxes.length} mailbox(es))`,
            });
        else
            findings.push({
                check: "SMTP AUTH",
                severity: "note",
                says: facts.organizationSmtpAuthDisabled
                    ? smtpAuth === "organization"
                        ? "SMTP AUTH is off for the organisation; the stack turns it on organisation-wide, as smtpAuth: organization asks"
                        : `SMTP AUTH is off for the organisation (Microsoft's default); the stack turns it on for its ${smtpMailboxes.length} SMTP mailbox(es) only`
                    : "SMTP AUTH is on for the organisation",
            });
    }
    for (const mailbox of input.access.mailboxes) {
        const found = facts.mailboxes[mailbox.address.toLowerCase()];
        const check = `mailbox ${mailbox.address}`;
        if (!found?.exists) {
            findings.push({
                check,
                severity: "block",
                says: "Exchange Online has no mailbox with this address (a typo, a group's or contact's address, or a mailbox not yet created)",
                fix: `correct ${key("mailboxes")}, or create the mailbox first`,
            });
            continue;
        }
        if (!mailKinds.includes(found.recipientTypeDetails ?? "")) {
            findings.push({
                check,
                severity: "block",
                says: `is a ${found.recipientTypeDetails}: a mail client reads user or shared mailboxes`,
                fix: `use a user or shared mailbox in ${key("mailboxes")}`,
            });
            continue;
        }
        const off = [
            mailbox.protocols.includes("imap") && !found.imapEnabled ? "IMAP" : undefined,
            mailbox.protocols.includes("pop") && !found.popEnabled ? "POP3" : undefined,
        ].filter(Boolean);
        findings.push({
            check,
            severity: off.length > 0 ? "note" : "ok",
            says: `${found.recipientTypeDetails === "SharedMailbox" ? "a shared mailbox" : "a user mailbox"}${off.length > 0 ? `; ${off.join(" and ")} off now, the stack turns ${off.length > 1 ? "them" : "it"} on` : ""}`,
        });
    }
    return findings;
}

export function readinessFindings(input: ReadinessInput): Finding[] {
    const entra: Finding[] =
        "unreadable" in input.entra
            ? [
                  {
                      check: "Microsoft Graph",
                      severity: "unknown",
                      says: `the Entra ID checks were skipped: ${input.entra.unreadable}`,
                      fix: "sign in as the azuread provider does (ARM_CLIENT_ID and ARM_CLIENT_SECRET) to run them",
                  },
              ]
            : [...deployerFindings(input.entra.value, input.access, input.settings.providerApp !== undefined), ...tenantFindings(input.entra.value, input)];
    return [...entra, ...(input.exchange ? exchangeFindings(input.exchange, input) : [])];
}

/** Something blocks the first pulumi up. */
export function blocks(findings: readonly Finding[]): boolean {
    return findings.some((finding) => finding.severity === "block");
}
