import type {
  Breakdown,
  Elicitation,
  Report,
  Result,
  Scorer,
} from "../../spec/generated/report.js";
import { html, linkOrText, type Markup } from "./escape.js";
import {
  describeInterval,
  formatBounds,
  formatCount,
  formatValue,
  statusMeaning,
  type Unit,
} from "./numbers.js";
import { entryTitle, type ResultEntry, statusBadge, valueCell } from "./result-row.js";

type Fact = [string, Markup | string | number | undefined];

function facts(entries: Fact[]): Markup {
  const present = entries.filter(([, value]) => value !== undefined && value !== "");
  if (present.length === 0) {
    return html``;
  }
  return html`<dl class="facts">${present.map(([label, value]) => html`<dt>${label}</dt><dd>${value}</dd>`)}</dl>`;
}

function elicitationFacts(elicitation: Elicitation | undefined): Fact[] {
  if (elicitation === undefined) {
    return [
      ["Elicitation", "not stated, so no other result can be confirmed to use the same settings"],
    ];
  }
  return [
    [
      "System prompt",
      elicitation.system_prompt_digest === undefined
        ? undefined
        : html`<code>${elicitation.system_prompt_digest}</code>`,
    ],
    ["Temperature", elicitation.temperature],
    ["Top p", elicitation.top_p],
    ["Max tokens", elicitation.max_tokens],
    ["Reasoning", elicitation.reasoning],
    [
      "Tools",
      elicitation.tools === undefined
        ? undefined
        : elicitation.tools.length === 0
          ? "none"
          : elicitation.tools.join(", "),
    ],
    ["Scaffold", elicitation.scaffold],
    ["Max steps", elicitation.max_steps],
    [
      "Time limit",
      elicitation.time_limit_seconds === undefined
        ? undefined
        : `${elicitation.time_limit_seconds} s`,
    ],
  ];
}

function scorerFacts(scorer: Scorer | undefined): Fact[] {
  if (scorer === undefined) {
    return [["Scorer", "not stated"]];
  }
  const agreement = scorer.human_agreement;
  return [
    ["Scorer", scorer.kind.replace(/_/g, " ")],
    ["Scorer id", scorer.id],
    ["Judge model", scorer.judge_model],
    [
      "Judge prompt",
      scorer.judge_prompt_digest === undefined
        ? undefined
        : html`<code>${scorer.judge_prompt_digest}</code>`,
    ],
    ["Judge temperature", scorer.judge_temperature],
    ["Unparseable verdicts", scorer.parse_failures],
    [
      "Agreement with humans",
      agreement === undefined
        ? undefined
        : `${agreement.measure.replace(/_/g, " ")} ${agreement.value.toFixed(3)} on ${formatCount(agreement.sample_size)} items${agreement.dataset === undefined ? "" : ` (${agreement.dataset})`}`,
    ],
  ];
}

/** Lists the protocol behind a reported value as facts: suite, elicitation settings and scorer. */
function protocolFacts(result: Result): Fact[] {
  const protocol = result.protocol;
  if (protocol === undefined) {
    return [
      [
        "Protocol",
        "not stated: the suite, settings and scorer behind this number are unknown, so it cannot be confirmed comparable with any other number",
      ],
    ];
  }
  const suite = protocol.suite;
  const suiteFacts: Fact[] =
    suite === undefined
      ? [["Suite", "not stated"]]
      : [
          [
            "Suite",
            html`<code>${suite.id}</code> version ${suite.version}${suite.reference === true ? " (the registry's reference suite)" : ""}`,
          ],
          ["Suite digest", html`<code>${suite.digest}</code>`],
        ];
  return [
    ...suiteFacts,
    ...elicitationFacts(protocol.elicitation),
    ...scorerFacts(protocol.scorer),
  ];
}

function breakdownTable(breakdown: Breakdown, unit: Unit): Markup {
  return html`<div class="scroll"><table class="breakdown" data-dimension="${breakdown.dimension}">
<caption class="detail">By ${breakdown.dimension}${breakdown.partition === true ? " (groups partition the sample)" : ""}</caption>
<thead><tr><th>Group</th><th>Value</th><th>Interval</th><th>n</th></tr></thead>
<tbody>${breakdown.groups.map(
    (group) =>
      html`<tr><td>${group.key}</td><td class="value">${formatValue(group.value, unit)}</td><td class="interval">${
        group.interval === undefined
          ? "—"
          : `${formatBounds(group.interval.lower, group.interval.upper, unit)} · ${describeInterval(group.interval)}`
      }</td><td>${formatCount(group.sample_size)}${group.numerator === undefined ? "" : ` (${formatCount(group.numerator)} counted)`}</td></tr>`,
  )}</tbody></table></div>`;
}

function citationSection(report: Report, result: Result): Markup {
  const citation = result.citation;
  if (citation === undefined) {
    return html``;
  }
  const document = report.documents?.find((entry) => entry.id === citation.document);
  return html`<h4>Citation</h4>${facts([
    [
      "Document",
      document === undefined
        ? html`<code>${citation.document}</code> (not listed among the report's documents)`
        : html`${linkOrText(document.url, document.title)}, ${document.author}${document.date === undefined ? "" : `, ${document.date}`}`,
    ],
    ["Where", citation.locator],
    ["As printed", citation.as_printed],
    ["Name in source", citation.metric_name_in_source],
  ])}`;
}

function testSection(result: Result): Markup {
  const test = result.test;
  if (test === undefined) {
    return html``;
  }
  return html`<h4>Test</h4>${facts([
    ["Verdict", html`<strong>${test.verdict.replace(/_/g, " ")}</strong>`],
    ["Test", test.name],
    ["Statistic", test.statistic],
    ["p-value", test.p_value.toPrecision(3)],
    ["Alpha", test.alpha],
  ])}`;
}

function probeSection(result: Result): Markup {
  const probe = result.probe;
  if (probe === undefined) {
    return html``;
  }
  return html`<h4>Probe</h4>${facts([
    ["Kind", probe.kind],
    ["Layer", probe.layer],
    ["Aggregation", probe.aggregation],
    ["Validation AUROC", probe.validation_auroc],
    ["Target false-positive rate", probe.target_false_positive_rate],
    ["Realised false-positive rate", probe.realised_false_positive_rate],
    ["Threshold", probe.threshold],
    ["Artifact", html`<code>${probe.artifact_digest}</code>`],
    ["Training set", html`<code>${probe.training_set_digest}</code>`],
  ])}`;
}

/** Renders the details section of one result: protocol, breakdowns, citation, test, probe and notes. */
export function resultDetails(report: Report, entry: ResultEntry): Markup {
  const result = entry.result;
  const unit = entry.definition?.definition.unit;
  const heading = html`<h3 id="${entry.anchor}"><code>${entryTitle(entry)}</code></h3>`;
  if (result === undefined) {
    return html`<section class="result" data-metric="${entry.metric}">${heading}<p>${statusBadge("missing")} ${statusMeaning("missing")}</p></section>`;
  }
  const definition = entry.definition;
  return html`<section class="result" data-metric="${entry.metric}" data-variant="${entry.variant ?? ""}">${heading}
${definition === undefined ? html`<p class="detail">This metric id is not in the registry.</p>` : html`<p class="detail">${definition.definition.text}</p>`}
<div class="headline">${valueCell(result, unit)}</div>
${result.status === "reported" ? html`` : html`<p class="detail">${statusMeaning(result.status)}</p>`}
${facts([
  ["Metric version", result.metric_version],
  [
    "Outcomes file",
    result.outcomes === undefined
      ? undefined
      : html`<code>${result.outcomes.path}</code> (${formatCount(result.outcomes.count)} lines, <code>${result.outcomes.digest}</code>)`,
  ],
  ...(result.status === "reported" ? protocolFacts(result) : []),
])}
${(result.breakdowns ?? []).map((breakdown) => breakdownTable(breakdown, unit))}
${citationSection(report, result)}
${testSection(result)}
${probeSection(result)}
${result.notes === undefined ? "" : html`<p class="note">${result.notes}</p>`}
</section>`;
}
