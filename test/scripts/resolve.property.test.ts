/**
 * The Resolve step's ownership rule as a property, over generated cases run under PowerShell 7 in one process
 * (test/fixtures/resolve-table.ps1): whatever the config wants, the record remembers and Exchange holds, Resolve
 * never revokes a grant nor restores a setting the record does not own, and never comes to own one it did not make.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import fc from "fast-check";
import * as path from "path";
import { projectRoot } from "../../facts/projectRoot";
import { requirePwsh } from "./commandProvider";

const rights = [
    { key: "fullAccess", granted: "granted FullAccess on", revoked: "revoked FullAccess on" },
    { key: "sendAs", granted: "granted SendAs on", revoked: "revoked SendAs on" },
    { key: "groupMember", granted: "added m@contoso.com to the group", revoked: "removed m@contoso.com from the group" },
] as const;
const settings = ["SmtpClientAuthenticationDisabled", "ImapEnabled", "PopEnabled"] as const;

const flags = fc.record({ fullAccess: fc.boolean(), sendAs: fc.boolean(), groupMember: fc.boolean() });
const settingValue = fc.constantFrom<boolean | null>(true, false, null);
const desired = fc.option(
    fc.record({
        address: fc.constant("m@contoso.com"),
        fullAccess: fc.boolean(),
        sendAs: fc.boolean(),
        groupMember: fc.boolean(),
        smtpClientAuth: fc.boolean(),
        smtpClientAuthOrganization: fc.boolean(),
        imapEnabled: fc.boolean(),
        popEnabled: fc.boolean(),
    }),
    { nil: null },
);
const record = fc.option(
    fc.record({
        address: fc.constant("m@contoso.com"),
        want: fc.constant(null),
        owns: flags,
        before: fc.dictionary(fc.constantFrom(...settings), settingValue, { maxKeys: 3 }),
        failed: fc.constant(null),
    }),
    { nil: null },
);
const current = fc.record({
    fullAccess: fc.boolean(),
    sendAs: fc.boolean(),
    groupMember: fc.boolean(),
    settings: fc.record({ SmtpClientAuthenticationDisabled: settingValue, ImapEnabled: fc.boolean(), PopEnabled: fc.boolean() }),
});
const mailboxCase = fc.record({ desired, record, current });
type MailboxCase = ReturnType<typeof mailboxCase.generate>["value"];

describe("Exchange Resolve step, as a property (under PowerShell 7)", function () {
    this.timeout(120_000);

    it("never revokes, restores or takes over what the record does not own", function () {
        const pwsh = requirePwsh(this);
        const seed = Number(process.env.M365_PROPERTY_SEED ?? Date.now() % 2 ** 31);
        const cases: MailboxCase[] = fc.sample(mailboxCase, { numRuns: 400, seed });
        // In batches: one environment variable holds at most 128 KiB on Linux.
        const results: { name: string; operations: string[]; record: { owns: Record<string, boolean> } }[] = [];
        for (let start = 0; start < cases.length; start += 100) {
            const batch = cases.slice(start, start + 100).map((entry, index) => ({ name: String(start + index), ...entry }));
            const run = spawnSync(pwsh, ["-NoProfile", "-NonInteractive", "-File", path.join(projectRoot(), "test", "fixtures", "resolve-table.ps1")], {
                env: { ...process.env, RESOLVE_CASES: JSON.stringify(batch) },
                encoding: "utf8",
            });
            assert.strictEqual(run.status, 0, String(run.error ?? run.stderr));
            results.push(...JSON.parse(run.stdout));
        }
        assert.strictEqual(results.length, cases.length);
        for (const [index, result] of results.entries()) {
            const given = cases[index];
            const why = `seed ${seed} (M365_PROPERTY_SEED), case ${JSON.stringify(given)} gave ${JSON.stringify(result)}`;
            for (const right of rights) {
                const owned = given.record?.owns[right.key] === true;
                const granted = result.operations.some((op) => op.startsWith(right.granted));
                if (result.operations.some((op) => op.startsWith(right.revoked))) assert.ok(owned, `revoked ${right.key} it did not own: ${why}`);
                if (result.record.owns[right.key]) assert.ok(owned || granted, `came to own ${right.key} it did not make: ${why}`);
            }
            for (const setting of settings) {
                if (result.operations.some((op) => op.startsWith(`restored ${setting} `))) {
                    assert.ok(given.record !== null && setting in given.record.before, `restored ${setting} it did not change: ${why}`);
                }
            }
        }
    });
});
