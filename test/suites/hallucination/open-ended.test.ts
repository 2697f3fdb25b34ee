import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadRegistry } from "../../../src/spec/registry.js";
import { validateReportFile } from "../../../src/spec/validate.js";
import {
  closedBookJudge,
  createClosedBookSuite,
} from "../../../src/suites/hallucination/closed-book.js";
import {
  limitItems,
  loadClosedBookItems,
  loadOpenEndedItems,
  loadSimpleQaDataset,
  metadataTopic,
} from "../../../src/suites/hallucination/items.js";
import {
  createOpenEndedSuite,
  type OpenEndedOutcome,
  openEndedJudge,
} from "../../../src/suites/hallucination/open-ended.js";
import {
  createHallucinationSuites,
  runHallucination,
} from "../../../src/suites/hallucination/run-suite.js";
import { digestItems, sha256Digest } from "../../../src/suites/registry.js";
import { spreadSubset } from "../../../src/suites/subset.js";
import type { TestServer } from "../../helpers/openai-server.js";
import { closedBookGrader, type Grader, parseJudgePromptText } from "../../judges/fake-judge.js";
import {
  ENGINE,
  GENERATION,
  IDENTITY,
  intervalContains,
  provider,
  resultOf,
  startJudgeServer,
  startModelServer,
  tempDir,
} from "./helpers.js";

const registry = loadRegistry();

/** Marks a response as making an invented claim; the judge flags exactly these. */
const FABRICATED = "According to the 1931 Lisbon census, 4,812,907 people attended.";

/**
 * One judge server for both parts: closed-book prompts carry a QUESTION
 * block, open-ended ones a REFERENCE block.
 */
const judgeGrader: Grader = (blocks, request) => {
  if (blocks.QUESTION !== undefined) {
    return closedBookGrader(blocks, request);
  }
  return (blocks.RESPONSE ?? "").includes(FABRICATED)
    ? "unsupported_claim"
    : "no_unsupported_claim";
};

let judgeServer: TestServer;

beforeAll(async () => {
  judgeServer = await startJudgeServer(judgeGrader);
});

afterAll(async () => {
  await judgeServer.close();
});

describe("open-ended hallucination suite", () => {
  it("ships at least 40 requests with reference notes", () => {
    const items = loadOpenEndedItems().items;
    expect(items.length).toBeGreaterThanOrEqual(40);
    expect(items.every((item) => item.reference.length > 40)).toBe(true);
  });

  it("unsupported claims on a known share", async () => {
    const itemSet = loadOpenEndedItems();
    const items = itemSet.items;
    const model = await startModelServer(
      items,
      (item) => item.prompt,
      (item, index) =>
        index % 3 === 0
          ? `Here is what I know. ${FABRICATED}`
          : `I can describe ${item.category} in general terms, without specific figures.`,
    );
    const folder = tempDir("candor-open-ended-");
    try {
      const judge = provider(judgeServer, "judge-model");
      const run = await runHallucination({
        suites: {
          closedBook: createClosedBookSuite(loadClosedBookItems(), closedBookJudge(judge)),
          openEnded: createOpenEndedSuite(itemSet, openEndedJudge(judge)),
        },
        parts: ["open_ended"],
        model: provider(model, "model-under-test"),
        generation: GENERATION,
        outDir: folder.dir,
        resume: false,
        modelRun: ENGINE,
        judgeRun: ENGINE,
        identity: IDENTITY,
        registry,
      });
      const fabricated = items.filter((_, index) => index % 3 === 0).length;
      const rate = resultOf(run.report, "hallucination.unsupported_claim_rate");
      expect(rate.numerator).toBe(fabricated);
      expect(rate.sample_size).toBe(items.length);
      expect(rate.value).toBeCloseTo(fabricated / items.length, 12);
      expect(intervalContains(rate, fabricated / items.length)).toBe(true);
      expect(rate.protocol?.suite?.digest).toBe(itemSet.identity.digest);
      expect(rate.protocol?.scorer?.id).toBe("candor.unsupported-claim-judge@1");

      // The judge sees the item's reference notes beside the response.
      const first = judgeServer.requests.map((request) =>
        parseJudgePromptText(request.body.messages[0].content),
      );
      expect(
        first.every((parsed) => items.some((item) => item.reference === parsed.blocks.REFERENCE)),
      ).toBe(true);

      const samples = readFileSync(
        join(folder.dir, "samples-hallucination-open-ended.jsonl"),
        "utf8",
      )
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as OpenEndedOutcome);
      expect(samples.filter((sample) => sample.unsupported_claim === true)).toHaveLength(
        fabricated,
      );

      const validation = await validateReportFile(run.reportPath as string, { registry });
      expect(validation.problems.filter((problem) => problem.severity === "error")).toEqual([]);
    } finally {
      await model.close();
      folder.remove();
    }
  });

  it("both parts in one report", async () => {
    const suites = createHallucinationSuites(provider(judgeServer, "judge-model"));
    const closed = suites.closedBook.items() as { question: string; answer: string }[];
    const open = suites.openEnded.items() as { prompt: string }[];
    const answers = new Map<string, string>([
      ...closed.map((item) => [item.question, item.answer] as const),
      ...open.map((item) => [item.prompt, FABRICATED] as const),
    ]);
    const model = await startModelServer(
      [...answers.keys()],
      (prompt) => prompt,
      (prompt) => answers.get(prompt) as string,
    );
    const folder = tempDir("candor-hallucination-");
    try {
      const run = await runHallucination({
        suites,
        model: provider(model, "model-under-test"),
        generation: GENERATION,
        outDir: folder.dir,
        resume: false,
        modelRun: ENGINE,
        judgeRun: ENGINE,
        identity: IDENTITY,
        registry,
      });
      const report = run.report;
      const reported = report?.results
        .filter((result) => result.status === "reported")
        .map((result) => result.metric)
        .sort();
      expect(reported).toEqual([
        "hallucination.abstention_rate",
        "hallucination.accuracy_given_attempted",
        "hallucination.correct_rate",
        "hallucination.incorrect_rate",
        "hallucination.unsupported_claim_rate",
      ]);
      // Every metric appears once, and each part keeps its own digest, judge prompt and outcomes file.
      expect(new Set(report?.results.map((result) => result.metric)).size).toBe(
        report?.results.length,
      );
      const closedResult = resultOf(report, "hallucination.incorrect_rate");
      const openResult = resultOf(report, "hallucination.unsupported_claim_rate");
      expect(closedResult.protocol?.suite?.digest).not.toBe(openResult.protocol?.suite?.digest);
      expect(closedResult.protocol?.scorer?.judge_prompt_digest).not.toBe(
        openResult.protocol?.scorer?.judge_prompt_digest,
      );
      expect(closedResult.outcomes?.path).toBe("samples-hallucination.jsonl");
      expect(openResult.outcomes?.path).toBe("samples-hallucination-open-ended.jsonl");
      expect(openResult.value).toBe(1);
      expect(resultOf(report, "hallucination.correct_rate").value).toBe(1);

      const validation = await validateReportFile(run.reportPath as string, { registry });
      expect(validation.problems.filter((problem) => problem.severity === "error")).toEqual([]);
    } finally {
      await model.close();
      folder.remove();
    }
  });
});

describe("item limit", () => {
  it("keeps items spread over categories", () => {
    const full = loadOpenEndedItems();
    const limited = limitItems(full, 3);
    const expected = spreadSubset(full.items, 3);
    expect(limited.items.map((item) => item.id)).toEqual(expected.map((item) => item.id));
    expect(new Set(limited.items.map((item) => item.category)).size).toBe(
      Math.min(3, new Set(full.items.map((item) => item.category)).size),
    );
    expect(limited.identity.reference).toBe(false);
    expect(limited.identity.digest).toBe(digestItems(expected));
    expect(limitItems(full, undefined)).toBe(full);
  });
});

describe("SimpleQA data set", () => {
  const csv = [
    "metadata,problem,answer",
    `"{'topic': 'Geography', 'answer_type': 'Place', 'urls': ['https://example.org/a, b']}",What is the capital of Mongolia?,Ulaanbaatar`,
    `"{'topic': 'Science and technology', 'answer_type': 'Number'}","Which element has atomic number 79,
written as a symbol?",Au`,
    `"{'answer_type': 'Person'}",Who wrote Hamlet?,William Shakespeare`,
  ].join("\n");

  it("loads the layout and digests the bytes", () => {
    const folder = tempDir("candor-simpleqa-");
    try {
      const path = join(folder.dir, "simple_qa_test_set.csv");
      writeFileSync(path, csv);
      const set = loadSimpleQaDataset(path);
      expect(set.identity).toEqual({
        id: "external:simple_qa_test_set.csv",
        version: "file",
        digest: sha256Digest(csv),
        reference: false,
      });
      expect(set.items.map((item) => item.id)).toEqual(["row-1", "row-2", "row-3"]);
      expect(set.items.map((item) => item.category)).toEqual([
        "Geography",
        "Science and technology",
        "uncategorised",
      ]);
      expect(set.items[1]?.question).toBe(
        "Which element has atomic number 79,\nwritten as a symbol?",
      );
      expect(set.items[1]?.answer).toBe("Au");
    } finally {
      folder.remove();
    }
  });

  it("rejects a file without problem column", () => {
    const folder = tempDir("candor-simpleqa-");
    try {
      const path = join(folder.dir, "bad.csv");
      writeFileSync(path, "metadata,question,answer\n{},Q,A\n");
      expect(() => loadSimpleQaDataset(path)).toThrow(/no column "problem"/);
    } finally {
      folder.remove();
    }
  });

  it("reads the topic from metadata", () => {
    expect(metadataTopic("{'topic': 'Art', 'answer_type': 'Person'}")).toBe("Art");
    expect(metadataTopic('{"topic": "Music"}')).toBe("Music");
    expect(metadataTopic("{'answer_type': 'Date'}")).toBeUndefined();
    expect(metadataTopic("")).toBeUndefined();
  });

  it("runs as the closed-book part", async () => {
    const folder = tempDir("candor-simpleqa-run-");
    const path = join(folder.dir, "simple_qa_test_set.csv");
    writeFileSync(path, csv);
    const suites = createHallucinationSuites(provider(judgeServer, "judge-model"), {
      datasetPath: path,
    });
    const items = [...suites.closedBook.items()];
    const model = await startModelServer(
      items,
      (item) => item.question,
      (item) => (item.id === "row-3" ? "Christopher Marlowe" : item.answer),
    );
    try {
      const run = await runHallucination({
        suites,
        parts: ["closed_book"],
        model: provider(model, "model-under-test"),
        generation: GENERATION,
        outDir: join(folder.dir, "out"),
        resume: false,
        modelRun: ENGINE,
        judgeRun: ENGINE,
        identity: IDENTITY,
        registry,
      });
      const incorrect = resultOf(run.report, "hallucination.incorrect_rate");
      expect(incorrect.numerator).toBe(1);
      expect(incorrect.sample_size).toBe(3);
      expect(incorrect.protocol?.suite).toEqual({
        id: "external:simple_qa_test_set.csv",
        version: "file",
        digest: sha256Digest(csv),
        reference: false,
      });
      const categories = incorrect.breakdowns?.find(
        (breakdown) => breakdown.dimension === "category",
      );
      expect(categories?.groups.map((group) => group.key)).toEqual([
        "Geography",
        "Science and technology",
        "uncategorised",
      ]);
      // External rows have no difficulty, so there is no difficulty breakdown.
      expect(incorrect.breakdowns?.some((breakdown) => breakdown.dimension === "difficulty")).toBe(
        false,
      );
      const validation = await validateReportFile(run.reportPath as string, { registry });
      expect(validation.problems.filter((problem) => problem.severity === "error")).toEqual([]);
    } finally {
      await model.close();
      folder.remove();
    }
  });
});
