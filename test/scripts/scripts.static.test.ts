/**
 * The Exchange Online scripts, checked without PowerShell: they parse, every Exchange cmdlet call uses only
 * parameters Microsoft documents for Exchange Online (test/fixtures/exchange-cmdlets.json, a copy of the parameters parsed from MicrosoftDocs/office-docs-powershell, each cmdlet with its commit) in a valid
 * parameter set, nothing prompts, and no value is ever spliced into code.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { planAccess } from "../../plan/accessPlan";
import { identityEnvironment, passwordOnStdinVariable, staticExchangeEnvironment } from "../../components/exchangeMailboxAccess/exchangeEnvironment";
import { exchangeScriptFiles, exchangeScripts } from "../../components/exchangeMailboxAccess/scriptFiles";
import { projectRoot } from "../../facts/projectRoot";
import { ExchangeAuthMode } from "../../config/choices";
import { ExchangeConnectionConfig, exchangeConnectionFrom } from "../../config/settings";
import { CommandCall, ParsedScript, descendants, parseScript, splatKeys } from "./powershellParser";
import { readingEnvironment } from "../../tools/tenant/exchangeApp";

interface CmdletReference {
    parameterSets: string[][];
    parameterSetsMandatory: string[][];
    parameters: Record<string, { exchangeOnline: boolean; deprecated: boolean; internalUse: boolean }>;
}

const root = projectRoot();
const reference = JSON.parse(fs.readFileSync(path.join(root, "test", "fixtures", "exchange-cmdlets.json"), "utf8")) as {
    commonParameters: string[];
    cmdlets: Record<string, CmdletReference>;
};

/** PowerShell's own cmdlets the scripts may use; anything else must be an Exchange cmdlet from the reference. */
const powershellCmdlets = new Set(
    [
        "ConvertFrom-Json",
        "ConvertTo-Json",
        "ConvertTo-SecureString",
        "Export-ModuleMember",
        "ForEach-Object",
        "Get-ChildItem",
        "Get-Module",
        "Get-Command",
        "Import-Module",
        "Join-Path",
        "Out-Null",
        "Select-Object",
        "Set-StrictMode",
        "Sort-Object",
        "Start-Sleep",
        "Test-Path",
        "Where-Object",
    ].map((name) => name.toLowerCase()),
);

/** Ways to run a string as code; none may appear. */
const forbiddenCommands = ["invoke-expression", "iex", "add-type", "invoke-command", "start-process", "new-module"];

const scriptFiles = exchangeScriptFiles();
/** A file of the module's Public/ or Private/ folder: one function, named as the file. */
const isFunctionFile = (file: string) => /\/(Public|Private)\/[^/]+\.ps1$/.test(file);
let scripts: ParsedScript[] = [];

/**
 * Exchange Online module cmdlets Microsoft documents that the reference file does not list, with their documented
 * parameter sets: Get-ConnectionInformation (module 3.0+: Default, -ConnectionId, -ModulePrefix).
 */
const documentedElsewhere: Record<string, CmdletReference> = {
    "Get-ConnectionInformation": {
        parameterSets: [[], ["ConnectionId"], ["ModulePrefix"]],
        parameterSetsMandatory: [[], ["ConnectionId"], ["ModulePrefix"]],
        parameters: {
            ConnectionId: { exchangeOnline: true, deprecated: false, internalUse: false },
            ModulePrefix: { exchangeOnline: true, deprecated: false, internalUse: false },
        },
    },
};

function lookup(name: string): [string, CmdletReference] | undefined {
    const entry = Object.entries({ ...reference.cmdlets, ...documentedElsewhere }).find(([cmdlet]) => cmdlet.toLowerCase() === name.toLowerCase());
    return entry;
}

function exchangeCalls(): { script: ParsedScript; call: CommandCall; cmdlet: string; ref: CmdletReference }[] {
    return scripts.flatMap((script) =>
        script.commands.flatMap((call) => {
            const found = lookup(call.name);
            return found ? [{ script, call, cmdlet: found[0], ref: found[1] }] : [];
        }),
    );
}

/** The Set-CASMailbox parameters the Exchange scripts may set on a mailbox: their one table. */
function mailboxSettingNames(): string[] {
    const state = fs.readFileSync(path.join(projectRoot(), exchangeScripts.module), "utf8");
    const list = /^\$script:MailboxSettingNames = @\(([^)]*)\)/m.exec(state);
    assert.ok(list, "ExchangeMailAccess.psm1 defines $script:MailboxSettingNames");
    return [...list[1].matchAll(/'([^']+)'/g)].map((match) => match[1]);
}

describe("Exchange PowerShell scripts", () => {
    before(async () => {
        scripts = await Promise.all(scriptFiles.map((file) => parseScript(path.join(root, file))));
    });

    it("all parse without errors", () => {
        for (const [index, script] of scripts.entries()) {
            assert.deepStrictEqual(script.errors, [], `${script.file} has parse errors`);
            // A manifest is data (one hashtable); a function file defines its function; every other script has commands.
            if (script.file.endsWith(".psd1")) assert.strictEqual(script.commands.length, 0, `${script.file} is data`);
            else if (!isFunctionFile(scriptFiles[index])) assert.ok(script.commands.length > 0, `${script.file} has commands`);
        }
    });

    it("hold one function per file in the module, named as its file; Public/ holds exactly the manifest's exports", () => {
        const functionFiles = scriptFiles.filter(isFunctionFile);
        assert.ok(functionFiles.length > 50, `only ${functionFiles.length} function files`);
        for (const file of functionFiles) {
            const script = scripts.find((parsed) => parsed.file === path.basename(file));
            assert.deepStrictEqual(script?.functions, [path.basename(file, ".ps1")], `${file} defines exactly the function it is named after`);
        }
        const manifest = fs.readFileSync(path.join(root, exchangeScripts.manifest), "utf8");
        const exported = [...(/FunctionsToExport\s*=\s*@\(([^)]*)\)/.exec(manifest)?.[1] ?? "").matchAll(/'([^']+)'/g)].map((match) => match[1]);
        const publicFiles = functionFiles.filter((file) => file.includes("/Public/")).map((file) => path.basename(file, ".ps1"));
        assert.deepStrictEqual([...publicFiles].sort(), [...exported].sort());
        // Only the entry scripts and the module's files: no function is defined anywhere else.
        for (const script of scripts.filter((parsed) => !functionFiles.some((file) => path.basename(file) === parsed.file))) {
            assert.deepStrictEqual(script.functions, [], `${script.file} defines functions`);
        }
    });

    it("the checker sees a broken script as broken", async () => {
        const broken = path.join(root, "bin", "broken.ps1");
        fs.writeFileSync(broken, "function Broken {\n  if ($x { Add-MailboxPermission -Identity $a\n");
        try {
            assert.ok((await parseScript(broken)).errors.length > 0);
        } finally {
            fs.rmSync(broken);
        }
    });

    it("call only their own functions, PowerShell's cmdlets and documented Exchange cmdlets", () => {
        const defined = new Set(scripts.flatMap((script) => script.functions.map((name) => name.toLowerCase())));
        for (const script of scripts) {
            for (const call of script.commands) {
                const name = call.name.toLowerCase();
                assert.ok(
                    defined.has(name) || powershellCmdlets.has(name) || lookup(name) !== undefined,
                    `${script.file}:${call.line} calls ${call.name}, which is neither defined here, a PowerShell cmdlet, nor in exchange-cmdlets.json`,
                );
            }
        }
    });

    it("call the Exchange cmdlets the manual guides use", () => {
        const called = new Set(exchangeCalls().map((entry) => entry.cmdlet));
        for (const cmdlet of [
            "Connect-ExchangeOnline",
            "Disconnect-ExchangeOnline",
            "New-ServicePrincipal",
            "Remove-ServicePrincipal",
            "Get-MailboxPermission",
            "Add-MailboxPermission",
            "Remove-MailboxPermission",
            "Get-RecipientPermission",
            "Add-RecipientPermission",
            "Remove-RecipientPermission",
            "Get-CASMailbox",
            "Set-CASMailbox",
            "Get-TransportConfig",
            "Set-TransportConfig",
        ]) {
            assert.ok(called.has(cmdlet), `${cmdlet} is never called`);
        }
    });

    it("pass only parameters documented for Exchange Online, not deprecated, in one valid parameter set", () => {
        const common = new Set(reference.commonParameters.map((p) => p.toLowerCase()));
        let checked = 0;
        for (const { script, call, cmdlet, ref } of exchangeCalls()) {
            const where = `${script.file}:${call.line} ${cmdlet}`;
            // Invoke splats a mailbox setting by name (`$op.setting`), refusing any name outside the one table
            // $script:MailboxSettingNames: that key stands for each name of the table.
            const used = [...call.parameters, ...call.splats.flatMap((variable) => splatKeys(script, variable))].flatMap((parameter) =>
                parameter === "$op.setting" ? mailboxSettingNames() : [parameter],
            );
            for (const variable of call.splats) {
                assert.ok(splatKeys(script, variable).length > 0, `${where}: splatted @${variable} has no keys the test can see`);
            }
            const documented = new Map(Object.keys(ref.parameters).map((name) => [name.toLowerCase(), name]));
            for (const parameter of used) {
                if (common.has(parameter.toLowerCase())) {
                    continue;
                }
                const name = documented.get(parameter.toLowerCase());
                assert.ok(name, `${where}: -${parameter} is not a documented parameter`);
                const info = ref.parameters[name];
                assert.ok(info.exchangeOnline, `${where}: -${name} does not apply to Exchange Online`);
                assert.ok(!info.deprecated, `${where}: -${name} is deprecated`);
                assert.ok(!info.internalUse, `${where}: -${name} is reserved for Microsoft`);
            }
            // Splatted calls take optional keys, so only direct calls are held to a complete parameter set.
            if (call.splats.length === 0) {
                const usedNames = new Set(used.map((p) => p.toLowerCase()).filter((p) => !common.has(p)));
                const fits = ref.parameterSets.some((set, index) => {
                    const inSet = new Set(set.map((p) => p.toLowerCase()));
                    // A deprecated parameter shown as mandatory (New-ServicePrincipal -ServiceId) is replaced by
                    // another one; it is never required.
                    const mandatory = ref.parameterSetsMandatory[index].filter((p) => !ref.parameters[p]?.deprecated).map((p) => p.toLowerCase());
                    return [...usedNames].every((p) => inSet.has(p)) && mandatory.every((p) => usedNames.has(p));
                });
                assert.ok(fits, `${where}: -${[...usedNames].join(" -")} fits no parameter set of ${cmdlet}`);
            }
            checked++;
        }
        assert.ok(checked >= 15, `only ${checked} Exchange cmdlet calls found`);
    });

    it("end the process only in the entry scripts: the module's functions throw, the entry scripts exit", () => {
        const entries = new Set([exchangeScripts.sync, exchangeScripts.remove, exchangeScripts.read].map((file) => path.basename(file)));
        const exits = (file: string) =>
            fs
                .readFileSync(path.join(projectRoot(), file), "utf8")
                .split("\n")
                .filter((line) => /^\s*exit\b/.test(line)).length;
        for (const file of scriptFiles) {
            if (entries.has(path.basename(file))) assert.ok(exits(file) > 0, `${file} sets the exit code`);
            else assert.strictEqual(exits(file), 0, `${file} ends the process; throw instead`);
        }
    });

    it("stop on every Exchange error: each Exchange cmdlet call passes -ErrorAction Stop", () => {
        // The module writes its errors from inside its own functions, where the script's $ErrorActionPreference
        // does not reach: only the common parameter on the call makes a failed call stop.
        for (const { script, call, cmdlet } of exchangeCalls()) {
            const splatted = call.splats.flatMap((variable) => splatKeys(script, variable));
            const direct = /-ErrorAction\s+Stop\b/i.test(call.node.text);
            assert.ok(direct || splatted.includes("ErrorAction"), `${script.file}:${call.line} ${cmdlet} without -ErrorAction Stop`);
        }
    });

    it("never let a change cmdlet prompt (every Add/Remove/Set call passes -Confirm)", () => {
        for (const { script, call, cmdlet } of exchangeCalls()) {
            if (/^(Add|Remove|Set)-/.test(cmdlet)) {
                assert.ok(
                    call.parameters.some((p) => p.toLowerCase() === "confirm"),
                    `${script.file}:${call.line} ${cmdlet} without -Confirm`,
                );
            }
        }
    });

    it("grant FullAccess without auto-mapping, and use New-ServicePrincipal -ObjectId, not -ServiceId", () => {
        const add = exchangeCalls().filter((entry) => entry.cmdlet === "Add-MailboxPermission");
        assert.ok(add.length > 0);
        for (const { call } of add) {
            assert.ok(call.parameters.includes("AutoMapping"));
            assert.match(call.node.text, /-AutoMapping \$false/);
            assert.match(call.node.text, /-AccessRights FullAccess/);
        }
        for (const { call } of exchangeCalls().filter((entry) => entry.cmdlet === "New-ServicePrincipal")) {
            assert.ok(call.parameters.includes("ObjectId") && call.parameters.includes("AppId") && !call.parameters.includes("ServiceId"));
        }
    });

    it("run no string as code", () => {
        for (const script of scripts) {
            for (const call of script.commands) {
                assert.ok(!forbiddenCommands.includes(call.name.toLowerCase()), `${script.file}:${call.line} calls ${call.name}`);
            }
            // `& $something` / `. $something`: invoking whatever a variable holds.
            // A literal script block (`& { ... } 3>&1 | Write-StreamReport`) is code written in the file, not a value.
            for (const operator of descendants(script.root, "command_invokation_operator")) {
                const target = operator.parent?.namedChildren.find((child) => child?.type === "command_name_expr");
                const literalBlock = target !== undefined && target !== null && target.text.trimStart().startsWith("{");
                // The module's own parts: the psm1 dot-sources each .ps1 of its own Public/ and Private/ folders.
                const ownPart =
                    target !== undefined &&
                    target !== null &&
                    script.file === path.basename(exchangeScripts.module) &&
                    target.text === "$file.FullName" &&
                    /Get-ChildItem -LiteralPath \(Join-Path -Path \$PSScriptRoot -ChildPath \$folder\) -Filter '\*\.ps1'/.test(script.source);
                assert.ok(
                    !target || literalBlock || ownPart || !/\$/.test(target.text),
                    `${script.file}:${operator.startPosition.row + 1} invokes ${target?.text}`,
                );
            }
            assert.ok(!/\[scriptblock\]::Create|\.InvokeCommand\.|ExpandString|NewScriptBlock/i.test(script.source), `${script.file} builds a script block`);
        }
    });

    it("read exactly the environment the program sets, and nothing else from outside", () => {
        // Every key set: the narrowing keeps those of each sign-in mode, as it does for a stack file; a sovereign
        // cloud, so the Exchange environment's name is set too.
        const connection = (auth: ExchangeAuthMode): ExchangeConnectionConfig =>
            exchangeConnectionFrom(
                {
                    organization: "contoso.onmicrosoft.com",
                    auth,
                    appId: "11111111-2222-3333-4444-555555555555",
                    certificatePath: "/x.pfx",
                    certificatePasswordEnv: "M365_EXO_CERTIFICATE_PASSWORD",
                    managedIdentityAccountId: "22222222-2222-3333-4444-555555555555",
                    userPrincipalName: "admin@contoso.com",
                    pwsh: "pwsh",
                    disableWam: true,
                    reconcile: "all",
                    reconcileRun: "run-1",
                    adoptedGrants: ["a@contoso.com"],
                    smtpAuthorization: "appRbac",
                },
                "usGovGccHigh",
            );
        const set = new Set<string>([
            ...Object.keys(identityEnvironment({ tenantId: "", appId: "", servicePrincipalObjectId: "", displayName: "" })),
            passwordOnStdinVariable,
        ]);
        for (const auth of ["interactive", "certificate", "managedIdentity"] as const) {
            const env = staticExchangeEnvironment(
                planAccess({
                    mailboxes: [{ address: "a@contoso.com", protocols: ["imap", "smtp"] }],
                    smtpAuth: "organization",
                    exchange: { smtpAuthorization: "appRbac" },
                }),
                connection(auth),
                "digest",
            );
            Object.keys(env)
                .filter((name) => !name.startsWith("M365_MAILBOX_"))
                .forEach((name) => set.add(name));
        }
        const source = scripts.map((script) => script.source).join("\n");
        const read = new Set<string>([
            ...[...source.matchAll(/\$env:([A-Za-z0-9_]+)/g)].map((match) => match[1]),
            ...[...source.matchAll(/(?:Get-RequiredSetting|Get-PositiveNumberSetting) -Name '([A-Z0-9_]+)'/g)].map((match) => match[1]),
        ]);
        // Set by the command provider: the previous run's output.
        read.delete("PULUMI_COMMAND_STDOUT");
        // The digest only makes a new script version run once; the scripts need not read it.
        set.delete("M365_SCRIPTS_DIGEST");
        // Optional overrides a deployer (or a test) may export: how long and how often to retry New-ServicePrincipal.
        read.delete("M365_EXO_REGISTRATION_TIMEOUT_SECONDS");
        read.delete("M365_EXO_REGISTRATION_DELAY_SECONDS");
        // PowerShell's own module search path, where the ExchangeOnlineManagement versions are looked for.
        read.delete("PSModulePath");
        // npm run adopt's reading sets these besides the sign-in's (tools/tenant/exchangeApp.ts).
        for (const name of Object.keys(readingEnvironment({ appId: "", servicePrincipalObjectId: "", applicationObjectId: "", mailboxes: [] }))) set.add(name);
        assert.deepStrictEqual([...read].sort(), [...set].sort());
        assert.match(source, /StartsWith\('M365_MAILBOX_'/, "mailboxes are read from the M365_MAILBOX_* variables");
    });

    it("read stdin as UTF-8 on every platform, never through the console's encoding", () => {
        // [Console]::In decodes with the console's input encoding: an OEM code page on Windows, which would turn a
        // non-ASCII PFX password into another one. (On Linux .NET reads UTF-8 either way, so only this check can
        // catch a regression here.)
        const source = scripts.map((script) => script.source).join("\n");
        assert.doesNotMatch(source, /\[Console\]::In\b/);
        assert.match(source, /StreamReader\]::new\(\[Console\]::OpenStandardInput\(\), \[System\.Text\.UTF8Encoding\]::new\(\$false\)\)/);
    });

    it("print on stdout only the recorded state line (the readiness check: only its JSON document)", () => {
        for (const script of scripts) {
            const writes = [...script.source.matchAll(/\[Console\]::Out\.Write(Line)?\(([^)]*)/g)].map((match) => match[2]);
            // The command's scripts print only the state line; the read-only entry script (adopt's and the readiness
            // check's reading) only its one JSON document.
            const allowed = script.file === path.basename(exchangeScripts.read) ? /^\(\$reading \| ConvertTo-Json / : /^\$script:StateMarker \+/;
            for (const written of writes) {
                assert.match(written, allowed, `${script.file} writes ${written} to stdout`);
            }
            for (const call of script.commands) {
                assert.ok(!/^(Write-Host|Write-Output|Write-Information)$/i.test(call.name), `${script.file}:${call.line} ${call.name} reaches stdout`);
            }
        }
    });
});
