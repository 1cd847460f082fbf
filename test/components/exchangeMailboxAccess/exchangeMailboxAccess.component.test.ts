/**
 * The ExchangeMailboxAccess component on its own under Pulumi's mocks, not through index.ts: given an access plan and
 * a connection it declares exactly one command, as its child, that runs the static scripts with every value in its
 * environment, the PFX password only on stdin, and reads the granted mailboxes back from the record on stdout.
 */
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { resolve } from "../../../tools/mockEngine";
import { secretInput } from "../secretInput";
import { ExchangeMailboxAccess } from "../../../components/exchangeMailboxAccess/exchangeMailboxAccess";
import { mailboxVariableName, passwordOnStdinVariable } from "../../../components/exchangeMailboxAccess/exchangeEnvironment";
import { encodeStateText, stateMarker } from "../../../components/exchangeMailboxAccess/exchangeRecord";
import { exchangeScripts } from "../../../components/exchangeMailboxAccess/scriptFiles";
import { exchangeConnectionFrom } from "../../../config/settings";
import { componentTypes, configNamespace, resourceTypes } from "../../../facts/project";
import { planAccess } from "../../../plan/accessPlan";

const record = {
    version: 2,
    mailboxes: {
        "in@contoso.com": {
            address: "in@contoso.com",
            want: { address: "in@contoso.com" },
            owns: { fullAccess: true, sendAs: false },
            before: {},
            failed: null,
        },
    },
    organization: null,
    failures: [],
};

describe("ExchangeMailboxAccess, on its own under mocks", () => {
    const declared: pulumi.runtime.MockResourceArgs[] = [];

    before(async () => {
        await pulumi.runtime.setMocks(
            {
                newResource(args) {
                    declared.push(args);
                    const stdout = args.type === resourceTypes.command ? `${stateMarker}${encodeStateText(JSON.stringify(record))}\n` : undefined;
                    return { id: `${args.name}-id`, state: { ...args.inputs, stdout, stderr: "" } };
                },
                call(args) {
                    throw new Error(`unexpected call ${args.token}`);
                },
            },
            configNamespace,
            "component",
            false,
        );
    });

    it("declares one command as its child: static scripts, values in the environment, the password on stdin only", async () => {
        const access = planAccess({ mailboxes: [{ address: "in@contoso.com", protocols: ["imap"] }], smtpAuth: "mailbox" });
        const connection = exchangeConnectionFrom({
            organization: "contoso.onmicrosoft.com",
            auth: "certificate",
            appId: "11111111-2222-3333-4444-555555555555",
            certificatePath: "/secure/exo.pfx",
            certificatePasswordEnv: "M365_EXO_CERTIFICATE_PASSWORD",
            pwsh: "/opt/pwsh",
            disableWam: false,
            reconcile: "changed",
            reconcileRun: "",
            adoptedGrants: [],
            smtpAuthorization: "mailboxPermission",
        });
        const password = "pfx-password-!$'";
        const step = new ExchangeMailboxAccess("unit", {
            access,
            connection,
            tenantId: "tenant",
            appId: "app",
            servicePrincipalObjectId: "sp",
            displayName: "Unit",
            certificatePassword: pulumi.secret(password),
        });
        assert.ok((await resolve(step.command.urn)).value.includes(`${componentTypes.mailboxAccess}$`), "the command is the component's child");
        const commands = declared.filter((r) => r.type === resourceTypes.command);
        assert.strictEqual(commands.length, 1, "one Exchange session per update, however many mailboxes");
        const [inputs] = commands.map((r) => r.inputs);
        assert.deepStrictEqual([inputs.create, inputs.update, inputs.delete], [exchangeScripts.sync, exchangeScripts.sync, exchangeScripts.remove]);
        assert.strictEqual(inputs.interpreter[0], "/opt/pwsh");
        assert.strictEqual(inputs.environment.M365_EXO_APP_ID, "11111111-2222-3333-4444-555555555555");
        assert.strictEqual(inputs.environment.M365_SP_OBJECT_ID, "sp");
        assert.ok(mailboxVariableName("in@contoso.com") in inputs.environment);
        assert.strictEqual(inputs.environment[passwordOnStdinVariable], "true");
        assert.ok(!JSON.stringify(inputs.environment).includes(password), "the password is not in the environment");
        assert.ok(!inputs.interpreter.join(" ").includes(password), "nor on the command line");
        assert.strictEqual(secretInput(inputs.stdin), password, "it goes on stdin, as a secret");
        const granted = await resolve(step.mailboxesGranted);
        assert.deepStrictEqual(granted.value, ["in@contoso.com"]);
        assert.strictEqual(granted.secret, false, "the granted mailboxes stay readable");
    });
});
