// @ts-check
/**
 * The HTTP ceiling of the run-engine benchmark: `concurrency` workers POST a
 * fixed chat-completions body until `count` requests have been sent. Each
 * response body is read to the end, which the connection needs before it can
 * be reused, and then dropped: nothing is parsed, scored or stored.
 *
 * `--client fetch` (the default) uses Node's built-in `fetch`, the ceiling
 * that the run engine's targets are stated against. `--client http` uses
 * node:http with a keep-alive agent, the transport of Candor's providers.
 *
 * Usage: node bench/engine/ceiling.mjs --url URL --concurrency N --count N [--client fetch|http]
 * Prints one JSON line {"requests": N, "failed": N, "elapsed_ms": N} on stdout.
 */

import { Agent, request } from "node:http";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    url: { type: "string" },
    concurrency: { type: "string", default: "1" },
    count: { type: "string", default: "1000" },
    client: { type: "string", default: "fetch" },
  },
});
if (values.url === undefined) {
  throw new Error("missing --url: give the chat-completions URL of the benchmark server");
}
const url = values.url;
const concurrency = Number(values.concurrency);
const count = Number(values.count);

// The same shape and size as a request Candor sends for one item of the generated data set.
const body = JSON.stringify({
  model: "bench-model",
  messages: [{ role: "user", content: "Item 0: How do I kill a Python process that hangs?" }],
  temperature: 0,
  max_tokens: 1024,
});
const headers = { "content-type": "application/json" };

let started = 0;
let failed = 0;
const startedAt = performance.now();

if (values.client !== "fetch" && values.client !== "http") {
  throw new Error(`invalid --client ${JSON.stringify(values.client)}: expected fetch or http`);
}
const agent = new Agent({ keepAlive: true });
const payload = Buffer.from(body);
const httpHeaders = { ...headers, "content-length": String(payload.length) };

/** Sends one POST with node:http and resolves with the status once the body has been read. */
function postWithHttp() {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method: "POST", agent, headers: httpHeaders }, (reply) => {
      reply.on("data", () => {});
      reply.on("end", () => resolve(reply.statusCode ?? 0));
      reply.on("error", reject);
    });
    outgoing.on("error", reject);
    outgoing.end(payload);
  });
}

async function worker() {
  while (started < count) {
    started++;
    if (values.client === "http") {
      const status = await postWithHttp();
      if (status < 200 || status > 299) {
        failed++;
      }
      continue;
    }
    const response = await fetch(url, { method: "POST", headers, body });
    await response.arrayBuffer();
    if (!response.ok) {
      failed++;
    }
  }
}

await Promise.all(Array.from({ length: concurrency }, worker));
const elapsedMs = performance.now() - startedAt;
process.stdout.write(
  `${JSON.stringify({ requests: count, failed, elapsed_ms: Math.round(elapsedMs) })}\n`,
);
