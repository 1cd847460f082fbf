import * as assert from "assert";
import { CredentialConfig, CredentialPolicy, credentialPolicyFindings, isoDurationMs, secretRules } from "../../plan/credentialPolicy";

const now = new Date("2026-12-06T12:00:00Z");
const tenant = (isEnabled: boolean, passwordCredentials: CredentialPolicy["restrictions"]["passwordCredentials"], extra = {}): CredentialPolicy => ({
    name: "the tenant's default app management policy",
    isEnabled,
    restrictions: { passwordCredentials, ...extra },
});
const secret90: CredentialConfig = { credential: "secret", secretLifetimeDays: 90, signInAudience: "AzureADMyOrg" };
const lifetime30 = [{ restrictionType: "passwordLifetime", state: "enabled", maxLifetime: "P30D", restrictForAppsCreatedAfterDateTime: null }];

describe("credential policy decision (plan/credentialPolicy.ts)", () => {
    it("reads ISO 8601 durations as Graph's maxLifetime gives them", () => {
        assert.strictEqual(isoDurationMs("P30D"), 30 * 86_400_000);
        assert.strictEqual(isoDurationMs("P4DT12H30M5S"), (((4 * 24 + 12) * 60 + 30) * 60 + 5) * 1000);
        assert.strictEqual(isoDurationMs("P1Y"), 365 * 86_400_000);
        assert.strictEqual(isoDurationMs("30 days"), undefined);
        assert.strictEqual(isoDurationMs("P"), undefined);
    });

    it("a 30-day tenant maximum refuses secretLifetimeDays 90, naming the key, the maximum and the fixes; 30 passes", () => {
        const rules = secretRules({ tenant: tenant(true, lifetime30) }, now);
        assert.strictEqual(rules.maxLifetimeDays, 30);
        const [finding, ...more] = credentialPolicyFindings(rules, secret90);
        assert.deepStrictEqual(more, []);
        assert.strictEqual(finding.key, "secretLifetimeDays");
        assert.strictEqual(finding.graphCode, "CredentialInvalidLifetimeAsPerAppPolicy");
        assert.match(finding.message, /^m365-mail-oauth:secretLifetimeDays: 90 is longer than the tenant's default app management policy allows/);
        assert.match(finding.message, /passwordLifetime P30D: at most 30 days/);
        assert.match(finding.message, /set secretLifetimeDays to 30 or less.*credential "certificate".*reviewed per-app app management policy/);
        assert.deepStrictEqual(credentialPolicyFindings(rules, { ...secret90, secretLifetimeDays: 30 }), []);
        assert.deepStrictEqual(credentialPolicyFindings(rules, { ...secret90, credential: "certificate" }), [], "no secret, nothing to refuse");
    });

    it("a part day in maxLifetime rounds down to whole days", () => {
        const rules = secretRules({ tenant: tenant(true, [{ restrictionType: "passwordLifetime", maxLifetime: "P29DT12H" }]) }, now);
        assert.strictEqual(rules.maxLifetimeDays, 29);
    });

    it("a policy not enabled, or a disabled restriction, restricts nothing", () => {
        assert.deepStrictEqual(credentialPolicyFindings(secretRules({ tenant: tenant(false, lifetime30) }, now), secret90), []);
        const disabled = [{ ...lifetime30[0], state: "disabled" }];
        assert.deepStrictEqual(credentialPolicyFindings(secretRules({ tenant: tenant(true, disabled) }, now), secret90), []);
    });

    it("passwordAddition refuses credential secret and both, with certificate as the fix", () => {
        const rules = secretRules({ tenant: tenant(true, [{ restrictionType: "passwordAddition" }, ...lifetime30]) }, now);
        assert.strictEqual(rules.secretsAllowed, false);
        for (const credential of ["secret", "both"] as const) {
            const findings = credentialPolicyFindings(rules, { ...secret90, credential });
            assert.deepStrictEqual(
                findings.map((f) => [f.key, f.graphCode]),
                [["credential", "CredentialTypeNotAllowedAsPerAppPolicy"]],
            );
            assert.match(findings[0].message, /set credential to "certificate"/);
        }
    });

    it("restrictForAppsCreatedAfterDateTime: an app created before the date keeps its 90 days; a new app is created now", () => {
        const later = [{ ...lifetime30[0], restrictForAppsCreatedAfterDateTime: "2026-06-01T00:00:00Z" }];
        const existing = { createdDateTime: "2026-01-01T00:00:00Z" };
        assert.deepStrictEqual(credentialPolicyFindings(secretRules({ tenant: tenant(true, later), app: existing }, now), secret90), []);
        assert.strictEqual(credentialPolicyFindings(secretRules({ tenant: tenant(true, later) }, now), secret90).length, 1, "a new app is restricted");
        const future = [{ ...lifetime30[0], restrictForAppsCreatedAfterDateTime: "2027-01-01T00:00:00Z" }];
        assert.deepStrictEqual(credentialPolicyFindings(secretRules({ tenant: tenant(true, future) }, now), secret90), []);
    });

    it("a per-app policy assigned to the stack's app replaces the tenant's (the reviewed exemption); a disabled one does not", () => {
        const exemption: CredentialPolicy = {
            name: 'the app management policy "Mail OAuth: 180-day secrets"',
            isEnabled: true,
            restrictions: { passwordCredentials: [{ restrictionType: "passwordLifetime", maxLifetime: "P180D" }] },
        };
        const app = { createdDateTime: "2026-11-01T00:00:00Z", policy: exemption };
        const rules = secretRules({ tenant: tenant(true, lifetime30), app }, now);
        assert.strictEqual(rules.source, exemption.name);
        assert.deepStrictEqual(credentialPolicyFindings(rules, secret90), []);
        assert.match(credentialPolicyFindings(rules, { ...secret90, secretLifetimeDays: 365 })[0].message, /Mail OAuth: 180-day secrets.*at most 180 days/);
        const off = secretRules({ tenant: tenant(true, lifetime30), app: { ...app, policy: { ...exemption, isEnabled: false } } }, now);
        assert.strictEqual(off.maxLifetimeDays, 30, "the tenant's applies");
    });

    it("audiences.azureAdMultipleOrgs refuses a multi-tenant app, with AzureADMyOrg as the fix", () => {
        const rules = secretRules({ tenant: tenant(true, [], { azureAdMultipleOrgs: { state: "enabled" } }) }, now);
        const findings = credentialPolicyFindings(rules, { ...secret90, signInAudience: "AzureADMultipleOrgs" });
        assert.deepStrictEqual(
            findings.map((f) => [f.key, f.graphCode]),
            [["signInAudience", "SignInAudienceNotAllowedAsPerAppPolicy"]],
        );
        assert.match(findings[0].message, /set signInAudience to "AzureADMyOrg"/);
        assert.deepStrictEqual(credentialPolicyFindings(rules, secret90), []);
    });
});
