/**
 * The decision of `npm run operations`: from one stack's status (tools/status/decide.ts), its stack file and the
 * repository's issues and pull requests that this tool made, what to open, update or close. Pure: the GitHub calls,
 * the change review and the clock are the CLI's (cli.ts, github.ts).
 *
 * - Health: exactly one open issue per stack that needs action other than a secret step a pull request carries, with
 *   the findings (reason and fix), updated when they change, closed when the stack is green.
 * - Rotation: when status names `rotate` (the current secret within secretWarnDays, or expired), one pull request
 *   that raises `secretRotation` by one, with the offline change review as its body.
 * - Retirement: when status names `retire` (verify passed with the current secret, or secretHandoverDays passed),
 *   one pull request that sets `secretRetiredThrough` to the rotation before the current one.
 * Each item carries a marker in its body naming stack, kind and step, so a step is proposed once: never a second
 * pull request for it, open or closed (a person who closed it unmerged said no; status keeps naming the action).
 */
import { configNamespace } from "../../facts/project";
import { Finding, StackStatus } from "../status/decide";
import { setStackConfigNumber } from "./stackFileEdit";

/** The label on every issue and pull request this tool opens; the CLI lists the repository's items by it. */
export const operationsLabel = "m365-operations";

export type ItemKind = "health" | "rotate" | "retire";

/** An issue or pull request as the GitHub REST API returns it, reduced to what the decision reads. */
export interface GitHubItem {
    readonly number: number;
    readonly title: string;
    readonly body: string | null;
    readonly state: "open" | "closed";
    readonly labels: readonly string[];
    readonly pullRequest: boolean;
    /** A pull request's head branch, when known (the pulls API has it, the issues API does not). */
    readonly headBranch?: string;
}

/** The hidden line that ties an item to its stack, kind and (for a pull request) step. */
export function marker(stack: string, kind: ItemKind, step?: number): string {
    return `<!-- ${configNamespace}:stack=${stack}:kind=${kind}${step !== undefined ? `:step=${step}` : ""} -->`;
}

export function markerOf(body: string | null): { stack: string; kind: ItemKind; step?: number } | undefined {
    const found = new RegExp(`<!-- ${configNamespace}:stack=([^:\\s]+):kind=(health|rotate|retire)(?::step=(\\d+))? -->`).exec(body ?? "");
    if (!found) return undefined;
    return { stack: found[1]!, kind: found[2] as ItemKind, ...(found[3] !== undefined ? { step: Number(found[3]) } : {}) };
}

/** The branch of a secret step's pull request: one per stack and step, so the branch itself is a second guard. */
export function stepBranch(stack: string, kind: "rotate" | "retire", step: number): string {
    return kind === "rotate" ? `${operationsLabel}/${stack}/secret-rotation-${step}` : `${operationsLabel}/${stack}/secret-retired-through-${step}`;
}

/** The stack file as the project holds it. */
export interface StackFileText {
    /** e.g. Pulumi.dev.yaml, relative to the repository root. */
    readonly path: string;
    readonly text: string;
    /** secretRotation and secretRetiredThrough as the file sets them (read with the program's reader). */
    readonly secretRotation?: number;
    readonly secretRetiredThrough?: number;
}

/** A secret step to propose: what the CLI needs to make its change review before the plan is complete. */
export interface PendingStep {
    readonly kind: "rotate" | "retire";
    /** rotate: the new secretRotation; retire: the new secretRetiredThrough. */
    readonly step: number;
    readonly branch: string;
    readonly path: string;
    /** The stack file with the step made. */
    readonly content: string;
    readonly finding: Finding;
}

export type Operation =
    | { readonly do: "open issue"; readonly title: string; readonly body: string; readonly labels: readonly string[] }
    | { readonly do: "update issue"; readonly number: number; readonly title: string; readonly body: string }
    | { readonly do: "close issue"; readonly number: number; readonly comment: string }
    | {
          readonly do: "open pull request";
          readonly kind: "rotate" | "retire";
          readonly title: string;
          readonly body: string;
          readonly labels: readonly string[];
          readonly branch: string;
          readonly path: string;
          readonly content: string;
          readonly commitMessage: string;
      };

export interface OperationsPlan {
    readonly stack: string;
    readonly operations: readonly Operation[];
    /** What was decided not to do, and why. */
    readonly notes: readonly string[];
}

const secretActions: readonly string[] = ["rotate", "retire"];
const rotationKey = `${configNamespace}:secretRotation`;
const retiredKey = `${configNamespace}:secretRetiredThrough`;

/** The items of this stack and kind (by marker), any state. */
function itemsOf(items: readonly GitHubItem[], stack: string, kind: ItemKind): GitHubItem[] {
    return items.filter((item) => {
        const found = markerOf(item.body);
        return found?.stack === stack && found.kind === kind;
    });
}

/** The pull request already made for a step (its marker or its branch), in any state. */
function proposed(items: readonly GitHubItem[], stack: string, kind: "rotate" | "retire", step: number): GitHubItem | undefined {
    const branch = stepBranch(stack, kind, step);
    return items.find(
        (item) => item.pullRequest && (item.headBranch === branch || (itemsOf([item], stack, kind).length > 0 && markerOf(item.body)?.step === step)),
    );
}

/**
 * The secret steps that status asks for and no pull request has proposed yet; the others' reasons as notes; and the
 * secret findings no pull request carries (no rotation number or stack file to change, or the step's pull request
 * was closed unmerged): those go in the health issue, so a person sees them.
 */
export function pendingSteps(
    status: StackStatus,
    stackFile: StackFileText | undefined,
    items: readonly GitHubItem[],
): { steps: PendingStep[]; notes: string[]; uncovered: Finding[] } {
    const steps: PendingStep[] = [];
    const notes: string[] = [];
    const uncovered: Finding[] = [];
    const { stack } = status;
    for (const kind of ["rotate", "retire"] as const) {
        const finding = status.findings.find((f) => f.action === kind);
        if (!finding) continue;
        const rotation = status.secret?.rotation;
        if (rotation === undefined) {
            notes.push(`${kind}: the deployed stack does not output its secretRotation, so the next step is unknown`);
            uncovered.push(finding);
            continue;
        }
        if (!stackFile) {
            notes.push(`${kind}: this project has no Pulumi.${stack}.yaml to change`);
            uncovered.push(finding);
            continue;
        }
        const fileRotation = stackFile.secretRotation ?? 0;
        const step = kind === "rotate" ? rotation + 1 : rotation - 1;
        if (fileRotation !== rotation) {
            notes.push(
                `${kind}: ${stackFile.path} sets secretRotation ${fileRotation} while rotation ${rotation} is deployed: deploy it first (deploy.yml deploys on push to main; a stack with interactive Exchange sign-in: pulumi up --stack ${stack})`,
            );
            continue;
        }
        if (kind === "retire" && stackFile.secretRetiredThrough !== undefined && stackFile.secretRetiredThrough >= step) {
            notes.push(`retire: ${stackFile.path} already sets secretRetiredThrough ${stackFile.secretRetiredThrough}: deploy it`);
            continue;
        }
        const existing = proposed(items, stack, kind, step);
        if (existing) {
            notes.push(
                `${kind}: pull request #${existing.number} (${existing.state}) already proposes ${kind === "rotate" ? `secretRotation ${step}` : `secretRetiredThrough ${step}`}; no second one`,
            );
            if (existing.state === "closed")
                uncovered.push({ ...finding, reason: `${finding.reason} (pull request #${existing.number} proposed it and was closed unmerged)` });
            continue;
        }
        const content = setStackConfigNumber(stackFile.text, kind === "rotate" ? rotationKey : retiredKey, step, stackFile.path);
        steps.push({ kind, step, branch: stepBranch(stack, kind, step), path: stackFile.path, content, finding });
    }
    return { steps, notes, uncovered };
}

const footer = "Opened by the scheduled operations workflow (`.github/workflows/operations.yml`, docs/operations.md).";

function healthTitle(status: StackStatus, findings: readonly Finding[]): string {
    return `Stack ${status.stack} needs action: ${[...new Set(findings.map((f) => f.action))].join(", ")}`;
}

/** The health issue's body: the findings with their fixes, and the notes. No time of its own, so an unchanged diagnosis is an unchanged body. */
export function healthBody(status: StackStatus, findings: readonly Finding[]): string {
    return [
        marker(status.stack, "health"),
        `\`npm run status\` finds that stack **${status.stack}** (${status.state}) needs action:`,
        "",
        ...findings.map((f) => `- **${f.action}**: ${f.reason}.\n  Fix: \`${f.fix}\``),
        ...(status.notes.length > 0 ? ["", "Notes:", ...status.notes.map((note) => `- ${note}`)] : []),
        "",
        `Locally: \`npm run -s status -- --stack ${status.stack}\` and \`npm run -s verify -- --stack ${status.stack}\`. This issue is updated while the diagnosis changes and closed when the stack is green.`,
        "",
        footer,
    ].join("\n");
}

/** A secret step's pull request: why, what merging does, then the change review. */
export function stepPullRequest(status: StackStatus, pending: PendingStep, review: string): Extract<Operation, { do: "open pull request" }> {
    const { stack } = status;
    const rotation = status.secret!.rotation!;
    const rotate = pending.kind === "rotate";
    const title = rotate
        ? `Rotate the client secret of stack ${stack}: secretRotation ${rotation} → ${pending.step}`
        : `Retire the previous client secret of stack ${stack}: secretRetiredThrough ${pending.step}`;
    const what = rotate
        ? [
              `Merging raises \`secretRotation\` in \`${pending.path}\` from ${rotation} to ${pending.step}. The deploy workflow (deploy.yml, on push to main) then makes rotation ${pending.step}'s secret; a stack whose Exchange step signs in interactively is deployed by a person: \`pulumi up --stack ${stack}\`.`,
              `The previous secret stays valid while the mail clients switch to the new one (\`pulumi stack output clientSecret --show-secrets --stack ${stack}\`). The scheduled workflow proposes retiring it once \`verify\` passes with rotation ${pending.step}, or secretHandoverDays after it was made.`,
          ]
        : [
              `Merging sets \`secretRetiredThrough\` in \`${pending.path}\` to ${pending.step}: the deploy deletes rotation ${pending.step}'s secret. Merge only when no mail client uses it any more.`,
          ];
    const body = [marker(stack, pending.kind, pending.step), `**Why**: ${pending.finding.reason}.`, "", ...what, "", review, "", footer].join("\n");
    return {
        do: "open pull request",
        kind: pending.kind,
        title,
        body,
        labels: [operationsLabel],
        branch: pending.branch,
        path: pending.path,
        content: pending.content,
        commitMessage: title,
    };
}

/**
 * What to open, update and close for one stack.
 * @param reviews the change review (Markdown) of each pending step, by branch (the CLI makes them for `pendingSteps`)
 */
export function planOperations(
    status: StackStatus,
    stackFile: StackFileText | undefined,
    items: readonly GitHubItem[],
    reviews: ReadonlyMap<string, string> = new Map(),
): OperationsPlan {
    const operations: Operation[] = [];
    const notes: string[] = [];
    const { stack } = status;

    const { steps, notes: stepNotes, uncovered } = pendingSteps(status, stackFile, items);
    const findings = [...status.findings.filter((f) => !secretActions.includes(f.action)), ...uncovered];
    const open = itemsOf(items, stack, "health").filter((item) => item.state === "open" && !item.pullRequest);
    if (findings.length > 0) {
        const title = healthTitle(status, findings);
        const body = healthBody(status, findings);
        const [first, ...duplicates] = [...open].sort((a, b) => a.number - b.number);
        if (!first) {
            operations.push({ do: "open issue", title, body, labels: [operationsLabel] });
        } else if (first.title !== title || (first.body ?? "").replace(/\r\n/g, "\n") !== body) {
            operations.push({ do: "update issue", number: first.number, title, body });
        } else {
            notes.push(`health: issue #${first.number} already says this`);
        }
        for (const duplicate of duplicates) {
            operations.push({ do: "close issue", number: duplicate.number, comment: `A duplicate of #${first!.number}, which tracks stack ${stack}.` });
        }
    } else {
        for (const item of open) {
            operations.push({
                do: "close issue",
                number: item.number,
                comment: `Stack ${stack} needs no action any more (npm run status${status.verify?.ok ? `, and verify passed on ${status.verify.at}` : ""}).`,
            });
        }
    }

    notes.push(...stepNotes);
    for (const pending of steps) {
        const review =
            reviews.get(pending.branch) ??
            "(The change review could not be made here: run `npm run -s review -- --stack " + stack + " --compare main` on the branch.)";
        operations.push(stepPullRequest(status, pending, review));
    }
    return { stack, operations, notes };
}

/** The plan in words, one line per operation, for --dry-run and the log. */
export function describePlan(plan: OperationsPlan, doing: boolean): string {
    const verb = doing ? "" : "would ";
    const lines = plan.operations.map((operation) => {
        switch (operation.do) {
            case "open issue":
                return `${verb}open issue "${operation.title}" [${operation.labels.join(", ")}]`;
            case "update issue":
                return `${verb}update issue #${operation.number}: "${operation.title}"`;
            case "close issue":
                return `${verb}close issue #${operation.number}: ${operation.comment}`;
            case "open pull request":
                return `${verb}open pull request "${operation.title}" from branch ${operation.branch} (${operation.path})`;
        }
    });
    return [
        `stack ${plan.stack}: ${plan.operations.length === 0 ? "nothing to open, update or close" : `${plan.operations.length} operation(s)`}`,
        ...lines.map((line) => `  ${line}`),
        ...plan.notes.map((note) => `  note: ${note}`),
    ].join("\n");
}
