/** Version of the Candor toolkit; kept equal to package.json by a test. */
export const VERSION = "0.1.0";

/** Version of the Candor standard this toolkit reads and writes. */
export const STANDARD_VERSION = "0.1.0";
