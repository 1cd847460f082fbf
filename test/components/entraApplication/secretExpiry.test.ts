import * as assert from "assert";
import { diffSecretExpiry, expiryFrom, secretExpiryProvider } from "../../../components/entraApplication/secretExpiry";

describe("secret expiry", () => {
    it("is the creation time plus the lifetime, to the second", () => {
        assert.strictEqual(expiryFrom(new Date("2026-11-22T10:11:12.345Z"), 180), "2027-05-21T10:11:12Z");
        assert.strictEqual(expiryFrom(new Date("2024-02-28T00:00:00Z"), 1), "2024-02-29T00:00:00Z");
    });

    it("is replaced only when the rotation changes; a new lifetime is an update", () => {
        assert.deepStrictEqual(diffSecretExpiry({ lifetimeDays: 180, rotation: 1 }, { lifetimeDays: 180, rotation: 1 }).changes, false);
        assert.deepStrictEqual(diffSecretExpiry({ lifetimeDays: 180, rotation: 1 }, { lifetimeDays: 90, rotation: 1 }).replaces, []);
        assert.deepStrictEqual(diffSecretExpiry({ lifetimeDays: 180, rotation: 1 }, { lifetimeDays: 180, rotation: 2 }).replaces, ["rotation"]);
    });

    it("computes the date at create and keeps it on update", async () => {
        const before = Date.now();
        const created = await secretExpiryProvider.create({ lifetimeDays: 30, rotation: 3 });
        const expiresAt = Date.parse(created.outs.expiresAt);
        assert.ok(expiresAt >= before - 1000 + 30 * 86400000 && expiresAt <= Date.now() + 30 * 86400000);
        const updated = await secretExpiryProvider.update!(created.id, created.outs, { lifetimeDays: 90, rotation: 3 });
        assert.strictEqual(updated.outs?.expiresAt, created.outs.expiresAt);
    });
});
