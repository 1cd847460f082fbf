/**
 * m365-mail-oauth policy pack: pulumi preview --policy-pack policy
 */
// The package root re-exports a declaration its 1.21 release does not ship; the types live in ./policy.
import { PolicyPack } from "@pulumi/policy/policy";
import { policies } from "./policies";
import { configNamespace } from "../facts/project";

new PolicyPack(configNamespace, { policies });
