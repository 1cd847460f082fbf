/**
 * `npm run repair`'s decision: which objects Entra ID holds that the stack made but its state lost, found by the
 * app's client ID and the program's own names; never another principal's consent, never a role the plan does not
 * ask for; and the fix named for each error a partial create leaves.
 */
import * as assert from "assert";
import { componentTypes, mailApplicationName, resourceTypes } from "../../facts/project";
import { exchangeOnline } from "../../facts/microsoft";
import { explainPartialCreate, importFile, repairPlan, StateResource } from "../../tools/repair/lostObjects";
import { planAccess } from "../../plan/accessPlan";
import { main } from "../../tools/repair/cli";

const urn = (type: string, name: string) => `urn:pulumi:dev::m365-mail-oauth::${componentTypes.mailApplication}$${type}::${name}`;
const component = { urn: `urn:pulumi:dev::m365-mail-oauth::${componentTypes.mailApplication}::${mailApplicationName}`, type: componentTypes.mailApplication };
const application = {
    urn: urn(resourceTypes.application, mailApplicationName),
    type: resourceTypes.application,
    id: "/applications/app",
    outputs: { clientId: "client" },
};
const servicePrincipal = {
    urn: urn(resourceTypes.servicePrincipal, mailApplicationName),
    type: resourceTypes.servicePrincipal,
    id: "/servicePrincipals/sp",
    outputs: { objectId: "sp" },
};
const plan = planAccess({ mailboxes: [{ address: "edi@contoso.com", protocols: ["imap"] }], smtpAuth: "mailbox" });
const imap = exchangeOnline.appRoles["IMAP.AccessAsApp"];
const pop = exchangeOnline.appRoles["POP.AccessAsApp"];

describe("npm run repair: what the state lost", () => {
    const tenant = {
        servicePrincipal: { id: "sp" },
        exchangeServicePrincipalId: "exo",
        graphServicePrincipalId: "graph",
        assignments: [
            { id: "mine", appRoleId: imap, principalId: "sp", resourceId: "exo" },
            { id: "other-app", appRoleId: imap, principalId: "someone-else", resourceId: "exo" },
            { id: "not-planned", appRoleId: pop, principalId: "sp", resourceId: "exo" },
        ],
        grants: [],
    };

    it("finds the stack's consent by its service principal and role, under the Entra ID component", () => {
        const state: StateResource[] = [component, application, servicePrincipal];
        const repair = repairPlan(state, plan, tenant);
        assert.deepStrictEqual(
            repair.lost.map((o) => [o.type, o.name, o.id]),
            [[resourceTypes.appRoleAssignment, "mail-app-IMAP.AccessAsApp", "/servicePrincipals/exo/appRoleAssignedTo/mine"]],
            "not another principal's, not a role the plan does not ask for",
        );
        assert.deepStrictEqual(importFile(repair, "6.9.1"), {
            nameTable: { entra: component.urn },
            resources: [
                {
                    type: resourceTypes.appRoleAssignment,
                    name: "mail-app-IMAP.AccessAsApp",
                    id: "/servicePrincipals/exo/appRoleAssignedTo/mine",
                    parent: "entra",
                    version: "6.9.1",
                },
            ],
        });
    });

    it("finds a lost service principal by the app's client ID, and nothing the state already has", () => {
        const consent = { urn: urn(resourceTypes.appRoleAssignment, "mail-app-IMAP.AccessAsApp"), type: resourceTypes.appRoleAssignment };
        const repair = repairPlan([component, application, consent], plan, tenant);
        assert.deepStrictEqual(
            repair.lost.map((o) => o.name),
            [mailApplicationName],
        );
        assert.deepStrictEqual(repairPlan([component, application, servicePrincipal, consent], plan, tenant).lost, []);
    });

    it("takes nothing without the app in the state: an app found by its name may not be the stack's", () => {
        const repair = repairPlan([component], plan, tenant);
        assert.deepStrictEqual(repair.lost, []);
        assert.match(repair.note!, /client ID only/);
        assert.match(repairPlan([], plan, tenant).note!, /nothing was deployed/);
    });

    it("names the fix for each error a partial create leaves", () => {
        for (const error of [
            "expected non-nil error with nil state during Create of urn:pulumi:dev::m365-mail-oauth::azuread:index/appRoleAssignment:AppRoleAssignment::mail-app-IMAP.AccessAsApp",
            "Provider produced inconsistent result after apply: when applying changes to azuread_app_role_assignment",
            'A resource with the ID "/servicePrincipals/x" already exists - to be managed via Terraform this resource needs to be imported into the State.',
            "400 Permission being assigned already exists on the object",
            "409 Permission entry already exists.",
        ])
            assert.match(explainPartialCreate(error) ?? "", /npm run repair -- --stack <stack>/, error);
        assert.match(explainPartialCreate("Timed out whilst waiting for new service principal to be replicated in Azure AD") ?? "", /pulumi up.* again/);
        assert.strictEqual(explainPartialCreate("something else"), undefined);
    });

    it("--explain names the fix for a provider error a credential policy causes (verify's diagnosis)", async () => {
        const explain = async (error: string) => {
            const out: string[] = [];
            const code = await main(
                ["--explain", error],
                (text) => out.push(text),
                () => undefined,
            );
            return { code, text: out.join("\n") };
        };
        // As the azuread provider prints Graph's refusals of addPassword and of the app's create.
        const lifetime = await explain(
            "creating urn:...ApplicationPassword::mail-app-secret-a: Could not add password: unexpected status 400 (CredentialInvalidLifetimeAsPerAppPolicy) with error: Credential lifetime exceeds the max value allowed as per assigned policy.",
        );
        assert.strictEqual(lifetime.code, 0);
        assert.match(
            lifetime.text,
            /caps a client secret's lifetime.*set secretLifetimeDays.*credential to certificate.*reviewed per-app app management policy/,
        );
        assert.match(
            (await explain("400 (CredentialTypeNotAllowedAsPerAppPolicy) Credential type not allowed as per assigned policy.")).text,
            /forbids client secrets.*credential to certificate/,
        );
        assert.match((await explain("400 (SignInAudienceNotAllowedAsPerAppPolicy)")).text, /signInAudience to AzureADMyOrg/);
        assert.strictEqual((await explain("something else")).code, 1);
    });
});
