import { saslXoauth2 } from "./sasl";

/** Replaces every secret value (and its base64 forms) in a message: the secret and the token never leave. */
export class Redactor {
    private readonly secrets = new Set<string>();

    add(value: string | undefined): void {
        if (value && value.length >= 4) {
            this.secrets.add(value);
            this.secrets.add(Buffer.from(value).toString("base64"));
        }
    }

    addSasl(user: string, token: string): void {
        this.add(saslXoauth2(user, token));
    }

    clean(text: string): string {
        let result = text;
        for (const secret of [...this.secrets].sort((a, b) => b.length - a.length)) {
            result = result.split(secret).join("[redacted]");
        }
        return result;
    }
}
