/**
 * The IMAP check: implicit TLS, AUTHENTICATE XOAUTH2, SELECT INBOX, LOGOUT.
 *
 * Our own small client: imapflow sends the SASL initial response inline whether or not the server announces
 * SASL-IR (RFC 4959), and prefers OAUTHBEARER where offered; Microsoft documents XOAUTH2, and without SASL-IR the
 * response belongs on its own line after the server's "+" continuation.
 */
import { LineClient } from "./lineClient";
import { saslXoauth2 } from "./sasl";
import { Server } from "./types";

/** Reads until the tagged completion of `tag`, collecting untagged lines; "+" continuations are returned too. */
async function until(client: LineClient, tag: string, step: string): Promise<{ status: string; untagged: string[] }> {
    const untagged: string[] = [];
    for (;;) {
        const line = await client.readLine(step);
        if (line.startsWith(`${tag} `)) {
            return { status: line.slice(tag.length + 1), untagged };
        }
        if (line.startsWith("+")) {
            return { status: line, untagged };
        }
        untagged.push(line);
    }
}

function capabilitiesIn(lines: string[]): Set<string> {
    const found = new Set<string>();
    for (const line of lines) {
        const match = /CAPABILITY ([^\]]*)/i.exec(line);
        match?.[1].split(" ").forEach((capability) => found.add(capability.toUpperCase()));
    }
    return found;
}

export async function checkImap(server: Server, user: string, token: string, timeoutMs: number): Promise<string> {
    const client = await LineClient.connect("IMAP", server, timeoutMs);
    try {
        const greeting = await client.readLine("greeting");
        if (!greeting.startsWith("* OK")) throw new Error(`IMAP greeting: ${greeting}`);
        let capabilities = capabilitiesIn([greeting]);
        if (capabilities.size === 0) {
            client.send("c1 CAPABILITY");
            capabilities = capabilitiesIn((await until(client, "c1", "CAPABILITY")).untagged);
        }
        const response = saslXoauth2(user, token);
        let answer: string;
        if (capabilities.has("SASL-IR")) {
            client.send(`a1 AUTHENTICATE XOAUTH2 ${response}`);
            answer = (await until(client, "a1", "AUTHENTICATE")).status;
        } else {
            client.send("a1 AUTHENTICATE XOAUTH2");
            const go = (await until(client, "a1", "AUTHENTICATE")).status;
            if (!go.startsWith("+")) throw new Error(`IMAP AUTHENTICATE XOAUTH2 refused: ${go}`);
            client.send(response);
            answer = (await until(client, "a1", "AUTHENTICATE")).status;
        }
        if (answer.startsWith("+")) {
            // An error description as a challenge: an empty line ends the exchange, then the tagged NO follows.
            client.send("");
            answer = (await until(client, "a1", "AUTHENTICATE")).status;
        }
        if (!answer.startsWith("OK")) throw new Error(`IMAP AUTHENTICATE XOAUTH2 refused: ${answer}`);
        client.send("a2 SELECT INBOX");
        const selected = await until(client, "a2", "SELECT INBOX");
        if (!selected.status.startsWith("OK")) throw new Error(`IMAP SELECT INBOX: ${selected.status}`);
        const exists = selected.untagged.map((line) => /^\* (\d+) EXISTS/i.exec(line)?.[1]).find((count) => count !== undefined) ?? "0";
        client.send("a3 LOGOUT");
        await until(client, "a3", "LOGOUT").catch(() => undefined);
        return `INBOX selected, ${exists} message(s)`;
    } finally {
        client.close();
    }
}
