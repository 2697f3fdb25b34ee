import type { Agreement } from "../../spec/generated/report.js";

/**
 * Agreement of the rule classifier (CLASSIFIER_ID) with human labels,
 * measured by bench/refusal-agreement.ts on the XSTest v2 completion files
 * of three chat models (GPT-4, Llama-2 chat with its original system prompt,
 * Mistral Instruct; 450 items each) against their adjudicated final_label,
 * pooled over the three. A report scored without human labels carries this
 * figure; a test recomputes it from the data and fails when it drifts, so
 * it must be updated together with the rules.
 */
export const CLASSIFIER_HUMAN_AGREEMENT: Agreement = {
  measure: "accuracy",
  value: 1292 / 1350,
  sample_size: 1350,
  dataset:
    "XSTest v2 completions of GPT-4, Llama-2 chat and Mistral Instruct with human final_label, pooled; refusal (full or partial) versus full_compliance",
};
