// ESLint (flat config) with typescript-eslint, run by `npm run lint` (part of `npm test`). Formatting is prettier's.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

/** A floor's files may not import from the floors above it. */
function floor(name, above, extra = []) {
    const upward = above.map((higher) => ({
        group: [`../${higher}/*`, `../../${higher}/*`, `../${higher}/**`, `../../${higher}/**`],
        message: `${name}/ is a lower floor than ${higher}/: move what both need down to ${name}/ or below.`,
    }));
    return { files: [`${name}/**/*.ts`], rules: { "no-restricted-imports": ["error", { patterns: [...extra, ...upward] }] } };
}

export default tseslint.config(
    { ignores: ["bin/**", "node_modules/**", "policy/node_modules/**", ".tools/**", "config/stack-config.schema.json"] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        languageOptions: { parserOptions: { ecmaVersion: 2022, sourceType: "module" } },
        rules: {
            // Test doubles and JSON read from outside are loosely typed on purpose.
            "@typescript-eslint/no-explicit-any": "off",
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
            // CommonJS require is how the program loads itself under the mock engine and how some packages ship.
            "@typescript-eslint/no-require-imports": "off",
        },
    },
    {
        // The entry point pulumi runs is plain CommonJS for Node.js (it runs before any TypeScript compiler).
        files: ["program.js"],
        languageOptions: { sourceType: "commonjs", globals: { require: "readonly", module: "writable", __dirname: "readonly", process: "readonly" } },
    },
    // The floors, lowest first: facts/, config/, plan/, components/, then index.ts and tools/. A lower floor never
    // imports a higher one; plan/ also stays pure (decide, then declare).
    floor("facts", ["config", "plan", "components", "tools"]),
    floor("config", ["plan", "components", "tools"]),
    floor(
        "plan",
        ["components", "tools"],
        [{ group: ["@pulumi/*"], message: "plan/ is pure: resources are declared in components/, from what plan/ decides." }],
    ),
    floor("components", ["tools"]),
);
