/**
 * The offline change review (`npm run review -- --compare <ref>`): what a config change does, for a reviewer.
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { projectRoot } from "../../facts/projectRoot";
import { commentFor, commentLimit, compareStack, ChangeReview, programAt, programChangesSince, reviewDocument } from "../../tools/review/compare";
import { review as reviewCommand } from "../../tools/review/cli";
import { renderDocument } from "../../tools/review/render";
import { readStackText } from "../../tools/review/stackFile";

const tenant = "7a3c5e1f-0000-4000-8000-00000000aaaa";
const base = {
    "azuread:tenantId": tenant,
    "m365-mail-oauth:displayName": "Mail OAuth (prod)",
    "m365-mail-oauth:mailboxes": [{ address: "edi@contoso.com", protocols: ["pop", "smtp"] }],
    "m365-mail-oauth:exchange": {
        organization: "contoso.onmicrosoft.com",
        auth: "certificate",
        appId: "11111111-1111-1111-1111-111111111111",
        certificatePath: "/tmp/x.pfx",
    },
};

function stackText(config: Record<string, unknown>): string {
    return stringify({ config });
}

async function review(before: Record<string, unknown>, after: Record<string, unknown>): Promise<ChangeReview> {
    const result = await compareStack("prod", "main", readStackText(stackText(after), "after"), stackText(before));
    assert.ok(result.review, result.problem);
    return result.review;
}

describe("offline change review", function () {
    this.timeout(60_000);

    it("a rename and a new mailbox: updates in place, access gained, no secret touched", async () => {
        const r = await review(base, {
            ...base,
            "m365-mail-oauth:displayName": "Mail OAuth (production)",
            "m365-mail-oauth:mailboxes": [...base["m365-mail-oauth:mailboxes"], { address: "invoices@contoso.com", protocols: ["imap"] }],
        });
        assert.deepStrictEqual(r.secrets, { created: [], retired: [], legacyRetired: [] });
        assert.deepStrictEqual(r.resources.replaced, []);
        assert.deepStrictEqual(r.resources.deleted, []);
        assert.ok(r.resources.updated.some((u) => u.name === "mail-app" && u.changed.includes("displayName")));
        assert.deepStrictEqual(
            r.mailboxes.map((m) => [m.mailbox, m.gained.length > 0, m.lost]),
            [["invoices@contoso.com", true, []]],
        );
        assert.ok(
            r.resources.created.some((c) => c.name === "mail-app-IMAP.AccessAsApp"),
            "the new consent is created",
        );
    });

    it("one rotation creates a secret; the next retires the oldest, naming why it is replaced", async () => {
        const first = await review(base, { ...base, "m365-mail-oauth:secretRotation": 1 });
        assert.deepStrictEqual(first.secrets, { created: [1], retired: [], legacyRetired: [] });
        const second = await review({ ...base, "m365-mail-oauth:secretRotation": 1 }, { ...base, "m365-mail-oauth:secretRotation": 2 });
        assert.deepStrictEqual(second.secrets, { created: [2], retired: [0], legacyRetired: [] });
        const replaced = second.resources.replaced.find((r) => r.name === "mail-app-secret-a");
        assert.ok(replaced?.because.includes("rotateWhenChanged"), JSON.stringify(second.resources.replaced));
        const text = renderDocument(reviewDocument(second), "text");
        assert.match(text, /RETIRED: the client secret of rotation 0/);
    });

    it("legacySecretsRetired: the hand-made secret retired, once; taking it out of the list again retires and restores nothing", async () => {
        const keyId = "0b0d4a3e-6f0a-4c55-9d1e-2b7f3c8a9e01";
        const retiring = { ...base, "m365-mail-oauth:legacySecretsRetired": [keyId] };
        const r = await review(base, retiring);
        assert.deepStrictEqual(r.secrets, { created: [], retired: [], legacyRetired: [keyId] });
        const text = renderDocument(reviewDocument(r), "text");
        assert.match(text, new RegExp(`RETIRED: legacy secret ${keyId} retired .*a mail client still using it stops signing in`));
        assert.match(text, /Legacy \(hand-made\) secrets retired: 1/);
        assert.deepStrictEqual((await review(retiring, retiring)).secrets.legacyRetired, [], "already retired: nothing again");
        assert.deepStrictEqual((await review(retiring, base)).secrets.legacyRetired, []);
    });

    it("a protocol removed: the access lost is listed per mailbox", async () => {
        const r = await review(base, { ...base, "m365-mail-oauth:mailboxes": [{ address: "edi@contoso.com", protocols: ["pop"] }] });
        assert.deepStrictEqual(
            r.mailboxes.map((m) => m.mailbox),
            ["edi@contoso.com"],
        );
        assert.ok(r.mailboxes[0].lost.some((op) => op.cmdlet === "Add-RecipientPermission" && op.right === "SendAs"));
        assert.deepStrictEqual(r.mailboxes[0].gained, []);
    });

    it("a comment longer than GitHub allows becomes the summary; the full review stays whole", async () => {
        const many = Array.from({ length: 600 }, (_, i) => ({ address: `box-${i}@contoso.com`, protocols: ["imap", "pop", "smtp"] }));
        const r = await review(base, { ...base, "m365-mail-oauth:mailboxes": many });
        const markdown = renderDocument(reviewDocument(r), "markdown");
        assert.ok(markdown.length > commentLimit, `${markdown.length} characters`);
        const comment = commentFor(r, markdown, "see the job summary");
        assert.ok(comment.length <= commentLimit);
        assert.match(comment, /more than a comment holds: see the job summary/);
        assert.match(comment, /Mailboxes whose access changes \| 601/, "600 gained, and edi@ lost");
        const small = commentFor(r, "short", "x");
        assert.strictEqual(small, "short");
    });

    it("a rotation jump: the project's message first, without the engine's prefix", async () => {
        const result = await compareStack("prod", "main", readStackText(stackText({ ...base, "m365-mail-oauth:secretRotation": 2 }), "after"), stackText(base));
        assert.strictEqual(result.review, undefined);
        assert.match(result.problem ?? "", /^m365-mail-oauth:secretRotation: 2 skips 1 rotation\(s\) after 0; rotate one step at a time/);
        assert.doesNotMatch(result.problem ?? "", /failed to register|SecretRotationGuard/);
    });

    it("the shortened comment is rendered by the same Markdown renderer as the full review (same cell escaping)", async () => {
        const many = Array.from({ length: 600 }, (_, i) => ({ address: `box-${i}@contoso.com`, protocols: ["imap", "pop", "smtp"] }));
        const r = await review(base, { ...base, "m365-mail-oauth:mailboxes": many });
        const document = reviewDocument(r);
        const summary = { title: document.title, sections: document.sections.filter((s) => s.title === "Summary" || s.title === "Client secrets") };
        const [title, ...rest] = renderDocument(summary, "markdown").split("\n");
        const comment = commentFor(r, renderDocument(document, "markdown"), "see the job summary");
        assert.strictEqual(
            comment,
            [
                title,
                "",
                `The full review is ${renderDocument(document, "markdown").length} characters, more than a comment holds: see the job summary.`,
                ...rest,
            ].join("\n"),
        );
    });

    it("evaluates the deployed config with the program at the ref: a code change renaming the secrets shows as the replace of both", async () => {
        const program = programAt("HEAD", projectRoot());
        try {
            const file = path.join(program.dir, "components", "entraApplication", "entraMailApplication.ts");
            const source = fs.readFileSync(file, "utf8");
            assert.ok(source.includes("client secret, rotation ${rotation} (pulumi)"), "the base program names its secrets so");
            fs.writeFileSync(file, source.replace("client secret, rotation ${rotation} (pulumi)", "secret ${rotation}"));
            const config = { ...base, "m365-mail-oauth:secretRotation": 1 };
            const changed = ["components/entraApplication/entraMailApplication.ts"];
            const withBase = await compareStack("prod", "main", readStackText(stackText(config), "after"), stackText(config), changed, program.dir);
            assert.deepStrictEqual(
                withBase.review?.resources.replaced.map((r) => [r.name, r.because[0]]).sort(),
                [
                    ["mail-app-secret-a", "displayName"],
                    ["mail-app-secret-b", "displayName"],
                ],
                withBase.problem,
            );
            const sameCode = await compareStack("prod", "main", readStackText(stackText(config), "after"), stackText(config), changed);
            assert.deepStrictEqual(sameCode.review?.resources.replaced, [], "evaluated with one program, the change is invisible");
        } finally {
            program.remove();
        }
    });

    it("names program changes since the ref, so code-only changes are never 'nothing changes'", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "m365-review-"));
        try {
            const git = (...args: string[]) => execFileSync("git", args, { cwd: dir, stdio: "pipe" });
            git("init", "-q");
            fs.mkdirSync(path.join(dir, "scripts"), { recursive: true });
            fs.writeFileSync(path.join(dir, "scripts", "Sync.ps1"), "# v1\n");
            fs.writeFileSync(path.join(dir, "notes.txt"), "not the program\n");
            git("add", ".");
            git("-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "v1");
            fs.writeFileSync(path.join(dir, "scripts", "Sync.ps1"), "# v2\n");
            fs.writeFileSync(path.join(dir, "notes.txt"), "changed, but not the program\n");
            assert.deepStrictEqual(programChangesSince("HEAD", dir), ["scripts/Sync.ps1"]);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
        const result = await compareStack("prod", "main", readStackText(stackText(base), "after"), stackText(base), [
            "scripts/ExchangeMailAccess/Private/Sync-OneMailbox.ps1",
        ]);
        const text = renderDocument(reviewDocument(result.review!), "text");
        assert.doesNotMatch(text, /^Nothing changes\.$/m);
        assert.match(text, /Nothing changes from the config; the program's code changed/);
        assert.match(text, /The Exchange scripts changed: their digest is an input of the Exchange command/);
        assert.match(text, /scripts\/ExchangeMailAccess\/Private\/Sync-OneMailbox\.ps1/);
    });

    it("runs against the repository's own history, writing the review and the comment", async () => {
        const out = path.join(projectRoot(), "bin", "review.md");
        const comment = path.join(projectRoot(), "bin", "comment.md");
        const result = await reviewCommand(["--stack", "prod", "--compare", "HEAD", "--format", "markdown", "--out", out, "--comment-out", comment]);
        assert.strictEqual(result.exitCode, 0, result.output);
        assert.match(fs.readFileSync(out, "utf8"), /^## Change review for stack "prod" against HEAD/);
        assert.match(fs.readFileSync(comment, "utf8"), /Client secrets created \| 0/);
        assert.match((await reviewCommand(["--stack", "prod", "--comment-out", "x"])).output, /--comment-out goes with --compare/);
        assert.match((await reviewCommand(["--stack", "prod", "--compare", "no-such-ref"])).output, /git show no-such-ref:Pulumi\.prod\.yaml failed/);
    });
});
