/**
 * Loaded before every suite (.mocharc.json `require`): the tests see an empty local file backend, never the state of
 * stacks someone deployed from this machine (the offline review reads a deployed secret's end date from there).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const folder = fs.mkdtempSync(path.join(os.tmpdir(), "m365-test-backend-"));
process.env.PULUMI_BACKEND_URL = `file://${folder}`;
process.on("exit", () => fs.rmSync(folder, { recursive: true, force: true }));
