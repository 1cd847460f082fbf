/**
 * The pure Resolve step (Resolve-MailboxAccess and its kin in scripts/ExchangeMailAccess/Private/), table-driven under PowerShell 7: desired access +
 * the previous record + what Exchange holds -> operations, and the record they leave.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { projectRoot } from "../../facts/projectRoot";
import { requirePwsh } from "./commandProvider";

const want = (over: Record<string, boolean> = {}) => ({
    address: "m@contoso.com",
    fullAccess: true,
    sendAs: false,
    smtpClientAuth: false,
    imapEnabled: true,
    popEnabled: false,
    ...over,
});
const current = (
    over: { fullAccess?: boolean; sendAs?: boolean; groupMember?: boolean; denied?: string[]; settings?: Record<string, boolean | null> } = {},
) => ({
    fullAccess: false,
    sendAs: false,
    ...over,
    settings: { SmtpClientAuthenticationDisabled: null, ImapEnabled: false, PopEnabled: false, ...(over.settings ?? {}) },
});
const record = (owns: { fullAccess: boolean; sendAs: boolean; groupMember?: boolean }, before: Record<string, boolean | null> = {}) => ({
    address: "m@contoso.com",
    want: want(),
    owns,
    before,
    failed: null,
});

const rbacNames = { group: "g", scope: "g-scope", assignment: "g-SMTP.SendAsApp" };

interface Case {
    name: string;
    kind?: "organization" | "appRbac";
    /** Patterns the blocked reasons or conflicts must match, one each, in order. */
    expectNotes?: RegExp[];
    desired?: unknown;
    record?: unknown;
    current?: unknown;
    wanted?: boolean;
    expectOperations: string[];
    expectRecord: Record<string, unknown>;
}

const cases: Case[] = [
    {
        name: "first run: grant and enable, remembering the earlier value",
        desired: want(),
        record: null,
        current: current(),
        expectOperations: ["granted FullAccess on m@contoso.com", "set ImapEnabled to True on m@contoso.com"],
        expectRecord: { owns: { fullAccess: true, sendAs: false }, before: { ImapEnabled: false } },
    },
    {
        name: "already as wanted before the stack: nothing to do, nothing owned",
        desired: want(),
        record: null,
        current: current({ fullAccess: true, settings: { ImapEnabled: true } }),
        expectOperations: [],
        expectRecord: { owns: { fullAccess: false, sendAs: false }, before: {} },
    },
    {
        name: "owned and still there: nothing to do, ownership kept",
        desired: want(),
        record: record({ fullAccess: true, sendAs: false }, { ImapEnabled: false }),
        current: current({ fullAccess: true, settings: { ImapEnabled: true } }),
        expectOperations: [],
        expectRecord: { owns: { fullAccess: true, sendAs: false }, before: { ImapEnabled: false } },
    },
    {
        name: "owned grant removed by hand (drift): granted again",
        desired: want(),
        record: record({ fullAccess: true, sendAs: false }, { ImapEnabled: false }),
        current: current({ settings: { ImapEnabled: true } }),
        expectOperations: ["granted FullAccess on m@contoso.com"],
        expectRecord: { owns: { fullAccess: true, sendAs: false }, before: { ImapEnabled: false } },
    },
    {
        name: "left the config: revoke what the stack owns, restore what it changed",
        desired: null,
        record: record({ fullAccess: true, sendAs: true }, { ImapEnabled: false, SmtpClientAuthenticationDisabled: null }),
        current: current({ fullAccess: true, sendAs: true, settings: { ImapEnabled: true, SmtpClientAuthenticationDisabled: false } }),
        expectOperations: [
            "revoked FullAccess on m@contoso.com",
            "revoked SendAs on m@contoso.com",
            "restored SmtpClientAuthenticationDisabled to the organization default ($null) on m@contoso.com",
            "restored ImapEnabled to False on m@contoso.com",
        ],
        expectRecord: { owns: { fullAccess: false, sendAs: false }, before: {} },
    },
    {
        name: "left the config, but the grants were there before the stack: nothing revoked",
        desired: null,
        record: record({ fullAccess: false, sendAs: false }),
        current: current({ fullAccess: true, sendAs: true, settings: { ImapEnabled: true } }),
        expectOperations: [],
        expectRecord: { owns: { fullAccess: false, sendAs: false }, before: {} },
    },
    {
        name: "a changed setting already back at its earlier value: forgotten without a call",
        desired: null,
        record: record({ fullAccess: false, sendAs: false }, { ImapEnabled: true }),
        current: current({ settings: { ImapEnabled: true } }),
        expectOperations: [],
        expectRecord: { owns: { fullAccess: false, sendAs: false }, before: {} },
    },
    {
        name: "SMTP added: SendAs and SMTP AUTH on the mailbox",
        desired: want({ sendAs: true, smtpClientAuth: true, imapEnabled: false }),
        record: record({ fullAccess: true, sendAs: false }),
        current: current({ fullAccess: true, settings: { SmtpClientAuthenticationDisabled: true } }),
        expectOperations: ["granted SendAs on m@contoso.com", "set SmtpClientAuthenticationDisabled to False on m@contoso.com"],
        expectRecord: { owns: { fullAccess: true, sendAs: true }, before: { SmtpClientAuthenticationDisabled: true } },
    },
    {
        name: "organisation: enable, remembering it was disabled",
        kind: "organization",
        wanted: true,
        record: null,
        current: true,
        expectOperations: ["enabled SMTP AUTH for the whole organization"],
        expectRecord: { want: true, owned: true, before: true },
    },
    {
        name: "organisation: already enabled before the stack: not owned",
        kind: "organization",
        wanted: true,
        record: null,
        current: false,
        expectOperations: [],
        expectRecord: { want: true, owned: false, before: null },
    },
    {
        name: "organisation: no longer wanted: put back",
        kind: "organization",
        wanted: false,
        record: { want: true, owned: true, before: true },
        current: false,
        expectOperations: ["restored organization-wide SmtpClientAuthenticationDisabled to True"],
        expectRecord: { want: false, owned: false, before: null },
    },
    {
        name: "an explicit Deny FullAccess for the app: no Allow added, the mailbox reported as blocked, the Deny left",
        desired: want(),
        record: null,
        current: current({ denied: ["FullAccess"] }),
        expectOperations: ["set ImapEnabled to True on m@contoso.com"],
        expectRecord: { owns: { fullAccess: false, sendAs: false }, before: { ImapEnabled: false } },
        expectNotes: [
            /explicit Deny FullAccess entry for the app's service principal T blocks access.*Remove-MailboxPermission -Identity m@contoso\.com -User T -AccessRights FullAccess -Deny/,
        ],
    },
    {
        name: "organisation-wide SMTP AUTH: a mailbox's own $true (which wins) becomes $null, and is remembered",
        desired: want({ smtpClientAuthOrganization: true, imapEnabled: false }),
        record: null,
        current: current({ fullAccess: true, settings: { SmtpClientAuthenticationDisabled: true } }),
        expectOperations: ["set SmtpClientAuthenticationDisabled to the organization default ($null) on m@contoso.com"],
        expectRecord: { before: { SmtpClientAuthenticationDisabled: true } },
    },
    {
        name: "organisation-wide SMTP AUTH: a mailbox's own $false already allows it and is not the stack's",
        desired: want({ smtpClientAuthOrganization: true, imapEnabled: false }),
        record: null,
        current: current({ fullAccess: true, settings: { SmtpClientAuthenticationDisabled: false } }),
        expectOperations: [],
        expectRecord: { before: {} },
    },
    {
        name: "per mailbox, then organisation-wide: the stack's $false stays and its earlier $true is not put back",
        desired: want({ smtpClientAuthOrganization: true, imapEnabled: false }),
        record: record({ fullAccess: true, sendAs: false }, { SmtpClientAuthenticationDisabled: true }),
        current: current({ fullAccess: true, settings: { SmtpClientAuthenticationDisabled: false } }),
        expectOperations: [],
        expectRecord: { before: { SmtpClientAuthenticationDisabled: true } },
    },
    {
        name: "to appRbac: joins the group (checked) before SendAs and FullAccess go",
        desired: want({ fullAccess: false, sendAs: false, groupMember: true, imapEnabled: false }),
        record: record({ fullAccess: true, sendAs: true }),
        current: current({ fullAccess: true, sendAs: true }),
        expectOperations: [
            "added m@contoso.com to the group G",
            "checked with Test-ServicePrincipalAuthorization that the app may send as m@contoso.com",
            "revoked FullAccess on m@contoso.com",
            "revoked SendAs on m@contoso.com",
        ],
        expectRecord: { owns: { fullAccess: false, sendAs: false, groupMember: true } },
    },
    {
        name: "back from appRbac: SendAs and FullAccess first, then the group membership goes",
        desired: want({ fullAccess: true, sendAs: true, imapEnabled: false }),
        record: record({ fullAccess: false, sendAs: false, groupMember: true }),
        current: current({ groupMember: true }),
        expectOperations: ["granted FullAccess on m@contoso.com", "granted SendAs on m@contoso.com", "removed m@contoso.com from the group G"],
        expectRecord: { owns: { fullAccess: true, sendAs: true, groupMember: false } },
    },
    {
        name: "appRbac, first run: group, scope, then the role assignment to the app",
        kind: "appRbac",
        desired: { wanted: true, names: rbacNames, app: "OBJ", trustee: "T" },
        record: null,
        current: { group: null, scope: null, assignment: null },
        expectOperations: [
            "created the mail-enabled security group g for SMTP through RBAC",
            "created the management scope g-scope on the members of g",
            "assigned 'Application SMTP.SendAsApp' to the app, scoped to g-scope",
        ],
        expectRecord: { owns: { group: true, scope: true, assignment: true }, app: "OBJ" },
    },
    {
        name: "appRbac: a group of that name the stack did not make is never taken over",
        kind: "appRbac",
        desired: { wanted: true, names: rbacNames, app: "OBJ", trustee: "T" },
        record: null,
        current: { group: { name: "g", dn: "CN=g" }, scope: null, assignment: null },
        expectOperations: [],
        expectRecord: { owns: { group: false, scope: false, assignment: false } },
        expectNotes: [/a group named g already exists and was not made by this stack/],
    },
    {
        name: "appRbac: the enterprise application was replaced: the assignment is made again for the new one",
        kind: "appRbac",
        desired: { wanted: true, names: rbacNames, app: "NEW", trustee: "T2" },
        record: { want: true, names: rbacNames, app: "OLD", groupDn: "CN=g", owns: { group: true, scope: true, assignment: true } },
        current: {
            group: { name: "g", dn: "CN=g" },
            scope: { name: "g-scope", filter: "MemberOfGroup -eq 'CN=g'" },
            assignment: { name: "g-SMTP.SendAsApp", app: "OLD" },
        },
        expectOperations: [
            "removed the role assignment g-SMTP.SendAsApp of the replaced enterprise application",
            "assigned 'Application SMTP.SendAsApp' to the app, scoped to g-scope",
        ],
        expectRecord: { owns: { group: true, scope: true, assignment: true }, app: "NEW" },
    },
    {
        name: "appRbac no longer wanted: assignment, scope, group removed in that order, only what the stack made",
        kind: "appRbac",
        desired: { wanted: false, names: rbacNames, app: "OBJ", trustee: "T" },
        record: { want: true, names: rbacNames, app: "OBJ", groupDn: "CN=g", owns: { group: true, scope: false, assignment: true } },
        current: { group: { name: "g", dn: "CN=g" }, scope: { name: "g-scope", filter: "x" }, assignment: { name: "g-SMTP.SendAsApp", app: "OBJ" } },
        expectOperations: ["removed the role assignment g-SMTP.SendAsApp", "removed the group g"],
        expectRecord: { owns: { group: false, scope: false, assignment: false } },
    },
];

describe("Exchange Resolve step (pure, under PowerShell 7)", function () {
    this.timeout(60_000);
    let results: { name: string; operations: string[]; record: Record<string, unknown>; notes: string[] }[];

    before(function () {
        const pwsh = requirePwsh(this);
        const script = path.join(projectRoot(), "test", "fixtures", "resolve-table.ps1");
        const run = spawnSync(pwsh, ["-NoProfile", "-NonInteractive", "-File", script], {
            env: { ...process.env, RESOLVE_CASES: JSON.stringify(cases) },
            encoding: "utf8",
        });
        assert.strictEqual(run.status, 0, run.stderr);
        results = JSON.parse(run.stdout);
    });

    for (const [index, entry] of cases.entries()) {
        it(entry.name, () => {
            const result = results[index];
            assert.strictEqual(result.name, entry.name);
            assert.deepStrictEqual(result.operations, entry.expectOperations);
            for (const [key, value] of Object.entries(entry.expectRecord)) {
                // A mailbox record's owns lists every grant; the cases name the ones that matter to them.
                const expected = key === "owns" && entry.kind === undefined ? { groupMember: false, ...(value as object) } : value;
                assert.deepStrictEqual(result.record[key], expected, `record.${key}`);
            }
            const patterns = entry.expectNotes ?? [];
            assert.strictEqual(result.notes.length, patterns.length, `notes: ${JSON.stringify(result.notes)}`);
            patterns.forEach((pattern, i) => assert.match(result.notes[i], pattern));
        });
    }
});
