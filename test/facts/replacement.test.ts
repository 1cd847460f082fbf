/**
 * The replace-forcing inputs (facts/replacement.ts) are read from particular provider versions; an upgrade of one
 * must be reviewed against the new provider before the change review and the replay trust the table again.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { replacementReadFrom, replacingChanges, replacingInputs } from "../../facts/replacement";
import { resourceTypes } from "../../facts/project";
import { projectRoot } from "../../facts/projectRoot";

const lock = JSON.parse(fs.readFileSync(path.join(projectRoot(), "package-lock.json"), "utf8")) as { packages: Record<string, { version: string }> };

describe("replace-forcing inputs", () => {
    for (const [pkg, version] of Object.entries(replacementReadFrom)) {
        it(`were read from ${pkg} ${version}, the version the lock file holds`, () => {
            assert.strictEqual(
                lock.packages[`node_modules/${pkg}`]?.version,
                version,
                `${pkg} moved: re-read its replace-forcing inputs into facts/replacement.ts, then record the new version there`,
            );
        });
    }

    it("cover every resource type the program declares", () => {
        assert.deepStrictEqual(
            Object.values(resourceTypes).filter((type) => !(type in replacingInputs) && !type.startsWith("pulumi:providers:")),
            [],
        );
    });
});

describe("dropped optional inputs the provider computes", () => {
    it("are no replace: a secret without endDate or displayName keeps the state's (Optional + Computed)", () => {
        const state = { applicationId: "/applications/a", displayName: "s", endDate: "2027-01-01T00:00:00Z", rotateWhenChanged: { rotation: "1" } };
        assert.deepStrictEqual(replacingChanges(resourceTypes.password, state, { applicationId: "/applications/a", rotateWhenChanged: { rotation: "1" } }), []);
        assert.deepStrictEqual(replacingChanges(resourceTypes.password, state, { ...state, endDate: "2028-01-01T00:00:00Z" }), ["endDate"]);
    });
});
