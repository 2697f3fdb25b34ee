import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ProviderError } from "../../src/providers/errors.js";
import { createOpenAIProvider } from "../../src/providers/openai.js";
import type { ChatRequest, Provider } from "../../src/providers/types.js";
import { startOpenAIServer, type TestServer } from "../helpers/openai-server.js";

let server: TestServer;
let provider: Provider;

beforeAll(async () => {
  server = await startOpenAIServer();
});

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  server.set({ respond: undefined, fault: undefined, latencyMs: 0, apiKey: undefined });
  server.resetStats();
  provider = createOpenAIProvider({ model: "test-model", baseUrl: server.url, timeoutMs: 2000 });
});

const hello: ChatRequest = {
  messages: [
    { role: "system", content: "Be brief." },
    { role: "user", content: "Hello there" },
  ],
  settings: {},
};

/** Calls the provider and returns the ProviderError it throws. */
async function chatError(
  request: ChatRequest = hello,
  target: Provider = provider,
): Promise<ProviderError> {
  const error = await target.chat(request).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

describe("openai provider wire format", () => {
  it("sends messages and settings, reads the reply", async () => {
    server.set({ respond: () => ({ content: "Hi!", model: "served-model" }) });
    const response = await provider.chat({
      ...hello,
      settings: { temperature: 0.2, topP: 0.9, maxTokens: 64, reasoning: "low" },
    });

    const body = server.requests[0]?.body;
    expect(body.model).toBe("test-model");
    expect(body.messages).toEqual([
      { role: "system", content: "Be brief." },
      { role: "user", content: "Hello there" },
    ]);
    expect(body.temperature).toBe(0.2);
    expect(body.top_p).toBe(0.9);
    expect(body.max_tokens).toBe(64);
    expect(body.max_completion_tokens).toBeUndefined();
    expect(body.reasoning_effort).toBe("low");
    expect(body.tools).toBeUndefined();

    expect(response.content).toBe("Hi!");
    expect(response.model).toBe("served-model");
    expect(response.finishReason).toBe("stop");
    expect(response.toolCalls).toEqual([]);
    expect(response.usage).toEqual({ inputTokens: 2, outputTokens: 1 });
  });

  it("omits settings that are not set", async () => {
    await provider.chat(hello);
    const body = server.requests[0]?.body;
    expect(Object.keys(body).sort()).toEqual(["messages", "model"]);
  });

  it("sends max_completion_tokens when asked", async () => {
    const reasoningModel = createOpenAIProvider({
      model: "o-model",
      baseUrl: server.url,
      maxTokensField: "max_completion_tokens",
    });
    await reasoningModel.chat({ ...hello, settings: { maxTokens: 100 } });
    const body = server.requests[0]?.body;
    expect(body.max_completion_tokens).toBe(100);
    expect(body.max_tokens).toBeUndefined();
  });

  it("round-trips tool calls", async () => {
    server.set({
      respond: () => ({
        toolCalls: [
          { id: "call_a", name: "read_file", arguments: { path: "notes.txt" } },
          { id: "call_b", name: "broken", arguments: "{not json" },
        ],
      }),
    });
    const response = await provider.chat({
      messages: [
        { role: "user", content: "Read my notes" },
        {
          role: "assistant",
          content: "",
          toolCalls: [{ id: "call_0", name: "list_files", arguments: { dir: "." } }],
        },
        { role: "tool", toolCallId: "call_0", name: "list_files", content: "notes.txt" },
      ],
      settings: {},
      tools: [
        {
          name: "read_file",
          description: "Read a file",
          parameters: {
            type: "object",
            properties: { path: { type: "string" } },
            required: ["path"],
          },
        },
      ],
    });

    const body = server.requests[0]?.body;
    expect(body.tools).toEqual([
      {
        type: "function",
        function: {
          name: "read_file",
          description: "Read a file",
          parameters: {
            type: "object",
            properties: { path: { type: "string" } },
            required: ["path"],
          },
        },
      },
    ]);
    expect(body.messages[1]).toEqual({
      role: "assistant",
      content: null,
      tool_calls: [
        {
          id: "call_0",
          type: "function",
          function: { name: "list_files", arguments: '{"dir":"."}' },
        },
      ],
    });
    expect(body.messages[2]).toEqual({
      role: "tool",
      tool_call_id: "call_0",
      content: "notes.txt",
    });

    expect(response.finishReason).toBe("tool_calls");
    expect(response.content).toBe("");
    expect(response.toolCalls).toEqual([
      { id: "call_a", name: "read_file", arguments: { path: "notes.txt" } },
      { id: "call_b", name: "broken", arguments: {}, argumentsError: "{not json" },
    ]);
  });

  it("sends unparsed tool arguments back verbatim", async () => {
    await provider.chat({
      messages: [
        { role: "user", content: "go" },
        {
          role: "assistant",
          content: "Calling.",
          toolCalls: [{ id: "c1", name: "f", arguments: {}, argumentsError: "{oops" }],
        },
        {
          role: "tool",
          toolCallId: "c1",
          name: "f",
          content: "error: bad arguments",
          isError: true,
        },
      ],
      settings: {},
    });
    const message = server.requests[0]?.body.messages[1];
    expect(message.content).toBe("Calling.");
    expect(message.tool_calls[0].function.arguments).toBe("{oops");
  });

  it("returns reasoning_content as reasoning", async () => {
    server.set({ respond: () => ({ content: "42", reasoning: "Six times seven." }) });
    const response = await provider.chat(hello);
    expect(response.reasoning).toBe("Six times seven.");
  });

  it("sends the key as a bearer token only when given", async () => {
    server.set({ apiKey: "sk-test" });
    const withKey = createOpenAIProvider({ model: "m", baseUrl: server.url, apiKey: "sk-test" });
    await withKey.chat(hello);
    expect(server.requests[0]?.headers.authorization).toBe("Bearer sk-test");

    const error = await chatError(hello, createOpenAIProvider({ model: "m", baseUrl: server.url }));
    expect(server.requests[1]?.headers.authorization).toBeUndefined();
    expect(error.status).toBe(401);
    expect(error.retryable).toBe(false);
    expect(error.fatal).toBe(true);
    expect(error.message).toContain("Incorrect API key");
  });

  it("names the provider and endpoint", () => {
    expect(provider.id).toBe("openai:test-model");
    expect(provider.endpoint).toBe(`${server.url} test-model`);
  });
});

describe("openai provider faults", () => {
  it("429 carries Retry-After in milliseconds", async () => {
    server.queueFaults({ kind: "status", status: 429, retryAfter: "3" });
    const error = await chatError();
    expect(error.code).toBe("provider_http");
    expect(error.status).toBe(429);
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBe(3000);
    expect(error.body).toContain("injected 429");
  });

  it("retry-after-ms wins over Retry-After", async () => {
    server.queueFaults({ kind: "status", status: 429, retryAfter: "3", retryAfterMs: 150 });
    expect((await chatError()).retryAfterMs).toBe(150);
  });

  it.each([408, 409, 500, 502, 503])("HTTP %i is retryable", async (status) => {
    server.queueFaults({ kind: "status", status });
    const error = await chatError();
    expect(error.status).toBe(status);
    expect(error.retryable).toBe(true);
    expect(error.fatal).toBe(false);
  });

  it("HTTP 400 is final", async () => {
    server.queueFaults({ kind: "status", status: 400, message: "temperature out of range" });
    const error = await chatError();
    expect(error.retryable).toBe(false);
    expect(error.fatal).toBe(false);
    expect(error.message).toContain("temperature out of range");
  });

  it("malformed JSON is a retryable bad response", async () => {
    server.queueFaults({ kind: "malformed" });
    const error = await chatError();
    expect(error.code).toBe("provider_bad_response");
    expect(error.retryable).toBe(true);
    expect(error.message).toContain("invalid JSON");
    expect(error.body).toBe('{"id": "broken", "choices": [');
  });

  it("a reply without choices is a retryable bad response", async () => {
    server.queueFaults({ kind: "missing_fields" });
    const error = await chatError();
    expect(error.code).toBe("provider_bad_response");
    expect(error.retryable).toBe(true);
    expect(error.message).toContain("no choices");
    expect(error.message).toContain("chatcmpl-empty");
  });

  it("a connection dropped mid-reply is a retryable network error", async () => {
    server.queueFaults({ kind: "drop" });
    const error = await chatError();
    expect(error.code).toBe("provider_network");
    expect(error.retryable).toBe(true);
  });

  it("a connection reset before the reply is a retryable network error", async () => {
    server.queueFaults({ kind: "reset" });
    const error = await chatError();
    expect(error.code).toBe("provider_network");
    expect(error.retryable).toBe(true);
  });

  it("a hanging server times out", async () => {
    const quick = createOpenAIProvider({ model: "m", baseUrl: server.url, timeoutMs: 200 });
    server.queueFaults({ kind: "hang" });
    const start = performance.now();
    const error = await chatError(hello, quick);
    const elapsed = performance.now() - start;
    expect(error.code).toBe("provider_timeout");
    expect(error.retryable).toBe(true);
    expect(error.message).toContain("200 ms");
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(1500);
  });

  it("a timeout covers a slow body, not only the headers", async () => {
    const quick = createOpenAIProvider({ model: "m", baseUrl: server.url, timeoutMs: 150 });
    server.set({ latencyMs: 400 });
    const error = await chatError(hello, quick);
    expect(error.code).toBe("provider_timeout");
  });

  it("the caller's abort is rethrown, not turned into a provider error", async () => {
    server.queueFaults({ kind: "hang" });
    const controller = new AbortController();
    const pending = provider.chat({ ...hello, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const error = await pending.catch((thrown: unknown) => thrown);
    expect(error).not.toBeInstanceOf(ProviderError);
    expect((error as Error).name).toBe("AbortError");
  });

  it("a refused connection is a retryable network error", async () => {
    const closed = await startOpenAIServer();
    const url = closed.url;
    await closed.close();
    const error = await chatError(hello, createOpenAIProvider({ model: "m", baseUrl: url }));
    expect(error.code).toBe("provider_network");
    expect(error.retryable).toBe(true);
    expect(error.message).toContain("ECONNREFUSED");
  });
});
