/**
 * Answer extraction shared by the suites whose items have one verifiable
 * answer: which option or value a chat model's response commits to, read
 * through preambles, markdown, LaTeX, restated options and hedges. A
 * response that names no answer, or two different ones with equal weight,
 * is unscored, never wrong.
 */

export {
  type ChoiceExtraction,
  type ChoiceOptions,
  type ChoiceSource,
  extractChoice,
  optionLetter,
} from "./choice.js";
export { type AnswerGrade, type AnswerKey, gradeAnswer } from "./grade.js";
export { type FoundNumber, findNumbers, parseNumber, sameNumber } from "./numbers.js";
export {
  extractShortAnswer,
  type ShortAnswerKey,
  type ShortAnswerSource,
  type ShortExtraction,
} from "./short.js";
