/**
 * Which objects the stack made in Entra ID but its state lost: a create whose object Entra ID made but whose
 * follow-up read found nothing while Entra ID replicated (the bridge: "expected non-nil error with nil state during
 * Create"; Terraform: "Provider produced inconsistent result after apply").
 * The object exists, the state does not have it, and every later `pulumi up` fails making it again ("already
 * exists … needs to be imported", "Permission being assigned already exists on the object", "Permission entry
 * already exists"). Found by the app's client ID and the stack's own names, never by a display name alone, so an
 * object the stack did not make is never taken.
 */
import { Permission } from "../../plan/accessPlan";
import { componentTypes, mailApplicationName, resourceTypes } from "../../facts/project";
import { appRoleConsentName, delegatedConsentName } from "../../components/entraApplication/entraMailApplication";

export interface StateResource {
    readonly urn: string;
    readonly type: string;
    readonly id?: string;
    readonly outputs?: Record<string, any>;
}

/** What Graph holds for the stack's app, read by its client ID. */
export interface TenantFacts {
    /** The app's service principal (appId = the state's client ID). */
    readonly servicePrincipal?: { readonly id: string };
    readonly exchangeServicePrincipalId?: string;
    readonly graphServicePrincipalId?: string;
    /** Assignments of the Exchange Online service principal's app roles. */
    readonly assignments: readonly { readonly id: string; readonly appRoleId: string; readonly principalId: string; readonly resourceId: string }[];
    /** Delegated grants whose client is the app's service principal. */
    readonly grants: readonly { readonly id: string; readonly clientId: string; readonly resourceId: string }[];
}

export interface LostObject {
    readonly type: string;
    /** The resource's name in the program (its URN's last part). */
    readonly name: string;
    /** The ID the provider imports it by. */
    readonly id: string;
    /** The error the next `pulumi up` meets without the import. */
    readonly meets: string;
}

export interface RepairPlan {
    /** The Entra ID component's URN: the parent of everything imported. */
    readonly parent?: string;
    readonly clientId?: string;
    readonly lost: readonly LostObject[];
    /** Why nothing can be done, where that is so. */
    readonly note?: string;
}

const nameOf = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);

export function repairPlan(
    state: readonly StateResource[],
    plan: { appRoles: readonly Permission[]; delegatedScopes: readonly Permission[] },
    tenant: TenantFacts,
): RepairPlan {
    const component = state.find((r) => r.type === componentTypes.mailApplication && nameOf(r.urn) === mailApplicationName);
    if (!component) return { lost: [], note: "the stack has no Entra ID component in its state: nothing was deployed yet" };
    const application = state.find((r) => r.type === resourceTypes.application && nameOf(r.urn) === mailApplicationName);
    const clientId = application?.outputs?.clientId as string | undefined;
    if (!clientId)
        return {
            parent: component.urn,
            lost: [],
            note: "the app registration is not in the state; repair finds objects by the app's client ID only (an app found by its name alone may be one the stack did not make)",
        };
    const has = (type: string, name: string) => state.some((r) => r.type === type && nameOf(r.urn) === name);
    const lost: LostObject[] = [];
    const stateSp = state.find((r) => r.type === resourceTypes.servicePrincipal && nameOf(r.urn) === mailApplicationName);
    if (!stateSp && tenant.servicePrincipal)
        lost.push({
            type: resourceTypes.servicePrincipal,
            name: mailApplicationName,
            id: `/servicePrincipals/${tenant.servicePrincipal.id}`,
            meets: 'A resource with the ID "…" already exists - to be managed via Terraform this resource needs to be imported into the State',
        });
    const principalId = (stateSp?.outputs?.objectId as string | undefined) ?? tenant.servicePrincipal?.id;
    if (principalId && tenant.exchangeServicePrincipalId) {
        for (const role of plan.appRoles) {
            const name = appRoleConsentName(mailApplicationName, role.name);
            const made = tenant.assignments.find(
                (a) => a.appRoleId === role.id && a.principalId === principalId && a.resourceId === tenant.exchangeServicePrincipalId,
            );
            if (made && !has(resourceTypes.appRoleAssignment, name))
                lost.push({
                    type: resourceTypes.appRoleAssignment,
                    name,
                    id: `/servicePrincipals/${made.resourceId}/appRoleAssignedTo/${made.id}`,
                    meets: "Permission being assigned already exists on the object",
                });
        }
    }
    const grantName = delegatedConsentName(mailApplicationName);
    if (principalId && plan.delegatedScopes.length > 0 && tenant.graphServicePrincipalId && !has(resourceTypes.delegatedGrant, grantName)) {
        const made = tenant.grants.find((g) => g.clientId === principalId && g.resourceId === tenant.graphServicePrincipalId);
        if (made)
            lost.push({
                type: resourceTypes.delegatedGrant,
                name: grantName,
                id: `/oauth2PermissionGrants/${made.id}`,
                meets: "Permission entry already exists",
            });
    }
    return { parent: component.urn, clientId, lost };
}

/** `pulumi import --file`'s document: each lost object under the Entra ID component, with the provider's version. */
export function importFile(repair: RepairPlan, azureadVersion: string): unknown {
    return {
        nameTable: { entra: repair.parent },
        resources: repair.lost.map((object) => ({ type: object.type, name: object.name, id: object.id, parent: "entra", version: azureadVersion })),
    };
}

/**
 * `pulumi import --file`'s document for a stack with nothing in its state yet (`npm run adopt`): the Entra ID
 * component, which the import makes empty, and each object under it by the program's logical name.
 */
export function importFileWithComponent(imports: readonly LostObject[], azureadVersion: string): unknown {
    return {
        resources: [
            { type: componentTypes.mailApplication, name: "entra", logicalName: mailApplicationName, component: true },
            ...imports.map((object, index) => ({
                type: object.type,
                name: `object${index}`,
                logicalName: object.name,
                id: object.id,
                parent: "entra",
                version: azureadVersion,
            })),
        ],
    };
}

/**
 * The fix for each error a partial create leaves behind (issue #32, finding 11), for the README and for
 * `npm run repair --explain`.
 */
export const partialCreateFixes: readonly { readonly error: RegExp; readonly fix: string }[] = [
    {
        error: /expected non-nil error with nil state during Create|Provider produced inconsistent result after apply/,
        fix: "Entra ID made the object but had not replicated it when the provider read it back, so the state lacks it: run `npm run repair -- --stack <stack>`, then `pulumi up`",
    },
    {
        error: /already exists - to be managed via Terraform this resource needs to be imported/,
        fix: "an earlier update made this object and lost it from the state: run `npm run repair -- --stack <stack>`, then `pulumi up`",
    },
    {
        error: /Permission being assigned already exists on the object/,
        fix: "an earlier update made this consent and lost it: run `npm run repair -- --stack <stack>`, then `pulumi up`",
    },
    {
        error: /Permission entry already exists/,
        fix: "an earlier update made this delegated consent and lost it: run `npm run repair -- --stack <stack>`, then `pulumi up`",
    },
    {
        error: /Timed out whilst waiting for new (application|service principal) to be replicated/,
        fix: "Entra ID was still replicating the new object; the state keeps it (a partially created resource): run `pulumi up` again",
    },
];

export function explainPartialCreate(message: string): string | undefined {
    return partialCreateFixes.find(({ error }) => error.test(message))?.fix;
}
