/**
 * The decision of `npm run status`: from one stack's facts (stackFacts.ts) and the time, what state it is in and which
 * actions it needs, each with its reason and the command that does it. Pure: no file, no clock, no CLI, so the
 * scheduled workflow can reuse it with facts of its own.
 */
import { dayMs } from "../../config/rfc3339";
import { defaults } from "../../config/choices";
import { configNamespace } from "../../facts/project";
import { retireCommand, rotateCommand } from "../../plan/secretRotation";
import { shortStackName } from "../../plan/multiTenant";
import { ConfigMap, OperationFacts, StackFacts } from "./stackFacts";

/** Every action status can name, in the order a stack's actions are listed. */
export const statusActions = ["check state", "fix config", "deploy", "fix mailbox", "fix login", "rotate", "retire", "renew certificate"] as const;
export type StatusAction = (typeof statusActions)[number];

export interface Finding {
    readonly action: StatusAction;
    readonly reason: string;
    /** What to run or do. */
    readonly fix: string;
}

export interface StackStatus {
    readonly stack: string;
    readonly state: "deployed" | "not deployed" | "destroyed" | "unreadable";
    readonly stackFile: boolean;
    readonly secret?: {
        readonly rotation?: number;
        /** When the current secret was made (the rotation's update). */
        readonly createdAt?: string;
        readonly expiresAt?: string;
        readonly daysLeft?: number;
        readonly previousExpiresAt?: string;
        readonly previousDaysLeft?: number;
        readonly retirementDue: boolean;
    };
    readonly certificate?: { readonly expiresAt: string; readonly daysLeft: number };
    readonly lastUpdate?: OperationFacts;
    readonly mailboxes: { readonly configured: number; readonly granted: number; readonly failed: number };
    readonly exchange?: { readonly lastRun?: string; readonly reconcileRun?: string };
    /** Config keys whose value in the stack file differs from the last update's; absent when that is unknown. */
    readonly configChanges?: readonly string[];
    readonly verify?: { readonly at: string; readonly ok: boolean; readonly secretRotation?: number; readonly stale: boolean };
    readonly findings: readonly Finding[];
    readonly actions: readonly StatusAction[];
    /** What status could not tell, in words (no action of its own). */
    readonly notes: readonly string[];
}

export interface StatusReport {
    readonly at: string;
    readonly stacks: readonly StackStatus[];
    readonly needsAction: boolean;
}

/** Whole days from now to a date, rounded up as the program's expiry notice counts them; negative once past. */
export function daysLeft(date: string, now: Date): number | undefined {
    const time = Date.parse(date);
    return Number.isNaN(time) ? undefined : Math.ceil((time - now.getTime()) / dayMs);
}

function sameValue(a: ConfigMap[string] | undefined, b: ConfigMap[string] | undefined): boolean {
    if (a === undefined || b === undefined) return a === b;
    if ("value" in a || "value" in b) return "value" in a && "value" in b && a.value === b.value;
    // Two secrets: equal ciphertexts are the same value; without both ciphertexts (another backend's history shows
    // none) only the key's presence can be compared. A value encrypted anew shows as a change.
    return a.ciphertext === undefined || b.ciphertext === undefined || a.ciphertext === b.ciphertext;
}

/** The keys whose values differ between the stack file and what the last update deployed. */
export function configChanges(stackFile: ConfigMap, deployed: ConfigMap): string[] {
    return [...new Set([...Object.keys(stackFile), ...Object.keys(deployed)])].filter((key) => !sameValue(stackFile[key], deployed[key])).sort();
}

const reconcileCommand = (stack: string) =>
    `fix the cause, then pulumi config set --path ${configNamespace}:exchange.reconcileRun <a new label> --stack ${stack} && pulumi up --stack ${stack}`;

function listed(items: readonly string[], most = 10): string {
    return items.length > most ? `${items.slice(0, most).join("; ")}; and ${items.length - most} more` : items.join("; ");
}

/**
 * One stack's status at a time.
 * @param provider for a customer's stack of a provider's multi-tenant app (`providerApp`): the provider's stack's
 *                 facts, when this project holds that stack
 */
export function stackStatus(facts: StackFacts, now: Date, provider?: StackFacts): StackStatus {
    const { stack, stackFile, deployed, lastOperation, lastDeploy } = facts;
    const findings: Finding[] = [];
    const notes: string[] = [];
    const warnDays = stackFile?.secretWarnDays ?? defaults.secretWarnDays;
    const handoverDays = stackFile?.secretHandoverDays ?? defaults.secretHandoverDays;
    const up = `pulumi up --stack ${stack}`;

    if (!stackFile) notes.push(`no Pulumi.${stack}.yaml in this project: the default thresholds apply and the config cannot be compared`);
    if (stackFile?.problems) {
        // One line per finding: the validator's list joined.
        const problems = stackFile.problems
            .split("\n")
            .map((line) => line.replace(/^\s*-\s*/, "").trim())
            .filter((line) => line !== "" && !/nothing was changed:$/.test(line));
        findings.push({
            action: "fix config",
            reason: `Pulumi.${stack}.yaml is invalid: ${listed(problems, 5)}`,
            fix: `correct Pulumi.${stack}.yaml (docs/configuration.md), then npm run -s review -- --stack ${stack}`,
        });
    }

    let state: StackStatus["state"];
    if (facts.readProblem) {
        state = "unreadable";
        findings.push({
            action: "check state",
            reason: `the stack's state could not be read: ${facts.readProblem}`,
            fix: `pulumi stack export --stack ${stack}`,
        });
    } else if (deployed && deployed.resourceCount > 0) {
        state = "deployed";
    } else if (lastOperation?.kind === "destroy" && lastOperation.result === "succeeded") {
        state = "destroyed";
        notes.push(`destroyed on ${lastOperation.endedAt ?? lastOperation.startedAt}`);
    } else {
        state = "not deployed";
        // A first update that failed says so below, with its error.
        if (stackFile && !lastOperation) findings.push({ action: "deploy", reason: "the stack has never been deployed", fix: up });
    }

    if (lastOperation && lastOperation.result !== "succeeded" && state !== "unreadable") {
        findings.push({
            action: "deploy",
            reason: `the last ${lastOperation.kind} (${lastOperation.endedAt ?? lastOperation.startedAt}) ${lastOperation.result === "failed" ? "failed" : `is ${lastOperation.result}`}`,
            fix: `read its error (pulumi stack history --stack ${stack}), fix the cause, then ${up}`,
        });
    }
    if (deployed && deployed.pendingOperations > 0) {
        findings.push({
            action: "deploy",
            reason: `an update was interrupted: the state lists ${deployed.pendingOperations} operation(s) begun and not finished`,
            fix: `pulumi refresh --stack ${stack} (it asks what became of each), then ${up}`,
        });
    }

    let changes: string[] | undefined;
    if (stackFile && lastDeploy && state === "deployed") {
        changes = configChanges(stackFile.config, lastDeploy.config);
        if (changes.length > 0) {
            findings.push({
                action: "deploy",
                reason: `the config changed since the last update (${lastDeploy.endedAt ?? lastDeploy.startedAt}): ${listed(changes)}`,
                fix: `npm run -s review -- --stack ${stack}, pulumi preview --diff --stack ${stack}, then ${up}`,
            });
        }
    } else if (state === "deployed" && !lastDeploy) {
        notes.push("the backend's history holds no successful update: whether the config is deployed is unknown");
    }

    // Failed mailboxes, as the Exchange step recorded them; granted and configured for the table.
    const exchange = state === "deployed" ? deployed?.exchange : undefined;
    const failedMailboxes = exchange?.failed ?? [];
    if (failedMailboxes.length > 0) {
        findings.push({
            action: "fix mailbox",
            reason: `the Exchange step could not finish ${failedMailboxes.length} item(s): ${listed(failedMailboxes.map((f) => `${f.address}: ${f.message}`))}`,
            fix: reconcileCommand(stack),
        });
    }

    // The last verify, if it ran after the last update: before it, it speaks of what was deployed then.
    const record = facts.verify;
    const verify = record
        ? {
              at: record.at,
              ok: record.ok,
              ...(record.secretRotation !== undefined ? { secretRotation: record.secretRotation } : {}),
              stale: lastDeploy?.endedAt !== undefined && Date.parse(record.at) < Date.parse(lastDeploy.endedAt),
          }
        : undefined;
    if (record && verify && !verify.ok && !verify.stale && state === "deployed") {
        const failed = record.checks.filter((check) => !check.ok);
        const fixes = [...new Set(failed.map((check) => check.fix).filter((fix): fix is string => fix !== undefined))];
        findings.push({
            action: "fix login",
            reason: `verify failed on ${record.at}: ${listed(failed.map((check) => [check.step, check.mailbox].filter(Boolean).join(" ")))}`,
            fix: `${fixes.length > 0 ? `${listed(fixes, 3)}; then ` : ""}npm run -s verify -- --stack ${stack}`,
        });
    }

    // Secrets: the current one's end date against secretWarnDays; the previous one's retirement.
    let secret: StackStatus["secret"];
    if (state === "deployed" && deployed && (deployed.clientSecretExpiresAt !== undefined || deployed.secretRotation !== undefined)) {
        const rotation = deployed.secretRotation;
        const left = deployed.clientSecretExpiresAt !== undefined ? daysLeft(deployed.clientSecretExpiresAt, now) : undefined;
        const previousLeft = deployed.previousClientSecretExpiresAt !== undefined ? daysLeft(deployed.previousClientSecretExpiresAt, now) : undefined;
        const rotate = rotateCommand(rotation === undefined ? "<the next rotation number>" : rotation + 1, stack);
        // A customer's stack passes the provider's secret on: it is rotated and retired on the provider's stack, and
        // this stack only needs an update once the provider's current secret is another than the one it passed on.
        const providerStack = deployed.providerStack;
        let rotating = providerStack !== undefined;
        if (providerStack !== undefined) {
            const providerKey = provider?.deployed?.clientSecretKeyId;
            if (!provider?.deployed) {
                notes.push(`the secret is the provider's stack's (${providerStack}): its rotation and retirement show there`);
            } else if (providerKey !== undefined && providerKey !== deployed.clientSecretKeyId) {
                findings.push({
                    action: "deploy",
                    reason: `the provider's stack (${shortStackName(providerStack)}) has another current secret than the one this stack last handed to the mail client`,
                    fix: `${up}, then give the mail client the new clientSecret (pulumi stack output --show-secrets clientSecret --stack ${stack})`,
                });
            }
        }
        if (!rotating && left !== undefined && left <= 0) {
            rotating = true;
            findings.push({
                action: "rotate",
                reason: `the client secret expired on ${deployed.clientSecretExpiresAt}: mail clients using it cannot log in`,
                fix: rotate,
            });
        } else if (!rotating && left !== undefined && left <= warnDays) {
            rotating = true;
            findings.push({
                action: "rotate",
                reason: `the client secret expires on ${deployed.clientSecretExpiresAt}, in ${left} day(s) (secretWarnDays: ${warnDays})`,
                fix: rotate,
            });
        }
        // After a rotation the previous secret stays valid while clients switch. It is due for retirement once verify
        // passed with the current one, or secretHandoverDays after the current one was made. A due rotation retires it
        // anyway, so it is not named twice.
        let retirementDue = false;
        if (!rotating && rotation !== undefined && previousLeft !== undefined && previousLeft > 0) {
            const confirmed = verify?.ok === true && verify.secretRotation === rotation;
            const age = deployed.currentSecretCreatedAt !== undefined ? -(daysLeft(deployed.currentSecretCreatedAt, now) ?? 0) : undefined;
            retirementDue = confirmed || (age !== undefined && age >= handoverDays);
            if (retirementDue) {
                findings.push({
                    action: "retire",
                    reason: `the previous secret (rotation ${rotation - 1}) is still valid until ${deployed.previousClientSecretExpiresAt}, ${
                        confirmed
                            ? `and verify passed with rotation ${rotation} on ${verify!.at}`
                            : `${age} day(s) after rotation ${rotation} (secretHandoverDays: ${handoverDays})`
                    }`,
                    fix: `once no client uses it: ${retireCommand(rotation, stack)} (otherwise it stays valid until ${deployed.previousClientSecretExpiresAt})`,
                });
            }
        }
        secret = {
            ...(rotation !== undefined ? { rotation } : {}),
            ...(deployed.currentSecretCreatedAt !== undefined ? { createdAt: deployed.currentSecretCreatedAt } : {}),
            ...(deployed.clientSecretExpiresAt !== undefined ? { expiresAt: deployed.clientSecretExpiresAt } : {}),
            ...(left !== undefined ? { daysLeft: left } : {}),
            ...(deployed.previousClientSecretExpiresAt !== undefined ? { previousExpiresAt: deployed.previousClientSecretExpiresAt } : {}),
            ...(previousLeft !== undefined ? { previousDaysLeft: previousLeft } : {}),
            retirementDue,
        };
    }

    let certificate: StackStatus["certificate"];
    const certificateLeft = deployed?.certificateExpiresAt !== undefined ? daysLeft(deployed.certificateExpiresAt, now) : undefined;
    if (state === "deployed" && deployed?.certificateExpiresAt !== undefined && certificateLeft !== undefined) {
        certificate = { expiresAt: deployed.certificateExpiresAt, daysLeft: certificateLeft };
        if (certificateLeft <= warnDays) {
            findings.push({
                action: "renew certificate",
                reason:
                    certificateLeft <= 0
                        ? `the certificate credential expired on ${deployed.certificateExpiresAt}`
                        : `the certificate credential expires on ${deployed.certificateExpiresAt}, in ${certificateLeft} day(s) (secretWarnDays: ${warnDays})`,
                fix: `put the renewed public certificate at ${configNamespace}:certificate.publicCertPath, then ${up}`,
            });
        }
    }

    const actions = statusActions.filter((action) => findings.some((finding) => finding.action === action));
    return {
        stack,
        state,
        stackFile: stackFile !== undefined,
        ...(secret ? { secret } : {}),
        ...(certificate ? { certificate } : {}),
        ...(lastOperation ? { lastUpdate: lastOperation } : {}),
        mailboxes: { configured: stackFile?.mailboxes.length ?? 0, granted: exchange?.granted.length ?? 0, failed: failedMailboxes.length },
        ...(exchange && (exchange.lastRun || exchange.reconcileRun)
            ? {
                  exchange: {
                      ...(exchange.lastRun ? { lastRun: exchange.lastRun } : {}),
                      ...(exchange.reconcileRun ? { reconcileRun: exchange.reconcileRun } : {}),
                  },
              }
            : {}),
        ...(changes ? { configChanges: changes } : {}),
        ...(verify ? { verify } : {}),
        findings: [...findings].sort((a, b) => statusActions.indexOf(a.action) - statusActions.indexOf(b.action)),
        actions,
        notes,
    };
}

/**
 * Every stack's status, by name; the report needs action when any stack does.
 * @param context stacks read only to compare with (a provider's stack of a listed customer's), not reported
 */
export function statusReport(stacks: readonly StackFacts[], now: Date, context: readonly StackFacts[] = []): StatusReport {
    const byName = new Map([...context, ...stacks].map((facts) => [facts.stack, facts]));
    const statuses = [...stacks]
        .sort((a, b) => (a.stack < b.stack ? -1 : a.stack > b.stack ? 1 : 0))
        .map((facts) => stackStatus(facts, now, facts.deployed?.providerStack ? byName.get(shortStackName(facts.deployed.providerStack)) : undefined));
    return { at: now.toISOString(), stacks: statuses, needsAction: statuses.some((status) => status.actions.length > 0) };
}

/** 1 when any stack needs action, else 0. */
export function exitCodeOf(report: StatusReport): number {
    return report.needsAction ? 1 : 0;
}
