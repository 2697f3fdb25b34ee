import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import { createProvider, parseProviderSpec } from "../../src/providers/index.js";
import { startAnthropicServer } from "../helpers/anthropic-server.js";
import { startOpenAIServer, type TestServer } from "../helpers/openai-server.js";

let openai: TestServer;
let anthropic: TestServer;

beforeAll(async () => {
  openai = await startOpenAIServer();
  anthropic = await startAnthropicServer();
});

afterAll(async () => {
  await openai.close();
  await anthropic.close();
});

function usageError(action: () => unknown): UsageError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error("expected a UsageError");
}

describe("createProvider", () => {
  it("splits the spec at the first colon", () => {
    expect(parseProviderSpec("openai:llama3:8b")).toEqual({ kind: "openai", target: "llama3:8b" });
    expect(usageError(() => parseProviderSpec("gpt-4o")).message).toContain(
      "expected PROVIDER:MODEL",
    );
    expect(usageError(() => parseProviderSpec("openai:")).message).toContain('"openai:"');
  });

  it("rejects an unknown kind and lists the known ones", () => {
    const error = usageError(() => createProvider("gemini:pro"));
    expect(error.message).toContain('"gemini"');
    expect(error.hint).toContain("openai, anthropic, replay");
  });

  it("names the environment variable of a missing key", () => {
    expect(usageError(() => createProvider("openai:gpt-4o")).message).toContain(
      "set OPENAI_API_KEY",
    );
    expect(usageError(() => createProvider("anthropic:claude-x")).message).toContain(
      "set ANTHROPIC_API_KEY",
    );
  });

  it("needs no key for a local server", async () => {
    const provider = createProvider("openai:llama3:8b", { baseUrl: openai.url });
    const response = await provider.chat({
      messages: [{ role: "user", content: "ping" }],
      settings: {},
    });
    expect(response.content).toBe("Echo: ping");
    expect(openai.requests.at(-1)?.body.model).toBe("llama3:8b");
    expect(openai.requests.at(-1)?.headers.authorization).toBeUndefined();
  });

  it("reads key and base URL from env", async () => {
    const provider = createProvider("openai:m", {
      env: { OPENAI_BASE_URL: `${openai.url}/`, OPENAI_API_KEY: "sk-env" },
    });
    await provider.chat({ messages: [{ role: "user", content: "ping" }], settings: {} });
    expect(openai.requests.at(-1)?.headers.authorization).toBe("Bearer sk-env");
    expect(provider.endpoint).toBe(`${openai.url} m`);

    const claude = createProvider("anthropic:c", {
      env: { ANTHROPIC_BASE_URL: anthropic.url, ANTHROPIC_API_KEY: "ak-env" },
    });
    const response = await claude.chat({
      messages: [{ role: "user", content: "ping" }],
      settings: {},
    });
    expect(response.content).toBe("Echo: ping");
    expect(anthropic.requests.at(-1)?.headers["x-api-key"]).toBe("ak-env");
  });

  it("options win over env", async () => {
    const provider = createProvider("openai:m", {
      baseUrl: openai.url,
      apiKey: "sk-option",
      env: { OPENAI_BASE_URL: "http://127.0.0.1:1/v1", OPENAI_API_KEY: "sk-env" },
    });
    await provider.chat({ messages: [{ role: "user", content: "ping" }], settings: {} });
    expect(openai.requests.at(-1)?.headers.authorization).toBe("Bearer sk-option");
  });

  it("rejects a base URL that is not http", () => {
    expect(
      usageError(() => createProvider("openai:m", { baseUrl: "localhost:8000" })).message,
    ).toContain("invalid base URL");
    expect(
      usageError(() => createProvider("openai:m", { baseUrl: "ftp://127.0.0.1/v1" })).message,
    ).toContain("expected http or https");
  });

  it("refuses the scripted kind on the command line", () => {
    expect(usageError(() => createProvider("scripted:x")).hint).toContain("createScriptedProvider");
  });
});
