/**
 * The project's own program under the real Pulumi CLI, where it needs no provider: the config is read and refused
 * before any resource is declared, and what the CLI itself writes into a stack file reads as valid.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import Ajv2020 from "ajv/dist/2020";
import { parse } from "yaml";
import { EngineProject, requireEngine } from "./engine";
import { stackFileJsonSchema } from "../../config/jsonSchema";

describe("the program under the real engine, before any resource", function () {
    this.timeout(600_000);
    let project: EngineProject;
    let engineDir: string;

    before(function () {
        engineDir = requireEngine(this);
        project = new EngineProject(engineDir);
    });

    after(() => project?.dispose());

    it("a preview of the example dev stack refuses the placeholder tenant with the project's message, declaring nothing", () => {
        project.ok(["stack", "init", "dev"]);
        const preview = project.previewJson("dev");
        assert.notStrictEqual(preview.code, 0);
        assert.match(preview.output, /azuread:tenantId: "00000000-0000-0000-0000-000000000000" is the example's placeholder/);
        assert.doesNotMatch(preview.output, /AADSTS|sign-?in|resource plugin/i, "refused before any provider is asked");
        assert.deepStrictEqual(
            preview.steps.filter((step) => step.type !== "pulumi:pulumi:Stack"),
            [],
        );
    });

    it("after `npm run build` runs the compiled program (program.js), which refuses the same way; the sources otherwise", () => {
        const which = (root: string) => spawnSync(process.execPath, ["program.js", "--which"], { cwd: root, encoding: "utf8" }).stdout.trim();
        assert.strictEqual(which(project.root), "index.ts", "no build copied: the TypeScript sources run");
        const compiled = new EngineProject(engineDir, undefined, true);
        try {
            assert.strictEqual(which(compiled.root), "bin/index.js");
            compiled.ok(["stack", "init", "dev"]);
            const preview = compiled.previewJson("dev");
            assert.notStrictEqual(preview.code, 0);
            assert.match(preview.output, /azuread:tenantId: "00000000-0000-0000-0000-000000000000" is the example's placeholder/);
        } finally {
            compiled.dispose();
        }
    });

    it("every config problem at once, naming each key and value", () => {
        project.initStack("bad", {
            "azuread:tenantId": "7a3c5e1f-0000-4000-8000-00000000aaaa",
            "m365-mail-oauth:displayName": "EDI",
            "m365-mail-oauth:mailboxes": [{ address: "not-an-address", protocols: ["imap"] }],
            "m365-mail-oauth:secretLifetimeDays": 0,
        });
        const preview = project.pulumi(["preview", "--stack", "bad"]);
        assert.notStrictEqual(preview.code, 0);
        assert.match(preview.output, /3 problems; nothing was changed/);
        assert.match(preview.output, /exchange\.organization: missing/);
        assert.match(preview.output, /mailboxes\[0\]\.address: "not-an-address"/);
        assert.match(preview.output, /secretLifetimeDays: 0 must be a whole number/);
    });

    it("values `pulumi config set` writes (strings for numbers and booleans) are valid for the stack files' JSON Schema", () => {
        project.ok(["stack", "init", "cli"]);
        project.ok(["config", "set", "--stack", "cli", "azuread:tenantId", "7a3c5e1f-0000-4000-8000-00000000aaaa"]);
        project.ok(["config", "set", "--stack", "cli", "m365-mail-oauth:displayName", "EDI"]);
        project.ok(["config", "set", "--stack", "cli", "m365-mail-oauth:secretRotation", "1"]);
        project.ok(["config", "set", "--stack", "cli", "m365-mail-oauth:protect", "true"]);
        project.ok(["config", "set", "--stack", "cli", "--path", "m365-mail-oauth:mailboxes[0].address", "edi@contoso.com"]);
        project.ok(["config", "set", "--stack", "cli", "--path", "m365-mail-oauth:mailboxes[0].protocols[0]", "imap"]);
        const file = parse(fs.readFileSync(path.join(project.dir, "Pulumi.cli.yaml"), "utf8"));
        assert.strictEqual(file.config["m365-mail-oauth:secretRotation"], "1", "the CLI stores a string");
        const validate = new Ajv2020({ strict: false }).compile(stackFileJsonSchema());
        assert.ok(validate(file), JSON.stringify(validate.errors));
    });
});
