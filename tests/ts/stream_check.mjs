// The official TypeScript SDK against `lessonkit serve`: stream, then an error.
// Usage: node stream_check.mjs <base_url> <model>; prints one JSON object.
import Anthropic from "@anthropic-ai/sdk";

const [baseURL, model] = process.argv.slice(2);
const client = new Anthropic({ baseURL, apiKey: "lessonkit-placeholder", maxRetries: 0 });
const control = (name, body) =>
  fetch(`${baseURL}/_lessonkit/${name}`, { method: "POST", body: JSON.stringify(body) });
const params = { model, max_tokens: 60, messages: [{ role: "user", content: "Hello from TypeScript" }] };

await control("reply", { text: "Hello from the fake API" });
let texts = [];
const stream = client.messages.stream(params).on("text", (text) => texts.push(text));
const final = await stream.finalMessage();

await control("fail_next", { status: 529 });
let error = null;
try {
  await client.messages.create(params);
} catch (err) {
  error = { name: err.constructor.name, status: err.status, requestID: err.requestID, type: err.error?.error?.type };
}
console.log(JSON.stringify({ texts, text: final.content.filter((b) => b.type === "text").map((b) => b.text).join(""), stop_reason: final.stop_reason, usage: final.usage, error }));
