/**
 * The pure Resolve step (exchange/scripts/MailAccess.Resolve.ps1), table-driven under PowerShell 7: desired access +
 * the previous record + what Exchange holds -> operations, and the record they leave.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { projectRoot } from "../../config/projectRoot";
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
const current = (over: { fullAccess?: boolean; sendAs?: boolean; settings?: Record<string, boolean | null> } = {}) => ({
    fullAccess: false,
    sendAs: false,
    ...over,
    settings: { SmtpClientAuthenticationDisabled: null, ImapEnabled: false, PopEnabled: false, ...(over.settings ?? {}) },
});
const record = (owns: { fullAccess: boolean; sendAs: boolean }, before: Record<string, boolean | null> = {}) => ({
    address: "m@contoso.com",
    want: want(),
    owns,
    before,
    failed: null,
});

interface Case {
    name: string;
    kind?: "organization";
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
];

describe("Exchange Resolve step (pure, under PowerShell 7)", function () {
    this.timeout(60_000);
    let results: { name: string; operations: string[]; record: Record<string, unknown> }[];

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
                assert.deepStrictEqual(result.record[key], value, `record.${key}`);
            }
        });
    }
});
