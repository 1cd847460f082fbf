/**
 * A line-oriented client over implicit TLS, for the IMAP and POP3 checks: connect, read a line, send a line, each
 * step bounded by a timeout, so a server that accepts and then stalls is reported instead of waited on.
 */
import * as tls from "tls";
import { Server, withTimeout } from "./types";

export class LineClient {
    private buffer = "";
    private readonly waiting: ((line: string) => void)[] = [];
    private failure: Error | undefined;
    private readonly socket: tls.TLSSocket;

    private constructor(
        private readonly what: string,
        server: Server,
        private readonly timeoutMs: number,
    ) {
        this.socket = tls.connect({ host: server.host, port: server.port, servername: /^[\d.]+$/.test(server.host) ? undefined : server.host });
        this.socket.setEncoding("utf8");
        this.socket.on("data", (chunk: string) => {
            this.buffer += chunk;
            let index: number;
            while ((index = this.buffer.indexOf("\r\n")) >= 0 && this.waiting.length > 0) {
                const line = this.buffer.slice(0, index);
                this.buffer = this.buffer.slice(index + 2);
                this.waiting.shift()!(line);
            }
        });
        const fail = (error: Error) => {
            this.failure = error;
            while (this.waiting.length > 0) this.waiting.shift()!("");
        };
        this.socket.on("error", fail);
        this.socket.on("close", () => fail(new Error(`${what} connection closed`)));
    }

    static async connect(what: string, server: Server, timeoutMs: number): Promise<LineClient> {
        const client = new LineClient(what, server, timeoutMs);
        await withTimeout(
            new Promise<void>((resolve, reject) => {
                client.socket.once("secureConnect", () => resolve());
                client.socket.once("error", reject);
            }),
            timeoutMs,
            `${what} ${server.host}:${server.port}`,
        ).catch((error) => {
            client.close();
            throw error;
        });
        return client;
    }

    readLine(step: string): Promise<string> {
        return withTimeout(
            new Promise<string>((resolve, reject) => {
                if (this.failure) return reject(this.failure);
                const index = this.buffer.indexOf("\r\n");
                if (index >= 0) {
                    const line = this.buffer.slice(0, index);
                    this.buffer = this.buffer.slice(index + 2);
                    return resolve(line);
                }
                this.waiting.push((line) => (this.failure ? reject(this.failure) : resolve(line)));
            }),
            this.timeoutMs,
            `${this.what} ${step}`,
        );
    }

    send(line: string): void {
        this.socket.write(`${line}\r\n`);
    }

    close(): void {
        this.socket.destroy();
    }
}
