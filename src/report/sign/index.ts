export * from "./dsse.js";
export * from "./errors.js";
export * from "./keys.js";
export * from "./load.js";
export * from "./payload.js";
export * from "./sign.js";
export * from "./statement.js";
export * from "./verify.js";
