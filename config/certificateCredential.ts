/**
 * A public certificate as an app credential, for clients that sign their token requests with a private key
 * instead of sending a secret. Only the public part is read; a file that carries a private key is refused, so the
 * key never enters the program, the state or the preview.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import { rfc3339Seconds } from "./rfc3339";
import { configNamespace } from "../facts/project";

export interface PublicCertificate {
    /** What Entra ID is given: the PEM text, or base64 of the DER bytes. */
    readonly value: string;
    readonly encoding: "pem" | "base64";
    readonly startDate: string;
    readonly endDate: string;
    /** SHA-1 thumbprint, as the portal and the clients show it. */
    readonly thumbprint: string;
    readonly subject: string;
}

/** Parses a PEM or DER public certificate; throws a message that names the config key and the path. */
export function loadPublicCertificate(path: string, read: (path: string) => Buffer = fs.readFileSync): PublicCertificate {
    const where = `${configNamespace}:certificate.publicCertPath: ${JSON.stringify(path)}`;
    let bytes: Buffer;
    try {
        bytes = read(path);
    } catch (error) {
        throw new Error(`${where} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { cause: error });
    }
    const text = bytes.toString("latin1");
    if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) {
        throw new Error(`${where} contains a private key; give the public certificate only, the private key stays with the mail client`);
    }
    const pem = text.includes("-----BEGIN CERTIFICATE-----");
    let certificate: crypto.X509Certificate;
    try {
        certificate = new crypto.X509Certificate(bytes);
    } catch {
        throw new Error(`${where} is not a PEM or DER X.509 certificate`);
    }
    const pemBlock = pem ? (text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/) ?? [""])[0] : "";
    return {
        value: pem ? `${pemBlock}\n` : bytes.toString("base64"),
        encoding: pem ? "pem" : "base64",
        startDate: rfc3339Seconds(new Date(certificate.validFrom)),
        endDate: rfc3339Seconds(new Date(certificate.validTo)),
        thumbprint: certificate.fingerprint.replace(/:/g, ""),
        subject: certificate.subject,
    };
}
