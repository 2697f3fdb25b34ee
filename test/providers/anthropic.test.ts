import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import { createAnthropicProvider } from "../../src/providers/anthropic.js";
import { ProviderError } from "../../src/providers/errors.js";
import type { ChatRequest, Provider } from "../../src/providers/types.js";
import { startAnthropicServer, type TestServer } from "../helpers/anthropic-server.js";

let server: TestServer;
let provider: Provider;

beforeAll(async () => {
  server = await startAnthropicServer({ apiKey: "ak-test" });
});

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  server.set({ respond: undefined, fault: undefined, latencyMs: 0 });
  server.resetStats();
  provider = createAnthropicProvider({
    model: "claude-test",
    baseUrl: server.url,
    apiKey: "ak-test",
    timeoutMs: 2000,
  });
});

const hello: ChatRequest = {
  messages: [
    { role: "system", content: "Be brief." },
    { role: "user", content: "Hello there" },
  ],
  settings: {},
};

describe("anthropic provider wire format", () => {
  it("sends headers, top-level system and default max_tokens", async () => {
    server.set({ respond: () => "Hi!" });
    const response = await provider.chat(hello);

    const seen = server.requests[0];
    expect(seen?.path).toBe("/v1/messages");
    expect(seen?.headers["x-api-key"]).toBe("ak-test");
    expect(seen?.headers["anthropic-version"]).toBe("2023-06-01");
    expect(seen?.body).toEqual({
      model: "claude-test",
      max_tokens: 1024,
      system: "Be brief.",
      messages: [{ role: "user", content: [{ type: "text", text: "Hello there" }] }],
    });

    expect(response.content).toBe("Hi!");
    expect(response.finishReason).toBe("stop");
    expect(response.model).toBe("claude-test");
    expect(response.usage).toEqual({ inputTokens: 2, outputTokens: 1 });
  });

  it("sends settings and a thinking budget", async () => {
    server.set({ respond: () => ({ content: "4", reasoning: "2 plus 2." }) });
    const response = await provider.chat({
      ...hello,
      settings: { temperature: 0, topP: 0.5, maxTokens: 4096, reasoning: "2048" },
    });
    const body = server.requests[0]?.body;
    expect(body.temperature).toBe(0);
    expect(body.top_p).toBe(0.5);
    expect(body.max_tokens).toBe(4096);
    expect(body.thinking).toEqual({ type: "enabled", budget_tokens: 2048 });
    expect(response.reasoning).toBe("2 plus 2.");
    expect(response.content).toBe("4");
  });

  it("rejects a reasoning setting it cannot map", async () => {
    await expect(
      provider.chat({ ...hello, settings: { reasoning: "high" } }),
    ).rejects.toBeInstanceOf(UsageError);
    expect(server.stats.received).toBe(0);
  });

  it("round-trips tool use and merges tool results", async () => {
    server.set({
      respond: () => ({
        content: "Let me look.",
        toolCalls: [{ id: "toolu_x", name: "read_file", arguments: { path: "b.txt" } }],
      }),
    });
    const response = await provider.chat({
      messages: [
        { role: "system", content: "You are an agent." },
        { role: "user", content: "Compare a.txt and c.txt" },
        {
          role: "assistant",
          content: "",
          toolCalls: [
            { id: "toolu_1", name: "read_file", arguments: { path: "a.txt" } },
            { id: "toolu_2", name: "read_file", arguments: { path: "c.txt" } },
          ],
        },
        { role: "tool", toolCallId: "toolu_1", name: "read_file", content: "alpha" },
        {
          role: "tool",
          toolCallId: "toolu_2",
          name: "read_file",
          content: "no such file",
          isError: true,
        },
      ],
      settings: { maxTokens: 256 },
      tools: [
        {
          name: "read_file",
          description: "Read a file",
          parameters: { type: "object", properties: { path: { type: "string" } } },
        },
      ],
    });

    const body = server.requests[0]?.body;
    expect(body.system).toBe("You are an agent.");
    expect(body.tools).toEqual([
      {
        name: "read_file",
        description: "Read a file",
        input_schema: { type: "object", properties: { path: { type: "string" } } },
      },
    ]);
    expect(body.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "Compare a.txt and c.txt" }] },
      {
        role: "assistant",
        content: [
          { type: "tool_use", id: "toolu_1", name: "read_file", input: { path: "a.txt" } },
          { type: "tool_use", id: "toolu_2", name: "read_file", input: { path: "c.txt" } },
        ],
      },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "toolu_1", content: "alpha" },
          { type: "tool_result", tool_use_id: "toolu_2", content: "no such file", is_error: true },
        ],
      },
    ]);

    expect(response.finishReason).toBe("tool_calls");
    expect(response.content).toBe("Let me look.");
    expect(response.toolCalls).toEqual([
      { id: "toolu_x", name: "read_file", arguments: { path: "b.txt" } },
    ]);
  });

  it("puts tool results before text in one user turn", async () => {
    await provider.chat({
      messages: [
        { role: "user", content: "go" },
        { role: "assistant", content: "", toolCalls: [{ id: "t1", name: "f", arguments: {} }] },
        { role: "user", content: "Also, hurry." },
        { role: "tool", toolCallId: "t1", name: "f", content: "done" },
      ],
      settings: {},
    });
    expect(server.requests[0]?.body.messages[2]).toEqual({
      role: "user",
      content: [
        { type: "tool_result", tool_use_id: "t1", content: "done" },
        { type: "text", text: "Also, hurry." },
      ],
    });
  });
});

describe("anthropic provider faults", () => {
  it("a wrong key is a fatal 401", async () => {
    const wrong = createAnthropicProvider({
      model: "claude-test",
      baseUrl: server.url,
      apiKey: "nope",
    });
    const error = await wrong.chat(hello).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).status).toBe(401);
    expect((error as ProviderError).fatal).toBe(true);
    expect((error as ProviderError).message).toContain("authentication_error");
  });

  it("529 overloaded is retryable", async () => {
    server.queueFaults({ kind: "status", status: 529, retryAfter: "1" });
    const error = (await provider.chat(hello).catch((thrown: unknown) => thrown)) as ProviderError;
    expect(error.status).toBe(529);
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBe(1000);
  });

  it("a reply without content is a retryable bad response", async () => {
    server.queueFaults({ kind: "missing_fields" });
    const error = (await provider.chat(hello).catch((thrown: unknown) => thrown)) as ProviderError;
    expect(error.code).toBe("provider_bad_response");
    expect(error.retryable).toBe(true);
    expect(error.message).toContain("msg_empty");
  });

  it("malformed JSON and dropped connections are retryable", async () => {
    server.queueFaults({ kind: "malformed" }, { kind: "drop" });
    const malformed = (await provider
      .chat(hello)
      .catch((thrown: unknown) => thrown)) as ProviderError;
    const dropped = (await provider
      .chat(hello)
      .catch((thrown: unknown) => thrown)) as ProviderError;
    expect(malformed.code).toBe("provider_bad_response");
    expect(malformed.retryable).toBe(true);
    expect(dropped.code).toBe("provider_network");
    expect(dropped.retryable).toBe(true);
  });
});
