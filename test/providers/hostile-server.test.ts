import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProviderError } from "../../src/providers/errors.js";
import { MAX_REPLY_BYTES } from "../../src/providers/http.js";
import { createOpenAIProvider } from "../../src/providers/openai.js";
import type { ChatRequest } from "../../src/providers/types.js";

/** Writes the reply to every request; each test sets it before its call. */
let answer: (response: ServerResponse) => void = (response) => response.end();
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    request.resume();
    request.on("end", () => answer(response));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const hello: ChatRequest = { messages: [{ role: "user", content: "Hello" }], settings: {} };

async function chatError(): Promise<ProviderError> {
  const provider = createOpenAIProvider({ model: "m", baseUrl, timeoutMs: 30_000 });
  const error = await provider.chat(hello).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

describe("openai provider against a hostile server", () => {
  it("stops reading a reply larger than the limit", async () => {
    // The body never ends on its own: before the limit, reading it ended in
    // an uncaught ERR_STRING_TOO_LONG that killed the process.
    const chunk = Buffer.alloc(1024 * 1024, 0x61);
    answer = (response) => {
      response.writeHead(200, { "content-type": "application/json" });
      const pump = () => {
        while (!response.destroyed && response.write(chunk)) {
          // Keep writing until the socket's buffer is full or the client left.
        }
        if (!response.destroyed) {
          response.once("drain", pump);
        }
      };
      response.on("error", () => undefined);
      pump();
    };
    const error = await chatError();
    expect(error.code).toBe("provider_bad_response");
    expect(error.retryable).toBe(false);
    expect(error.message).toContain(`larger than ${MAX_REPLY_BYTES} bytes`);
  });

  it("stops a small gzip body that inflates past the limit", async () => {
    const bomb = gzipSync(Buffer.alloc(MAX_REPLY_BYTES + 1024 * 1024, 0x20));
    answer = (response) => {
      response.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" });
      response.end(bomb);
    };
    const error = await chatError();
    expect(error.message).toContain(`larger than ${MAX_REPLY_BYTES} bytes`);
  });

  it("rejects message content that is a number", async () => {
    answer = (response) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ choices: [{ message: { content: 5 } }] }));
    };
    const error = await chatError();
    expect(error.code).toBe("provider_bad_response");
    expect(error.retryable).toBe(true);
    expect(error.message).toContain("neither text nor a list of parts");
  });

  it("reads null content as no text", async () => {
    answer = (response) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(
        JSON.stringify({ choices: [{ message: { content: null }, finish_reason: "stop" }] }),
      );
    };
    const provider = createOpenAIProvider({ model: "m", baseUrl, timeoutMs: 5000 });
    const reply = await provider.chat(hello);
    expect(reply.content).toBe("");
  });
});
