/**
 * The rules as Pulumi policies. Kept apart from the PolicyPack so tests can run them without the analyzer.
 */
import { ResourceValidationPolicy } from "@pulumi/policy/policy";
import { RuleConfig, defaultRuleConfig, rules } from "./rules";

export const policies: ResourceValidationPolicy[] = rules.map(({ name, description, rule, enforcementLevel }) => ({
    name,
    description,
    enforcementLevel: enforcementLevel ?? "mandatory",
    configSchema:
        name === "secret-lifetime-at-most"
            ? { properties: { maxSecretLifetimeDays: { type: "integer", minimum: 1, maximum: 730, default: defaultRuleConfig.maxSecretLifetimeDays } } }
            : undefined,
    validateResource: (args, reportViolation) => {
        const config: RuleConfig = name === "secret-lifetime-at-most" ? { ...defaultRuleConfig, ...args.getConfig<Partial<RuleConfig>>() } : defaultRuleConfig;
        for (const violation of rule({ type: args.type, props: args.props, stackTags: args.stackTags }, config)) {
            reportViolation(violation);
        }
    },
}));
