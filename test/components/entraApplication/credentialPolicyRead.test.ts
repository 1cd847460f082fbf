/**
 * The credential policy read (components/entraApplication/credentialPolicyRead.ts) against the stand-in Entra ID's
 * Graph: the tenant's default policy, the stack's app found by its display name with its own policy, and a 403.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { appsOfNameQuery, deployerSignIn, readCredentialPolicy } from "../../../components/entraApplication/credentialPolicyRead";
import { GraphReadError } from "../../../components/entraApplication/graphReader";
import { credentialPolicyFindings, secretRules } from "../../../plan/credentialPolicy";
import { makeServerCertificate } from "../../fixtures/certificates";
import { StandInClient } from "../../fixtures/entra/graphClient";
import { StandInEntra } from "../../fixtures/entra/standInEntra";

const tenantId = "0e7d7c4a-5b8f-4d0e-9f3a-6c2b1a9d8e72";
const deployer = { clientId: "d0d0d0d0-1111-4222-8333-444444444445", clientSecret: "deployer~secret.value_2" };

describe("credential policy read (Graph, with the deployer's sign-in)", function () {
    let dir: string;
    let entra: StandInEntra;
    let graph: (method: string, pathAndQuery: string, json?: unknown) => Promise<{ status: number; body: any }>;
    /** readCredentialPolicy's GET, as graphReader makes it (a failure is a GraphReadError with the status and code). */
    let get: (pathAndQuery: string) => Promise<any>;

    before(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "m365-policy-read-"));
        const tls = makeServerCertificate(dir);
        const client = new StandInClient(tls.caFile);
        entra = new StandInEntra({ stateFile: path.join(dir, "tenant.json"), tenantId, deployer, tls });
        await entra.start();
        const token = (
            await client.token(`${entra.authority}/${tenantId}/oauth2/v2.0/token`, deployer.clientId, deployer.clientSecret, `${entra.base}/graph/.default`)
        ).body.access_token;
        graph = (method, pathAndQuery, json) => client.request(method, `${entra.graphBase}/${pathAndQuery}`, { token, json });
        get = async (pathAndQuery) => {
            const answer = await graph("GET", pathAndQuery);
            if (answer.status >= 300) throw new GraphReadError(`GET ${pathAndQuery}: ${answer.status}`, answer.status, answer.body?.error?.code);
            return answer.body;
        };
    });
    after(async () => {
        await entra.stop();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("reads the tenant's 30-day maximum for a new app, and the decision refuses 90 days", async () => {
        await graph("PATCH", "policies/defaultAppManagementPolicy", {
            isEnabled: true,
            applicationRestrictions: {
                passwordCredentials: [{ restrictionType: "passwordLifetime", state: "enabled", maxLifetime: "P30D" }],
                keyCredentials: [],
            },
        });
        const read = await readCredentialPolicy(get, "Mail OAuth (new)");
        assert.ok("facts" in read, JSON.stringify(read));
        assert.strictEqual(read.facts.app, undefined, "no app of that name yet");
        const rules = secretRules(read.facts, new Date());
        assert.strictEqual(rules.maxLifetimeDays, 30);
        assert.strictEqual(
            credentialPolicyFindings(rules, { credential: "secret", secretLifetimeDays: 90, signInAudience: "AzureADMyOrg" })[0].key,
            "secretLifetimeDays",
        );
    });

    it("finds the stack's app by its display name, with its creation date and its own (reviewed) policy", async () => {
        const app = (await graph("POST", "applications", { displayName: "Mail O'Auth (exempt)" })).body;
        const policy = (
            await graph("POST", "policies/appManagementPolicies", {
                displayName: "180-day secrets (reviewed)",
                isEnabled: true,
                restrictions: { passwordCredentials: [{ restrictionType: "passwordLifetime", maxLifetime: "P180D" }], keyCredentials: [] },
            })
        ).body;
        await graph("POST", `applications/${app.id}/appManagementPolicies/$ref`, {
            "@odata.id": `${entra.graphBase}/policies/appManagementPolicies/${policy.id}`,
        });
        const read = await readCredentialPolicy(get, "Mail O'Auth (exempt)");
        assert.ok("facts" in read);
        assert.strictEqual(read.facts.app?.createdDateTime, app.createdDateTime);
        const rules = secretRules(read.facts, new Date());
        assert.strictEqual(rules.source, 'the app management policy "180-day secrets (reviewed)"');
        assert.strictEqual(rules.maxLifetimeDays, 180);
    });

    it("takes the apps of that name the caller read (the readiness check), asking Graph for them no more; their failure is its own", async () => {
        const name = "Mail O'Auth (exempt)";
        const apps = (await get(appsOfNameQuery(name))).value;
        const before = entra.requests.length;
        const read = await readCredentialPolicy(get, name, Promise.resolve(apps));
        assert.ok("facts" in read);
        assert.strictEqual(read.facts.app?.policy?.name, 'the app management policy "180-day secrets (reviewed)"');
        assert.deepStrictEqual(
            entra.requests.slice(before).filter((request) => request.path.includes("$filter=displayName")),
            [],
        );
        // Handled here as the readiness check handles it (its name check awaits the same read).
        const failing = Promise.reject(new GraphReadError("GET applications: 403", 403, "Authorization_RequestDenied"));
        failing.catch(() => undefined);
        const refused = await readCredentialPolicy(get, name, failing);
        assert.ok("unreadable" in refused);
        assert.match(refused.unreadable, /Microsoft Graph answered 403 Authorization_RequestDenied; it needs Policy\.Read\.All/);
    });

    it("says so, and does not throw, when the deployer lacks Policy.Read.All (403)", async () => {
        entra.faults.forbid(/^GET \/graph\/v1\.0\/policies\//);
        const read = await readCredentialPolicy(get, "Mail OAuth (new)");
        entra.faults.clear();
        assert.ok("unreadable" in read);
        assert.match(
            read.unreadable,
            /may not read the tenant's credential policy \(Microsoft Graph answered 403 Authorization_RequestDenied; it needs Policy\.Read\.All\)/,
        );
    });

    it("takes the provider's sign-in from ARM_* first, then the stack's azuread config; none without a client secret", () => {
        const config = { tenantId: "t-config", clientId: "c-config", metadataHost: "127.0.0.1:1" };
        assert.deepStrictEqual(deployerSignIn({ ARM_CLIENT_ID: "c-env", ARM_CLIENT_SECRET: "s" }, config), {
            tenantId: "t-config",
            clientId: "c-env",
            clientSecret: "s",
            metadataHost: "127.0.0.1:1",
        });
        assert.strictEqual(deployerSignIn({}, config), undefined, "an Azure CLI sign-in: nothing to sign in with here");
    });
});
