import * as fs from "fs";
import * as path from "path";

/**
 * The project root: the folder with Pulumi.yaml. Found by walking up, because this file runs both from the
 * sources (Pulumi's ts-node) and from the compiled `bin/` tree (tests, benchmark).
 */
export function projectRoot(start: string = __dirname): string {
    let dir = start;
    for (;;) {
        if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) {
            return dir;
        }
        const parent = path.dirname(dir);
        if (parent === dir) {
            throw new Error(`Pulumi.yaml not found above ${start}`);
        }
        dir = parent;
    }
}
