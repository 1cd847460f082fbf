/**
 * Credential lifecycle under the mock engine: rotation sequences, expiry warnings, Key Vault delivery,
 * certificate credentials and protection.
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadPublicCertificate } from "../config/certificateCredential";
import { rfc3339Seconds } from "../plan/rfc3339";
import { epochSeconds, keyVaultContentType } from "../resources/keyVaultSecretDelivery";
import { decideSecretSlots, expiryNotice } from "../plan/secretRotation";
import { validateStackConfig } from "../config/validate";
import { ProgramRun, mockExpiresAt, ofType, runProgram, stackConfig, tenant, types, withClock } from "./harness";

/** Pulumi's wire form of a secret value: an object tagged with this signature. */
const secretSignature = "4dabf18193072939515e22adb298388d";
function unwrapSecret(value: any): any {
    return value && typeof value === "object" && secretSignature in value ? value.value : value;
}

const base = { displayName: "EDI", userSignIn: { redirectUris: ["https://edi.contoso.com/cb"] } };

/**
 * Replays a sequence of `pulumi up`s the way the engine applies them: a password whose slot keeps its rotation
 * label is kept, one whose label changes is replaced (the new one made, then the old one deleted), one no longer
 * declared is deleted. Each step reads the previous step's outputs, as the stack does through its own reference.
 */
class Deployment {
    /** Valid secrets by slot resource name: the rotation label each was made for. */
    secrets = new Map<string, string>();
    outputs: Record<string, unknown> = {};
    log: { created: string[]; deleted: string[]; valid: string[]; current: unknown; previous: unknown }[] = [];

    async up(values: Record<string, unknown>): Promise<ProgramRun> {
        const run = await runProgram(stackConfig(values), { previousOutputs: this.outputs });
        assert.ifError(run.error);
        const declared = new Map(ofType(run, types.password).map((p) => [p.name, p.inputs.rotateWhenChanged.rotation as string]));
        const created: string[] = [];
        const deleted: string[] = [];
        for (const [name, label] of declared) {
            const existing = this.secrets.get(name);
            if (existing !== label) {
                created.push(label);
                if (existing !== undefined) {
                    deleted.push(existing);
                }
            }
        }
        for (const [name, label] of this.secrets) {
            if (!declared.has(name)) {
                deleted.push(label);
            }
        }
        assert.ok(!deleted.some((label) => created.includes(label)), "an update deleted the secret it created");
        this.secrets = declared;
        this.outputs = run.outputs;
        this.log.push({
            created,
            deleted,
            valid: [...declared.values()].sort(),
            current: run.outputs.secretRotation,
            previous: run.outputs.previousClientSecretKeyId,
        });
        return run;
    }
}

describe("secret rotation", function () {
    this.timeout(60_000);

    it("without rotation keeps one secret, untouched by later updates", async () => {
        const deployment = new Deployment();
        await deployment.up(base);
        await deployment.up(base);
        await deployment.up({ ...base, secretLifetimeDays: 180 });
        assert.deepStrictEqual(deployment.log.map((step) => step.valid), [["initial"], ["initial"], ["initial"]]);
        assert.deepStrictEqual(deployment.log.slice(1).map((step) => step.created), [[], []]);
        assert.strictEqual(deployment.outputs.previousClientSecretKeyId, undefined);
    });

    it("one rotation adds the new secret and keeps the previous one valid", async () => {
        const deployment = new Deployment();
        await deployment.up(base);
        const run = await deployment.up({ ...base, secretRotation: "2026-11" });
        const step = deployment.log[1];
        assert.deepStrictEqual(step.created, ["2026-11"]);
        assert.deepStrictEqual(step.deleted, []);
        assert.deepStrictEqual(step.valid, ["2026-11", "initial"]);
        assert.strictEqual(run.outputs.secretRotation, "2026-11");
        assert.ok(run.outputs.previousClientSecretKeyId, "the previous secret's key ID is an output");
        assert.notStrictEqual(run.outputs.previousClientSecretKeyId, run.outputs.clientSecretKeyId);
        assert.strictEqual(run.outputs.previousClientSecretExpiresAt, mockExpiresAt);
    });

    it("two rotations in a row: each retires the secret before the previous, never leaving the app without one", async () => {
        const deployment = new Deployment();
        await deployment.up(base);
        await deployment.up({ ...base, secretRotation: 1 });
        await deployment.up({ ...base, secretRotation: 2 });
        await deployment.up({ ...base, secretRotation: 3 });
        assert.deepStrictEqual(deployment.log.map((step) => step.valid), [["initial"], ["1", "initial"], ["1", "2"], ["2", "3"]]);
        assert.deepStrictEqual(deployment.log.map((step) => step.deleted), [[], [], ["initial"], ["1"]]);
        assert.deepStrictEqual(deployment.log.map((step) => step.current), ["initial", "1", "2", "3"]);
        for (const step of deployment.log) {
            assert.ok(step.valid.includes(step.current as string), "the current secret is always valid");
        }
    });

    it("a rotation together with a mailbox change rotates once and grants the mailbox", async () => {
        const exchange = { organization: "contoso.onmicrosoft.com" };
        const deployment = new Deployment();
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "m365-pwsh-"));
        fs.writeFileSync(path.join(dir, "pwsh"), "#!/bin/sh\n", { mode: 0o755 });
        const pwsh = path.join(dir, "pwsh");
        try {
            await deployment.up({ ...base, mailboxes: [{ address: "a@contoso.com", protocols: ["imap"] }], exchange: { ...exchange, pwsh } });
            const run = await deployment.up({
                ...base,
                secretRotation: "r2",
                mailboxes: [{ address: "a@contoso.com", protocols: ["imap"] }, { address: "b@contoso.com", protocols: ["smtp"] }],
                exchange: { ...exchange, pwsh },
            });
            assert.deepStrictEqual(deployment.log[1].created, ["r2"]);
            assert.deepStrictEqual(deployment.log[1].valid, ["initial", "r2"]);
            const env = ofType(run, types.command)[0].inputs.environment;
            assert.ok(Object.keys(env).some((key) => key.startsWith("M365_MAILBOX_B_CONTOSO_COM_")));
            assert.ok(!JSON.stringify(env).includes(run.outputs.clientSecret), "the secret never goes to Exchange");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("reads the previous update's outputs from its own stack", async () => {
        const run = await runProgram(stackConfig(base));
        assert.deepStrictEqual(run.stackReferences.map((ref) => ref.inputs.name), ["organization/m365-mail-oauth/test"]);
        assert.deepStrictEqual(run.outputs.secretSlots, { a: "initial", current: "a" });
    });

    it("decides slots as a pure function", () => {
        assert.deepStrictEqual(decideSecretSlots(undefined, "x"), { a: "x", current: "a" });
        const one = { a: "x", current: "a" as const };
        assert.strictEqual(decideSecretSlots(one, "x"), one, "same label: nothing changes");
        assert.deepStrictEqual(decideSecretSlots(one, "y"), { a: "x", b: "y", current: "b" });
        assert.deepStrictEqual(decideSecretSlots({ a: "x", b: "y", current: "b" }, "z"), { a: "z", b: "y", current: "a" });
    });

    it("labels are letters, digits and . _ : -, or whole numbers", () => {
        const check = (value: unknown) => validateStackConfig(stackConfig({ ...base, secretRotation: value }));
        assert.ok(check("2026-11").ok);
        assert.ok(check(7).ok);
        const bad = check("rotate now!");
        assert.ok(!bad.ok && bad.problems.some((p) => p.includes('secretRotation: "rotate now!"')));
    });
});

describe("secret expiry warnings", function () {
    this.timeout(60_000);
    const now = new Date("2026-11-22T12:00:00Z");

    it("warns within secretWarnDays, naming the date and the command", () => {
        const notice = expiryNotice("2026-12-10T00:00:00Z", now, 30, false, "prod");
        assert.strictEqual(notice?.level, "warning");
        assert.match(notice.message, /expires on 2026-12-10T00:00:00Z \(in 18 days\)/);
        assert.match(notice.message, /pulumi config set m365-mail-oauth:secretRotation <new label> --stack prod && pulumi up --stack prod/);
    });

    it("is quiet outside the window and during the rotation that replaces the secret", () => {
        assert.strictEqual(expiryNotice("2027-03-01T00:00:00Z", now, 30, false, "prod"), undefined);
        assert.strictEqual(expiryNotice("2026-11-01T00:00:00Z", now, 30, true, "prod"), undefined);
        assert.strictEqual(expiryNotice(undefined, now, 30, false, "prod"), undefined);
    });

    it("is an error once the secret has expired", () => {
        const notice = expiryNotice("2026-11-01T00:00:00Z", now, 30, false, "prod");
        assert.strictEqual(notice?.level, "error");
        assert.match(notice.message, /expired on 2026-11-01T00:00:00Z/);
    });

    function runAt(clock: string, previousOutputs: Record<string, unknown>, values: Record<string, unknown>): Promise<ProgramRun> {
        const fixed = Date.parse(clock);
        return withClock(() => fixed, () => runProgram(stackConfig(values), { previousOutputs }));
    }

    it("stops the program on an expired secret, and lets the rotating update through", async () => {
        const previous = { secretSlots: { a: "initial", current: "a" }, clientSecretExpiresAt: "2026-11-01T00:00:00Z" };
        const stuck = await runAt("2026-11-22T12:00:00Z", previous, base);
        assert.match(stuck.error?.message ?? "", /client secret expired on 2026-11-01T00:00:00Z/);
        assert.strictEqual(stuck.resources.length, 0, "nothing declared");
        const rotating = await runAt("2026-11-22T12:00:00Z", previous, { ...base, secretRotation: "2" });
        assert.ifError(rotating.error);
        assert.strictEqual(rotating.outputs.secretRotation, "2");
    });
});

describe("Key Vault delivery", function () {
    this.timeout(60_000);
    const keyVault = { resourceGroupName: "rg-mail", vaultName: "kv-mail-prod", secretName: "edi-client-secret" };

    it("writes the current secret with content type, expiry and tags", async () => {
        const run = await runProgram(stackConfig({ ...base, keyVault }));
        assert.ifError(run.error);
        const [secret] = ofType(run, types.keyVaultSecret);
        assert.ok(secret, "a Key Vault secret is declared");
        assert.strictEqual(secret.inputs.vaultName, "kv-mail-prod");
        assert.strictEqual(secret.inputs.secretName, "edi-client-secret");
        assert.strictEqual(secret.inputs.resourceGroupName, "rg-mail");
        // The value is secret, so the engine receives the whole properties object in Pulumi's secret envelope.
        const properties = unwrapSecret(secret.inputs.properties);
        assert.notStrictEqual(properties, secret.inputs.properties, "properties travel as a secret");
        assert.strictEqual(properties.contentType, keyVaultContentType);
        assert.deepStrictEqual(properties.attributes, { enabled: true, expires: epochSeconds(mockExpiresAt) });
        assert.strictEqual(properties.value, run.outputs.clientSecret);
        assert.deepStrictEqual(secret.inputs.tags, { tenantId: tenant.tenantId, clientId: run.outputs.clientId, managedBy: "m365-mail-oauth" });
    });

    it("follows a rotation: the vault gets the new current secret's date", async () => {
        const run = await runProgram(stackConfig({ ...base, keyVault, secretRotation: "2" }), { previousOutputs: { secretSlots: { a: "initial", current: "a" } } });
        assert.ifError(run.error);
        assert.strictEqual(run.outputs.secretRotation, "2");
        assert.strictEqual(ofType(run, types.keyVaultSecret).length, 1);
    });

    it("is not declared without keyVault", async () => {
        const run = await runProgram(stackConfig(base));
        assert.strictEqual(ofType(run, types.keyVaultSecret).length, 0);
        assert.strictEqual(run.outputs.keyVaultSecretUri, undefined);
    });

    it("rejects bad keyVault values with the key and the value", () => {
        const result = validateStackConfig(stackConfig({ ...base, keyVault: { resourceGroupName: "rg.", vaultName: "1vault", secretName: "has_underscore", vault: "x" } }));
        assert.ok(!result.ok);
        const text = result.problems.join("\n");
        assert.match(text, /keyVault\.resourceGroupName: "rg\."/);
        assert.match(text, /keyVault\.vaultName: "1vault"/);
        assert.match(text, /keyVault\.secretName: "has_underscore"/);
        assert.match(text, /keyVault\.vault: unknown setting/);
    });
});

describe("certificate credentials", function () {
    this.timeout(60_000);
    let dir: string;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "m365-cert-"));
        execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", path.join(dir, "key.pem"), "-out", path.join(dir, "cert.pem"),
            "-subj", "/CN=m365-mail-oauth test", "-days", "730"], { stdio: "ignore" });
        execFileSync("openssl", ["x509", "-in", path.join(dir, "cert.pem"), "-outform", "DER", "-out", path.join(dir, "cert.cer")], { stdio: "ignore" });
        fs.writeFileSync(path.join(dir, "both.pem"), fs.readFileSync(path.join(dir, "key.pem"), "utf8") + fs.readFileSync(path.join(dir, "cert.pem"), "utf8"));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    /** The validity dates as openssl itself prints them, in RFC 3339. */
    function opensslDate(which: "startdate" | "enddate"): string {
        const line = execFileSync("openssl", ["x509", "-in", path.join(dir, "cert.pem"), "-noout", `-${which}`], { encoding: "utf8" });
        return rfc3339Seconds(new Date(line.split("=")[1].trim()));
    }

    it("reads PEM and DER with the certificate's own validity", () => {
        const pem = loadPublicCertificate(path.join(dir, "cert.pem"));
        assert.strictEqual(pem.encoding, "pem");
        assert.match(pem.value, /^-----BEGIN CERTIFICATE-----/);
        assert.strictEqual(pem.startDate, opensslDate("startdate"));
        assert.strictEqual(pem.endDate, opensslDate("enddate"));
        const der = loadPublicCertificate(path.join(dir, "cert.cer"));
        assert.strictEqual(der.encoding, "base64");
        assert.strictEqual(der.thumbprint, pem.thumbprint);
    });

    it("refuses a file with a private key, and a file that is no certificate", () => {
        assert.throws(() => loadPublicCertificate(path.join(dir, "both.pem")), /certificate\.publicCertPath: .* contains a private key/);
        assert.throws(() => loadPublicCertificate(path.join(dir, "key.pem")), /private key/);
        fs.writeFileSync(path.join(dir, "junk.cer"), "not a certificate");
        assert.throws(() => loadPublicCertificate(path.join(dir, "junk.cer")), /is not a PEM or DER X\.509 certificate/);
        assert.throws(() => loadPublicCertificate(path.join(dir, "missing.cer")), /cannot be read \(ENOENT\)/);
    });

    it("credential both: a certificate credential beside the secret, the private key never in the stack", async () => {
        const run = await runProgram(stackConfig({ ...base, credential: "both", certificate: { publicCertPath: path.join(dir, "cert.pem") } }));
        assert.ifError(run.error);
        const [certificate] = ofType(run, types.certificate);
        assert.strictEqual(certificate.inputs.type, "AsymmetricX509Cert");
        assert.strictEqual(certificate.inputs.encoding, "pem");
        assert.strictEqual(certificate.inputs.endDate, opensslDate("enddate"));
        assert.strictEqual(ofType(run, types.password).length, 1);
        const everything = JSON.stringify(run.resources.map((r) => r.inputs)) + JSON.stringify(run.outputs);
        assert.ok(!everything.includes("PRIVATE KEY"));
        assert.strictEqual(run.outputs.certificateExpiresAt, opensslDate("enddate"));
    });

    it("credential certificate: no client secret at all", async () => {
        const run = await runProgram(stackConfig({ ...base, credential: "certificate", certificate: { publicCertPath: path.join(dir, "cert.cer") } }));
        assert.ifError(run.error);
        assert.strictEqual(ofType(run, types.password).length, 0);
        assert.strictEqual(ofType(run, types.certificate)[0].inputs.encoding, "base64");
        assert.strictEqual(run.outputs.clientSecret, undefined);
    });

    it("stops before declaring anything when the certificate file is bad", async () => {
        const run = await runProgram(stackConfig({ ...base, credential: "both", certificate: { publicCertPath: path.join(dir, "both.pem") } }));
        assert.match(run.error?.message ?? "", /certificate\.publicCertPath/);
        assert.strictEqual(run.resources.length, 0);
    });

    it("config: certificate credential needs the certificate, and a key vault needs a secret", () => {
        const result = validateStackConfig(stackConfig({ ...base, credential: "certificate", keyVault: { resourceGroupName: "rg", vaultName: "kv-mail", secretName: "s" } }));
        assert.ok(!result.ok);
        assert.match(result.problems.join("\n"), /certificate\.publicCertPath: missing/);
        assert.match(result.problems.join("\n"), /keyVault: set, but credential is "certificate"/);
    });
});

describe("protection", function () {
    this.timeout(60_000);

    it("protects the app registration and service principal when protect is true", async () => {
        const run = await runProgram(stackConfig({ ...base, protect: true }));
        assert.ifError(run.error);
        assert.strictEqual(ofType(run, types.application)[0].options?.protect, true);
        assert.strictEqual(ofType(run, types.servicePrincipal)[0].options?.protect, true);
    });

    it("does not protect by default", async () => {
        const run = await runProgram(stackConfig(base));
        assert.notStrictEqual(ofType(run, types.application)[0].options?.protect, true);
    });

    it("Pulumi.prod.yaml protects, Pulumi.dev.yaml does not", () => {
        const root = path.join(__dirname, "..", "..");
        assert.match(fs.readFileSync(path.join(root, "Pulumi.prod.yaml"), "utf8"), /^\s+m365-mail-oauth:protect: true$/m);
        assert.doesNotMatch(fs.readFileSync(path.join(root, "Pulumi.dev.yaml"), "utf8"), /protect: true/);
    });
});
