import * as assert from "assert";
import {
    encodeStateText,
    failureMessage,
    grantedMailboxes,
    parseRecordedState,
    RecordedExchangeState,
    stateMarker,
} from "../../../components/exchangeMailboxAccess/exchangeRecord";

describe("Exchange record", () => {
    it("reads the recorded state from the last marker line of stdout", () => {
        assert.strictEqual(parseRecordedState(undefined), undefined);
        assert.strictEqual(parseRecordedState("noise\nmore"), undefined);
        const state = parseRecordedState(
            `${stateMarker}{"mailboxes":{},"organization":null}\nnoise\n${stateMarker}{"mailboxes":{"a@contoso.com":{"address":"a@contoso.com","fullAccess":true,"sendAs":false,"before":{}}},"organization":null}\n`,
        );
        assert.deepStrictEqual(Object.keys(state?.mailboxes ?? {}), ["a@contoso.com"]);
    });

    it("reads the gzip form the scripts print, which keeps 1000 mailboxes under Windows' 32 Ki limit", () => {
        const mailboxes: Record<string, unknown> = {};
        for (let i = 0; i < 1000; i++) {
            const address = `mailbox-${i}@contoso.com`;
            mailboxes[address] = { address, fullAccess: true, sendAs: i % 2 === 0, before: { ImapEnabled: false, SmtpClientAuthenticationDisabled: null } };
        }
        const json = JSON.stringify({ version: 1, appId: "a", servicePrincipalId: "b", mailboxes, organization: null });
        const line = stateMarker + encodeStateText(json);
        assert.ok(json.length > 128 * 1024, "plain JSON would not fit in one Linux environment variable");
        assert.ok(line.length < 32 * 1024, `the encoded state is ${line.length} characters`);
        assert.strictEqual(Object.keys(parseRecordedState(`progress\n${line}\n`)?.mailboxes ?? {}).length, 1000);
    });

    it("lists as granted only the mailboxes neither failed nor on their way out", () => {
        const mailbox = (address: string, want: boolean, failed: string | null) => ({
            address,
            want: want ? { address, fullAccess: true, sendAs: false, smtpClientAuth: false, imapEnabled: true, popEnabled: false } : null,
            owns: { fullAccess: true, sendAs: false },
            before: {},
            failed,
        });
        const state = {
            version: 2,
            mailboxes: {
                "b@contoso.com": mailbox("b@contoso.com", true, null),
                "a@contoso.com": mailbox("a@contoso.com", true, null),
                "gone@contoso.com": mailbox("gone@contoso.com", false, null),
                "broken@contoso.com": mailbox("broken@contoso.com", true, "throttled"),
            },
            organization: null,
            failures: [],
        } as unknown as RecordedExchangeState;
        assert.deepStrictEqual(grantedMailboxes(state), ["a@contoso.com", "b@contoso.com"]);
        assert.deepStrictEqual(grantedMailboxes(undefined), []);
    });

    it("fails the deployment on recorded failures, listing ten and counting the rest", () => {
        assert.strictEqual(failureMessage(undefined), undefined);
        const failures = Array.from({ length: 12 }, (_, i) => ({ address: `m${i}@contoso.com`, message: "throttled" }));
        const message = failureMessage({ version: 2, mailboxes: {}, organization: null, failures } as RecordedExchangeState) ?? "";
        assert.match(message, /for 12 item\(s\)/);
        assert.match(message, /m9@contoso\.com: throttled/);
        assert.doesNotMatch(message, /m10@contoso\.com/);
        assert.match(message, /\.\.\. and 2 more/);
        assert.match(message, /exchange\.reconcileRun retry-1/);
    });
});
