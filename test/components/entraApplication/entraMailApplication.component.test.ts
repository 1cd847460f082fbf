/**
 * The EntraMailApplication component on its own under Pulumi's mocks (as pulumi/examples' unit tests do), not through
 * index.ts: given an access plan and secret slots, it declares exactly the app, its service principal, one consent
 * per app role, one secret per slot, each as its child.
 */
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { resolve } from "../../../tools/mockEngine";
import { EntraMailApplication } from "../../../components/entraApplication/entraMailApplication";
import { exchangeOnline, microsoftGraph } from "../../../facts/microsoft";
import { componentTypes, configNamespace, resourceTypes } from "../../../facts/project";
import { planAccess } from "../../../plan/accessPlan";
import { secretSlots } from "../../../plan/secretRotation";

const exchangeSp = "6f1e2d3c-0000-4000-8000-0000000000e1";
const graphSp = "6f1e2d3c-0000-4000-8000-0000000000e2";

describe("EntraMailApplication, on its own under mocks", () => {
    const declared: pulumi.runtime.MockResourceArgs[] = [];

    before(async () => {
        await pulumi.runtime.setMocks(
            {
                newResource(args) {
                    declared.push(args);
                    return { id: `${args.name}-id`, state: { ...args.inputs, objectId: `${args.name}-object`, clientId: `${args.name}-client` } };
                },
                call(args) {
                    if (args.token === "azuread:index/getServicePrincipal:getServicePrincipal") {
                        return args.inputs.clientId === exchangeOnline.appId
                            ? { objectId: exchangeSp, appRoleIds: { ...exchangeOnline.appRoles }, oauth2PermissionScopeIds: {} }
                            : { objectId: graphSp, appRoleIds: {}, oauth2PermissionScopeIds: { ...microsoftGraph.delegatedScopes } };
                    }
                    throw new Error(`unexpected call ${args.token}`);
                },
            },
            configNamespace,
            "component",
            false,
        );
    });

    it("declares the app, its service principal, one consent per app role and one secret per slot, as its children", async () => {
        const plan = planAccess({
            mailboxes: [
                { address: "in@contoso.com", protocols: ["imap", "pop"] },
                { address: "out@contoso.com", protocols: ["smtp"] },
            ],
            smtpAuth: "mailbox",
        });
        const app = new EntraMailApplication("unit", {
            displayName: "Unit",
            signInAudience: "AzureADMyOrg",
            access: plan,
            secretLifetimeDays: 90,
            secretSlots: secretSlots(1),
            enterpriseApplication: { accountEnabled: false, appRoleAssignmentRequired: true },
            deployerObjectId: "deployer",
        });
        const urns = await Promise.all(
            [app.application, app.servicePrincipal, ...app.appRoleAssignments, ...app.secrets.map((s) => s.password)].map(
                async (r) => (await resolve(r.urn)).value,
            ),
        );
        for (const urn of urns) assert.ok(urn.includes(`${componentTypes.mailApplication}$`), `${urn} is a child of the component`);

        assert.strictEqual(declared.filter((r) => r.type === resourceTypes.application).length, 1);
        const [servicePrincipal] = declared.filter((r) => r.type === resourceTypes.servicePrincipal);
        assert.deepStrictEqual(
            [servicePrincipal.inputs.accountEnabled, servicePrincipal.inputs.appRoleAssignmentRequired],
            [false, true],
            "the enterprise application's switches are declared as configured",
        );
        const consents = declared.filter((r) => r.type === resourceTypes.appRoleAssignment);
        assert.deepStrictEqual(consents.map((r) => r.inputs.appRoleId).sort(), plan.appRoles.map((role) => role.id).sort());
        assert.ok(
            consents.every((r) => r.inputs.resourceObjectId === exchangeSp),
            "consent on the tenant's Exchange Online service principal",
        );
        assert.deepStrictEqual(app.secrets.map((s) => s.rotation).sort(), [0, 1], "rotation 1 keeps rotation 0's secret valid");
        assert.strictEqual(app.current?.rotation, 1);
        assert.strictEqual(app.certificate, undefined, "no certificate asked for, none made");
        assert.strictEqual(app.delegatedConsent, undefined, "no user sign-in, no delegated grant");
        assert.strictEqual((await resolve(app.clientId)).value, "unit-client");
    });
});
