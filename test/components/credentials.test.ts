/**
 * Credentials under the mock engine: Key Vault delivery, certificate credentials and protection. Rotation and
 * expiry are in test/components/entraApplication/lifecycle.test.ts.
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadPublicCertificate } from "../../config/certificateCredential";
import { projectRoot } from "../../facts/projectRoot";
import { makeCertificate } from "../fixtures/certificates";
import { rfc3339Seconds } from "../../config/rfc3339";
import { epochSeconds, keyVaultContentType } from "../../components/keyVaultDelivery/keyVaultSecretDelivery";
import { validateStackConfig } from "../../config/validate";
import { mockExpiresAt, ofType, runProgram, stackConfig, tenant, types } from "../harness";

/** Pulumi's wire form of a secret value: an object tagged with this signature. */
const secretSignature = "4dabf18193072939515e22adb298388d";
function unwrapSecret(value: any): any {
    return value && typeof value === "object" && secretSignature in value ? value.value : value;
}

const base = { displayName: "EDI", userSignIn: { redirectUris: ["https://edi.contoso.com/cb"] } };

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

    it("follows a rotation: the vault holds the new current secret", async () => {
        const run = await runProgram(stackConfig({ ...base, keyVault, secretRotation: 2 }));
        assert.ifError(run.error);
        assert.strictEqual(run.outputs.secretRotation, 2);
        assert.strictEqual(ofType(run, types.keyVaultSecret).length, 1);
        const current = ofType(run, types.password).find((p) => p.inputs.rotateWhenChanged.rotation === "2");
        assert.ok(current, "rotation 2's secret is declared");
    });

    it("is not declared without keyVault", async () => {
        const run = await runProgram(stackConfig(base));
        assert.strictEqual(ofType(run, types.keyVaultSecret).length, 0);
        assert.strictEqual(run.outputs.keyVaultSecretUri, undefined);
    });

    it("rejects bad keyVault values with the key and the value", () => {
        const result = validateStackConfig(
            stackConfig({ ...base, keyVault: { resourceGroupName: "rg.", vaultName: "1vault", secretName: "has_underscore", vault: "x" } }),
        );
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
        makeCertificate(dir, "cert", 730);
        fs.renameSync(path.join(dir, "cert.key.pem"), path.join(dir, "key.pem"));
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
        const result = validateStackConfig(
            stackConfig({ ...base, credential: "certificate", keyVault: { resourceGroupName: "rg", vaultName: "kv-mail", secretName: "s" } }),
        );
        assert.ok(!result.ok);
        assert.match(result.problems.join("\n"), /certificate\.publicCertPath: missing/);
        assert.match(result.problems.join("\n"), /keyVault: set, but credential is "certificate"/);
    });
});

describe("protection", function () {
    this.timeout(60_000);

    it("protects the app registration, service principal and the destroy guard when protect is true, never a secret", async () => {
        const run = await runProgram(stackConfig({ ...base, protect: true }));
        assert.ifError(run.error);
        assert.strictEqual(ofType(run, types.application)[0].options?.protect, true);
        assert.strictEqual(ofType(run, types.servicePrincipal)[0].options?.protect, true);
        assert.strictEqual(ofType(run, types.destroyGuard)[0].options?.protect, true);
        // A protected secret could never be rotated: the engine refuses to replace a protected resource.
        assert.notStrictEqual(ofType(run, types.password)[0].options?.protect, true);
    });

    it("does not protect by default", async () => {
        const run = await runProgram(stackConfig(base));
        assert.notStrictEqual(ofType(run, types.application)[0].options?.protect, true);
    });

    it("Pulumi.prod.yaml protects, Pulumi.dev.yaml does not", () => {
        const root = projectRoot();
        assert.match(fs.readFileSync(path.join(root, "Pulumi.prod.yaml"), "utf8"), /^\s+m365-mail-oauth:protect: true$/m);
        assert.doesNotMatch(fs.readFileSync(path.join(root, "Pulumi.dev.yaml"), "utf8"), /protect: true/);
    });
});
