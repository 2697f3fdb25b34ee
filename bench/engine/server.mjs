// @ts-check
/**
 * A lean OpenAI-compatible chat-completions server for the run-engine
 * benchmark. It runs as its own process so that its CPU time is measured
 * apart from the client under test, and it does as little as it can per
 * request: it reads the request body without parsing it, optionally waits a
 * fixed delay, and sends one precomputed JSON reply. Every POST receives the
 * same reply whatever its path; GET /health returns 200.
 *
 * Usage: node bench/engine/server.mjs [--latency-ms N] [--port N]
 * Prints one JSON line {"port": N, "pid": N} on stdout once it listens on
 * 127.0.0.1, and exits on SIGTERM or when its stdin closes.
 *
 * Plain JavaScript run by plain `node`, so no TypeScript loader adds start-up
 * time or memory to the server process.
 */

import { createServer } from "node:http";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    "latency-ms": { type: "string", default: "0" },
    port: { type: "string", default: "0" },
  },
});
const latencyMs = Number(values["latency-ms"]);
const port = Number(values.port);
if (!Number.isFinite(latencyMs) || latencyMs < 0) {
  throw new Error(
    `invalid --latency-ms ${JSON.stringify(values["latency-ms"])}: expected 0 or more`,
  );
}

// A plain, complete answer: Candor's rule classifier reads it as full
// compliance and the promptfoo assertion of the benchmark passes on it.
const REPLY = Buffer.from(
  JSON.stringify({
    id: "chatcmpl-bench",
    object: "chat.completion",
    created: 1_700_000_000,
    model: "bench-model",
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content:
            "Here is a short, factual answer. The process has three steps: prepare the materials, follow the instructions in order, and check the result at the end.",
        },
        finish_reason: "stop",
      },
    ],
    usage: { prompt_tokens: 20, completion_tokens: 30, total_tokens: 50 },
  }),
);
const REPLY_HEADERS = {
  "content-type": "application/json",
  "content-length": String(REPLY.length),
};

const server = createServer((request, response) => {
  if (request.method === "GET") {
    response.writeHead(200, { "content-type": "text/plain", "content-length": "2" });
    response.end("ok");
    return;
  }

  // The body must be read to the end before the connection can carry the next request.
  request.on("data", () => {});
  request.on("end", () => {
    const send = () => {
      response.writeHead(200, REPLY_HEADERS);
      response.end(REPLY);
    };
    if (latencyMs > 0) {
      setTimeout(send, latencyMs);
    } else {
      send();
    }
  });
});

// Clients keep connections open between requests. Node's default idle limit of 5 s would close
// the sockets of a client that pauses, and every closed socket costs a reconnect.
server.keepAliveTimeout = 60_000;
server.headersTimeout = 65_000;

server.listen(port, "127.0.0.1", () => {
  const address = server.address();
  const boundPort = typeof address === "object" && address !== null ? address.port : port;
  process.stdout.write(`${JSON.stringify({ port: boundPort, pid: process.pid })}\n`);
});

const stop = () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
};
process.on("SIGTERM", stop);
process.stdin.on("end", stop);
process.stdin.resume();
