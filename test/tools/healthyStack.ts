/**
 * The facts of one healthy deployed stack, as `npm run status` reads them, for the tests of status and of the
 * operations that act on it: rotation 1, deployed 40 days before `now`, every mailbox granted; each test changes
 * one fact.
 */
import { dayMs } from "../../config/rfc3339";
import { ConfigMap, StackFacts } from "../../tools/status/stackFacts";

export const now = new Date("2027-01-10T12:00:00Z");
export const at = (days: number) => new Date(now.getTime() + days * dayMs).toISOString();
export const config: ConfigMap = { "m365-mail-oauth:displayName": { value: "Mail OAuth" }, "m365-mail-oauth:secretRotation": { value: "1" } };
export const deployedAt = at(-40);

export function healthyStack(mailboxes: string[], change: Partial<StackFacts> = {}, deployed: Partial<NonNullable<StackFacts["deployed"]>> = {}): StackFacts {
    return {
        stack: "dev",
        stackFile: { config, secretWarnDays: 30, secretHandoverDays: 14, mailboxes },
        deployed: {
            resourceCount: 9,
            secretRotation: 1,
            clientSecretExpiresAt: at(140),
            // The previous secret expired already: nothing to retire.
            previousClientSecretExpiresAt: at(-1),
            currentSecretCreatedAt: deployedAt,
            exchange: { lastRun: deployedAt, granted: [...mailboxes].sort(), failed: [] },
            pendingOperations: 0,
            ...deployed,
        },
        lastOperation: { kind: "update", result: "succeeded", startedAt: deployedAt, endedAt: deployedAt },
        lastDeploy: { kind: "update", result: "succeeded", startedAt: deployedAt, endedAt: deployedAt, config },
        ...change,
    };
}
