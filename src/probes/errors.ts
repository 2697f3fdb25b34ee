import { CandorError, InputOutputError } from "../errors.js";

/**
 * An activation file that cannot be used: a bad header, a truncated body, an
 * unsupported dtype or layout, or a non-finite value. `path` names the file.
 */
export class ActivationFileError extends InputOutputError {}

/** An activation index (JSONL) that is invalid or does not match its activation file. */
export class ActivationIndexError extends InputOutputError {}

/** A probe artifact that cannot be read, fails its digest, or does not fit the activations. */
export class ProbeArtifactError extends InputOutputError {}

/**
 * Inputs that are each valid but cannot be used together or cannot produce a
 * result: no labelled rows, a single class, an empty control set.
 */
export class ProbeDataError extends CandorError {}
