/**
 * The JSON Schema of a `Pulumi.<stack>.yaml` file, generated from the config schema, so editors complete and check
 * the config (the stack files name it in a `yaml-language-server` comment). `npm run generate` writes it to
 * config/stack-config.schema.json; a test fails when the committed file is not what the schema gives.
 */
import { z } from "zod";
import { configNamespace } from "../facts/project";
import { configShape } from "./schema";
import { secretKeys } from "./validate";

export const stackFileSchemaPath = "config/stack-config.schema.json";

/** A secret as `pulumi config set --secret` writes it. */
const encryptedValue = { type: "object", properties: { secure: { type: "string" } }, required: ["secure"], additionalProperties: false };

/**
 * `pulumi config set KEY 1` and `pulumi config set KEY true` store strings ("1", "true"), which the program reads
 * as the number and the boolean (Pulumi's own rule for plain config values): a top-level number or boolean key
 * accepts that string form too, so a stack file the CLI wrote never shows as invalid in an editor.
 */
function acceptingCliStrings(schema: Record<string, unknown>): Record<string, unknown> {
    const { description, default: defaultValue, ...rest } = schema;
    const label = { ...(description === undefined ? {} : { description }), ...(defaultValue === undefined ? {} : { default: defaultValue }) };
    if (rest.type === "integer") {
        return { ...label, anyOf: [rest, { type: "string", pattern: "^[0-9]+$" }] };
    }
    if (rest.type === "boolean") {
        return { ...label, anyOf: [rest, { type: "string", enum: ["true", "false"] }] };
    }
    return schema;
}

export function stackFileJsonSchema(): Record<string, unknown> {
    const properties: Record<string, unknown> = {
        "azuread:tenantId": { type: "string", description: "The Entra ID tenant (Directory ID) the azuread provider and the Exchange step work in." },
    };
    for (const [key, schema] of Object.entries(configShape)) {
        // The input side: what a stack file holds before defaults are filled in.
        const generated = z.toJSONSchema(schema as z.ZodType, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
        delete generated.$schema;
        properties[`${configNamespace}:${key}`] = (secretKeys as readonly string[]).includes(key)
            ? { description: generated.description, anyOf: [encryptedValue] }
            : acceptingCliStrings(generated);
    }
    return {
        $schema: "https://json-schema.org/draft/2020-12/schema",
        title: `${configNamespace} stack configuration (Pulumi.<stack>.yaml)`,
        type: "object",
        properties: {
            config: {
                type: "object",
                properties,
                // Other providers' keys (azure-native:subscriptionId, ...) are theirs to check.
                // patternProperties apply beside properties, so the pattern itself leaves the known keys out.
                patternProperties: {
                    [`^${configNamespace}:(?!(${Object.keys(configShape).join("|")})$)`]: { not: {}, description: "unknown key of this project" },
                },
                additionalProperties: true,
            },
            encryptionsalt: { type: "string" },
            secretsprovider: { type: "string" },
            encryptedkey: { type: "string" },
        },
        additionalProperties: true,
    };
}
