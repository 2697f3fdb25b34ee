import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";

/**
 * ajv-formats is CommonJS with `exports.default` set to the plugin; under
 * NodeNext the default import is the module object for the type checker but
 * the function itself at run time, so both shapes are accepted.
 */
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as typeof addFormatsModule.default;

/** Options shared by every schema validator of the standard. */
export interface SchemaValidatorOptions {
  /** Drop members that the schema does not declare instead of reporting them. */
  removeAdditional?: boolean;
}

/**
 * Creates a draft 2020-12 validator that reports every error (not only the
 * first) with the failing schema attached, and checks the formats the schemas
 * use (date-time, date, uri).
 */
export function createAjv(options: SchemaValidatorOptions = {}): Ajv2020 {
  const ajv = new Ajv2020({
    allErrors: true,
    verbose: true,
    strict: true,
    allowUnionTypes: true,
    removeAdditional: options.removeAdditional === true,
  });
  addFormats(ajv, ["date-time", "date", "uri"]);
  return ajv;
}
