/**
 * Runs the command line from the TypeScript sources in a process of its
 * own, for tests that must signal or kill a real `candor` process without
 * building first: node --import tsx test/cli/candor-from-source.ts ARGS.
 */

import { main } from "../../src/cli/main.js";

process.exitCode = await main(process.argv.slice(2));
