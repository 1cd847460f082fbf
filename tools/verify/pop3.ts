/**
 * The POP3 check: implicit TLS, AUTH XOAUTH2, STAT, QUIT.
 *
 * Our own small client: node-pop3, the maintained one, always logs in with USER/PASS before any command and has
 * no SASL, so it cannot do AUTH XOAUTH2, let alone with the continuation a long token needs (a POP3 command line
 * is at most 255 octets, RFC 2449; a real Entra token makes the inline form several KB).
 */
import { LineClient } from "./lineClient";
import { fitsInline, lineLimits, saslXoauth2 } from "./sasl";
import { Server } from "./types";

export async function checkPop(server: Server, user: string, token: string, timeoutMs: number): Promise<string> {
    const client = await LineClient.connect("POP3", server, timeoutMs);
    try {
        const greeting = await client.readLine("greeting");
        if (!greeting.startsWith("+OK")) throw new Error(`POP3 greeting: ${greeting}`);
        const response = saslXoauth2(user, token);
        let answer: string;
        if (fitsInline("AUTH XOAUTH2", response, lineLimits.pop)) {
            client.send(`AUTH XOAUTH2 ${response}`);
            answer = await client.readLine("AUTH");
        } else {
            // RFC 5034: the command alone, the server's "+" continuation, then the response on its own line.
            client.send("AUTH XOAUTH2");
            const go = await client.readLine("AUTH");
            if (!go.startsWith("+")) throw new Error(`POP3 AUTH XOAUTH2 refused: ${go}`);
            client.send(response);
            answer = await client.readLine("AUTH");
        }
        if (answer.startsWith("+ ") || answer === "+") {
            // The server sent an error description as a challenge; an empty line ends the exchange.
            client.send("");
            answer = await client.readLine("AUTH");
        }
        if (!answer.startsWith("+OK")) throw new Error(`POP3 AUTH XOAUTH2 refused: ${answer}`);
        client.send("STAT");
        const stat = await client.readLine("STAT");
        if (!stat.startsWith("+OK")) throw new Error(`POP3 STAT: ${stat}`);
        client.send("QUIT");
        await client.readLine("QUIT").catch(() => "");
        return `STAT ${stat.slice(4)}`;
    } finally {
        client.close();
    }
}
