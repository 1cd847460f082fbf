/**
 * npm run verify -- --stack dev   (or the same values as flags; the secret only from M365_CLIENT_SECRET)
 *
 * Proves the deployed credentials end to end: a client-credentials token from Entra ID, then per mailbox and
 * protocol a real login over IMAP (implicit TLS, SELECT INBOX), POP3 (implicit TLS, STAT) and SMTP (STARTTLS,
 * AUTH; with --send a message to itself). Every failure is mapped to the setup step that fixes it. The secret and
 * the token are never printed. The parts: verify/token.ts, imap.ts, pop3.ts, smtp.ts, diagnosis.ts, run.ts, cli.ts.
 */
import { runMain } from "./cliMain";
import { main } from "./verify/cli";

export { main, parseArgs, parseDuration, targetFromStack, usage } from "./verify/cli";
export { explainMailError, explainTokenError } from "./verify/diagnosis";
export { renderTable, verify, verifyOnce } from "./verify/run";
export { saslXoauth2 } from "./verify/sasl";
export { tokenRoles } from "./verify/token";

if (require.main === module) {
    runMain(main);
}
