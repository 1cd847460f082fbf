/**
 * Synthetic stacks for `npm run status`: a project folder with Pulumi.<stack>.yaml files and a local file backend
 * holding each stack's checkpoint and one update in its history, laid out as Pulumi 3.248's DIY backend writes them
 * (tools/status/stateReader.ts). The benchmark times status over 200 of them; the tests read them back.
 */
import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";
import { encodeStateText, RecordedExchangeState, stateMarker } from "../../components/exchangeMailboxAccess/exchangeRecord";
import { dayMs } from "../../config/rfc3339";
import { configNamespace, resourceTypes } from "../../facts/project";

export interface SyntheticStack {
    readonly name: string;
    readonly rotation: number;
    /** Days from now to the current secret's end. */
    readonly secretDaysLeft: number;
    /** Days since the current secret was made. */
    readonly secretAgeDays: number;
    readonly mailboxes: readonly string[];
    /** Mailboxes the Exchange step failed on. */
    readonly failing?: readonly string[];
    /** The stack file's displayName differs from the deployed one. */
    readonly configEdited?: boolean;
    readonly lastUpdateFailed?: boolean;
}

const day = (now: Date, days: number) => new Date(now.getTime() + days * dayMs).toISOString();

function settings(stack: SyntheticStack, displayName: string): Record<string, unknown> {
    return {
        [`${configNamespace}:displayName`]: displayName,
        [`${configNamespace}:secretRotation`]: String(stack.rotation),
        [`${configNamespace}:mailboxes`]: stack.mailboxes.map((address) => ({ address, protocols: ["imap", "smtp"] })),
        [`${configNamespace}:exchange`]: { organization: "contoso.onmicrosoft.com", auth: "interactive" },
    };
}

function record(stack: SyntheticStack): RecordedExchangeState {
    const failing = new Set(stack.failing ?? []);
    return {
        version: 2,
        reconcileRun: "",
        mailboxes: Object.fromEntries(
            stack.mailboxes.map((address) => [
                address,
                {
                    address,
                    want: { address } as RecordedExchangeState["mailboxes"][string]["want"],
                    owns: { fullAccess: true, sendAs: true },
                    before: {},
                    failed: failing.has(address) ? "Set-Mailbox: the operation couldn't be performed" : null,
                },
            ]),
        ),
        organization: null,
        failures: [...failing].map((address) => ({ address, message: "Set-Mailbox: the operation couldn't be performed" })),
    };
}

/** Writes the project's Pulumi.yaml, the stack files and the backend's state and history for these stacks. */
export function writeSyntheticStacks(root: string, backend: string, stacks: readonly SyntheticStack[], now: Date): void {
    const project = configNamespace;
    fs.mkdirSync(root, { recursive: true });
    fs.writeFileSync(path.join(root, "Pulumi.yaml"), `name: ${project}\nruntime: nodejs\nbackend:\n  url: file://${backend}\n`);
    fs.mkdirSync(path.join(backend, ".pulumi"), { recursive: true });
    fs.writeFileSync(path.join(backend, ".pulumi", "meta.yaml"), "version: 1\n");
    const stacksDir = path.join(backend, ".pulumi", "stacks", project);
    fs.mkdirSync(stacksDir, { recursive: true });
    for (const stack of stacks) {
        const deployedConfig = settings(stack, `Mail OAuth ${stack.name}`);
        const fileConfig = stack.configEdited ? settings(stack, `Mail OAuth ${stack.name} renamed`) : deployedConfig;
        fs.writeFileSync(path.join(root, `Pulumi.${stack.name}.yaml`), stringify({ config: fileConfig }));
        const keyId = `key-${stack.name}-${stack.rotation}`;
        const created = day(now, -stack.secretAgeDays);
        const outputs: Record<string, unknown> = {
            secretRotation: stack.rotation,
            clientSecretKeyId: keyId,
            clientSecretExpiresAt: day(now, stack.secretDaysLeft),
            exchangeMailboxesGranted: stack.mailboxes.filter((address) => !stack.failing?.includes(address)),
            ...(stack.rotation > 0 ? { previousClientSecretExpiresAt: day(now, stack.secretDaysLeft - stack.secretAgeDays) } : {}),
        };
        const urn = (type: string, name: string) => `urn:pulumi:${stack.name}::${project}::${type}::${name}`;
        const resources = [
            { urn: urn("pulumi:pulumi:Stack", `${project}-${stack.name}`), type: "pulumi:pulumi:Stack", outputs, created, modified: created },
            { urn: urn(resourceTypes.password, "mail-app-secret-a"), type: resourceTypes.password, outputs: { keyId }, created, modified: created },
            {
                urn: urn(resourceTypes.command, "exchange"),
                type: resourceTypes.command,
                outputs: { stdout: `${stateMarker}${encodeStateText(JSON.stringify(record(stack)))}` },
                created,
                modified: created,
            },
        ];
        const checkpoint = { version: 3, checkpoint: { stack: `organization/${project}/${stack.name}`, latest: { resources } } };
        fs.writeFileSync(path.join(stacksDir, `${stack.name}.json`), JSON.stringify(checkpoint));
        const history = path.join(backend, ".pulumi", "history", project, stack.name);
        fs.mkdirSync(history, { recursive: true });
        const seconds = Math.floor(now.getTime() / 1000) - 3600;
        const update = {
            kind: "update",
            startTime: seconds,
            config: deployedConfig,
            result: stack.lastUpdateFailed ? "failed" : "succeeded",
            endTime: seconds + 60,
        };
        fs.writeFileSync(path.join(history, `${stack.name}-${seconds}000000000.history.json`), JSON.stringify(update));
    }
}

/** A fleet: most stacks healthy, some near their secret's end, some after a rotation, a few failing or edited. */
export function fleet(count: number): SyntheticStack[] {
    return Array.from({ length: count }, (_, i) => ({
        name: `customer-${String(i).padStart(3, "0")}`,
        rotation: i % 3,
        secretDaysLeft: i % 10 === 0 ? 12 : 120,
        secretAgeDays: i % 6 === 1 ? 30 : 3,
        mailboxes: [`edi-${i}@contoso.com`, `orders-${i}@contoso.com`, `archive-${i}@contoso.com`],
        ...(i % 25 === 0 ? { failing: [`orders-${i}@contoso.com`] } : {}),
        ...(i % 20 === 7 ? { configEdited: true } : {}),
    }));
}
