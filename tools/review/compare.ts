/**
 * The offline change review: what a change to a stack's config does when it is deployed, for a reviewer, without
 * cloud credentials (so also for pull requests from forks). The program is evaluated for the config at a git ref
 * (standing for what is deployed) and for the working tree, replayed as the engine applies it (tools/engineReplay.ts,
 * with the providers' replace-forcing inputs): resources created, updated, replaced and deleted; client secrets
 * created and retired; per mailbox the Exchange access gained and lost.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { exchangeScripts } from "../../components/exchangeMailboxAccess/scriptFiles";
import { StackSettings } from "../../config/settings";
import { formatProblems, validateStackConfig } from "../../config/validate";
import { programPaths, resourceTypes } from "../../facts/project";
import { planAccess } from "../../plan/accessPlan";
import { EngineReplay, Step } from "../engineReplay";
import { Section } from "./document";
import { describeOperation, legacySecretRetiredLine, MailboxOperation, mailboxOperations } from "./model";
import { renderDocument } from "./render";
import { readStackText } from "./stackFile";

export interface ChangeReview {
    readonly stack: string;
    readonly base: string;
    readonly resources: {
        readonly created: { type: string; name: string }[];
        readonly updated: { type: string; name: string; changed: readonly string[] }[];
        readonly replaced: { type: string; name: string; because: readonly string[] }[];
        readonly deleted: { type: string; name: string }[];
    };
    /** The stack's secrets by rotation; `legacyRetired`: key IDs of hand-made secrets removed (legacySecretsRetired). */
    readonly secrets: { readonly created: number[]; readonly retired: number[]; readonly legacyRetired: string[] };
    readonly mailboxes: { mailbox: string; gained: MailboxOperation[]; lost: MailboxOperation[] }[];
    readonly organizationSmtpAuth?: { before: boolean; after: boolean };
    readonly smtpAuthorization?: { before: string; after: string };
    /**
     * Program files that differ from the ref. The config at the ref is evaluated with the program at the ref, so a
     * code change that changes a replace-forcing input shows as the replace it causes; the files are named too (the
     * Exchange scripts' digest is an input of the Exchange command).
     */
    readonly programChanges?: readonly string[];
}

/** The program files that differ between a git ref and the working tree. */
export function programChangesSince(ref: string, cwd: string): string[] {
    const output = execFileSync("git", ["diff", "--name-only", ref, "--", ...programPaths], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    return output.split("\n").filter((line) => line.length > 0);
}

/**
 * The program as it is at a git ref, in a temporary folder (its files from `git archive`, this checkout's
 * node_modules beside them), for evaluating the deployed config with the code that deployed it. Call `remove`.
 */
export function programAt(ref: string, cwd: string): { dir: string; remove: () => void } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "m365-review-base-"));
    const archive = execFileSync("git", ["archive", "--format=tar", ref, "--", ...programPaths], {
        cwd,
        maxBuffer: 256 * 1024 * 1024,
        stdio: ["ignore", "pipe", "pipe"],
    });
    execFileSync("tar", ["-x", "-C", dir], { input: archive });
    fs.symlinkSync(path.join(cwd, "node_modules"), path.join(dir, "node_modules"), "dir");
    return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** A stack file as it is at a git ref; undefined when the stack did not exist there. */
export function stackFileAt(ref: string, stack: string, cwd: string): string | undefined {
    try {
        return execFileSync("git", ["show", `${ref}:Pulumi.${stack}.yaml`], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    } catch (error) {
        const message = String((error as { stderr?: string }).stderr ?? (error as Error).message);
        if (/does not exist|exists on disk, but not in/.test(message)) {
            return undefined;
        }
        throw new Error(`git show ${ref}:Pulumi.${stack}.yaml failed: ${message.trim()}`, { cause: error });
    }
}

function rotationOf(inputs: Record<string, unknown> | undefined): number {
    return Number((inputs?.rotateWhenChanged as { rotation?: string } | undefined)?.rotation);
}

/** The operations of one list that the other lacks (operations are equal when their cmdlet, right and reason are). */
function absentFrom(list: readonly MailboxOperation[]): (operation: MailboxOperation) => boolean {
    return (operation) => !list.some((other) => describeOperation(other) === describeOperation(operation));
}

function mailboxChanges(before: StackSettings | undefined, after: StackSettings): ChangeReview["mailboxes"] {
    const operations = (settings: StackSettings | undefined) =>
        new Map(
            (settings ? planAccess(settings).mailboxes : []).map((mailbox) => [
                mailbox.address.toLowerCase(),
                { address: mailbox.address, operations: mailboxOperations(mailbox) },
            ]),
        );
    const old = operations(before);
    const now = operations(after);
    const changes: ChangeReview["mailboxes"] = [];
    for (const key of [...new Set([...old.keys(), ...now.keys()])].sort()) {
        const was = old.get(key)?.operations ?? [];
        const will = now.get(key)?.operations ?? [];
        const gained = will.filter(absentFrom(was));
        const lost = was.filter(absentFrom(will));
        if (gained.length > 0 || lost.length > 0) {
            changes.push({ mailbox: (now.get(key) ?? old.get(key))!.address, gained, lost });
        }
    }
    return changes;
}

export function reviewFrom(stack: string, base: string, steps: readonly Step[], before: StackSettings | undefined, after: StackSettings): ChangeReview {
    const of = (kind: Step["kind"]) => steps.filter((step) => step.kind === kind);
    const passwords = steps.filter((step) => step.type === resourceTypes.password);
    const orgBefore = before ? planAccess(before).organizationSmtpAuth : false;
    const orgAfter = planAccess(after).organizationSmtpAuth;
    const modeBefore = before ? planAccess(before).smtpAuthorization : undefined;
    const modeAfter = planAccess(after).smtpAuthorization;
    return {
        stack,
        base,
        resources: {
            created: of("create").map(({ type, name }) => ({ type, name })),
            updated: of("update").map(({ type, name, changed }) => ({ type, name, changed })),
            replaced: of("replace").map(({ type, name, replacing }) => ({ type, name, because: replacing })),
            deleted: of("delete").map(({ type, name }) => ({ type, name })),
        },
        secrets: {
            created: passwords.filter((step) => step.kind === "create" || step.kind === "replace").map((step) => rotationOf(step.after)),
            retired: passwords.filter((step) => step.kind === "delete" || step.kind === "replace").map((step) => rotationOf(step.before)),
            // A retirement runs when it is created; its delete restores nothing (legacySecretRetirement.ts).
            legacyRetired: steps
                .filter((step) => step.type === resourceTypes.legacySecretRetirement && (step.kind === "create" || step.kind === "replace"))
                .map((step) => String(step.after?.keyId)),
        },
        mailboxes: mailboxChanges(before, after),
        ...(orgBefore !== orgAfter ? { organizationSmtpAuth: { before: orgBefore, after: orgAfter } } : {}),
        ...(modeBefore !== undefined && modeBefore !== modeAfter ? { smtpAuthorization: { before: modeBefore, after: modeAfter } } : {}),
    };
}

export async function compareStack(
    stack: string,
    base: string,
    currentRaw: Record<string, string>,
    baseText: string | undefined,
    programChanges: readonly string[] = [],
    /** The program at the ref (programAt): the config there is evaluated with it; default this program. */
    baseProgramDir?: string,
): Promise<{ review?: ChangeReview; problem?: string }> {
    const current = validateStackConfig(currentRaw, process.env);
    if (!current.ok) return { problem: formatProblems(current.problems) };
    const replay = new EngineReplay({ tenantId: currentRaw["azuread:tenantId"], stack, offlineReview: true });
    let before: StackSettings | undefined;
    if (baseText !== undefined) {
        const baseRaw = readStackText(baseText, `Pulumi.${stack}.yaml at ${base}`);
        const validation = validateStackConfig(baseRaw, process.env);
        if (!validation.ok)
            return { problem: `The config at ${base} is invalid, so there is nothing deployed to compare with:\n${formatProblems(validation.problems)}` };
        before = validation.settings;
        const deployed = await replay.up(baseRaw, true, true, baseProgramDir ? { programDir: baseProgramDir } : {});
        if (deployed.run.error) return { problem: `The program fails for the config at ${base}: ${deployed.run.error.message}` };
    }
    const { run, steps } = await replay.up(currentRaw, true);
    // The guard's own check refused the step, as it will in pulumi preview and pulumi up: its words, without the
    // engine's prefix around them.
    if (replay.rotationRefusal !== undefined) {
        return { problem: `${replay.rotationRefusal}.\n(The rotation guard refuses this in pulumi preview and pulumi up before any secret changes.)` };
    }
    if (run.error) return { problem: run.error.message };
    const review = reviewFrom(stack, base, steps, before, current.settings);
    return { review: programChanges.length > 0 ? { ...review, programChanges } : review };
}

export function reviewDocument(review: ChangeReview): { title: string; sections: Section[] } {
    const { resources, secrets } = review;
    const count = (list: readonly unknown[]) => String(list.length);
    const sections: Section[] = [
        {
            title: "Summary",
            paragraphs: [],
            table: {
                headers: ["Change", "Count"],
                rows: [
                    ["Resources created", count(resources.created)],
                    ["Resources updated in place", count(resources.updated)],
                    ["Resources replaced", count(resources.replaced)],
                    ["Resources deleted", count(resources.deleted)],
                    ["Client secrets created", count(secrets.created)],
                    ["Client secrets retired", count(secrets.retired)],
                    ["Legacy (hand-made) secrets retired", count(secrets.legacyRetired)],
                    ["Mailboxes whose access changes", count(review.mailboxes)],
                ],
            },
        },
    ];
    const secretLines = [
        ...secrets.created.map((rotation) => `Created: the client secret of rotation ${rotation}`),
        ...secrets.retired.map((rotation) => `RETIRED: the client secret of rotation ${rotation}; every mail client still using it stops working`),
        ...secrets.legacyRetired.map((keyId) => `RETIRED: ${legacySecretRetiredLine(keyId)}`),
    ];
    sections.push({ title: "Client secrets", paragraphs: secretLines.length > 0 ? secretLines : ["No client secret is created or retired."] });
    const rows = [
        ...resources.replaced.map((r) => ["replace", r.type, r.name, `forced by ${r.because.join(", ")}`]),
        ...resources.deleted.map((r) => ["delete", r.type, r.name, ""]),
        ...resources.created.map((r) => ["create", r.type, r.name, ""]),
        ...resources.updated.map((r) => ["update", r.type, r.name, r.changed.join(", ")]),
    ];
    sections.push({
        title: "Resources",
        paragraphs:
            rows.length > 0 ? [] : [review.programChanges ? "Nothing changes from the config; the program's code changed (below)." : "Nothing changes."],
        ...(rows.length > 0 ? { table: { headers: ["Step", "Type", "Name", "Why"], rows } } : {}),
    });
    if (review.programChanges) {
        const scripts = review.programChanges.filter((file) => file.startsWith(`${path.posix.dirname(exchangeScripts.sync)}/`));
        sections.push({
            title: `Program code changed since ${review.base}`,
            paragraphs: [
                "This review evaluates both configs with the working tree's code; a real `pulumi preview --diff` also applies these changes:",
                ...(scripts.length > 0
                    ? ["The Exchange scripts changed: their digest is an input of the Exchange command, so `pulumi up` runs the Exchange step once."]
                    : []),
                review.programChanges.join(", "),
            ],
        });
    }
    sections.push({
        title: "Exchange Online access",
        paragraphs: [
            ...(review.smtpAuthorization ? [`SMTP authorization: ${review.smtpAuthorization.before} -> ${review.smtpAuthorization.after}`] : []),
            ...(review.organizationSmtpAuth
                ? [`Organization-wide SMTP AUTH: ${review.organizationSmtpAuth.before ? "on" : "off"} -> ${review.organizationSmtpAuth.after ? "on" : "off"}`]
                : []),
            ...(review.mailboxes.length === 0 ? ["No mailbox's access changes."] : []),
        ],
        ...(review.mailboxes.length > 0
            ? {
                  table: {
                      headers: ["Mailbox", "Gained", "Lost"],
                      rows: review.mailboxes.map((m) => [
                          m.mailbox,
                          m.gained.map(describeOperation).join("; ") || "-",
                          m.lost.map(describeOperation).join("; ") || "-",
                      ]),
                  },
              }
            : {}),
    });
    return { title: `Change review for stack "${review.stack}" against ${review.base}`, sections };
}

/** A pull-request comment holds at most 65,536 characters. */
export const commentLimit = 65_536;

/** The Markdown for a pull-request comment: the full review, or its summary when the review is longer than a comment. */
export function commentFor(review: ChangeReview, markdown: string, fullReportWhere: string): string {
    if (markdown.length <= commentLimit) {
        return markdown;
    }
    const document = reviewDocument(review);
    const summary = document.sections.filter((section) => section.title === "Summary" || section.title === "Client secrets");
    // Rendered as the full review is (its table cells escaped the same way), with a note after the title.
    const [title, ...rest] = renderDocument({ title: document.title, sections: summary }, "markdown").split("\n");
    return [title, "", `The full review is ${markdown.length} characters, more than a comment holds: ${fullReportWhere}.`, ...rest].join("\n");
}
