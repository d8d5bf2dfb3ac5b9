// Drives the orchestrator's OpenAI-compatible endpoint with the unmodified openai client and prints
// what it saw as one JSON object (checked by cli's OpenAiClientIT). Env: MOA_BASE_URL (…/v1),
// MOA_API_KEY (the orchestrator's bearer token), MOA_MODEL (moa/<config>), MOA_QUESTION,
// MOA_FAILING_MODEL (a config whose request fails: its error, streamed and not).
import OpenAI from 'openai';

const baseURL = process.env.MOA_BASE_URL;
const model = process.env.MOA_MODEL ?? 'moa/workshop';
const question = process.env.MOA_QUESTION ?? 'Why is the sky blue?';
const client = new OpenAI({ baseURL, apiKey: process.env.MOA_API_KEY, maxRetries: 0, timeout: 300_000 });
const messages = [{ role: 'user', content: question }];
const out = {};

const models = await client.models.list();
out.models = models.data.map((m) => ({ id: m.id, object: m.object, owned_by: m.owned_by, created: m.created }));
out.retrieved = (await client.models.retrieve(model)).id;

// Streaming, as chat front ends use it: deltas as they come, then the usage chunk.
const stream = await client.chat.completions.create({
  model,
  messages,
  stream: true,
  stream_options: { include_usage: true },
  moa: { layers: true },
});
const s = { text: '', chunks: 0, content_chunks: 0, ids: new Set(), objects: new Set(), finish_reason: null, usage: null, moa: null, role: null };
for await (const chunk of stream) {
  s.chunks++;
  s.ids.add(chunk.id);
  s.objects.add(chunk.object);
  if (chunk.usage) s.usage = chunk.usage;
  if (chunk.moa) s.moa = chunk.moa;
  for (const choice of chunk.choices) {
    if (choice.delta?.role) s.role = choice.delta.role;
    if (choice.delta?.content) {
      s.text += choice.delta.content;
      s.content_chunks++;
    }
    if (choice.finish_reason) s.finish_reason = choice.finish_reason;
  }
}
out.stream = { ...s, ids: [...s.ids], objects: [...s.objects] };

// The same through the SDK's stream helper, which assembles the final completion itself.
const helper = client.chat.completions.stream({ model, messages, stream_options: { include_usage: true } });
const final = await helper.finalChatCompletion();
out.helper = { content: final.choices[0].message.content, usage: final.usage, finish_reason: final.choices[0].finish_reason };

// Non-streaming: the whole completion object, printed as received.
out.completion = await client.chat.completions.create({ model, messages, moa: { layers: true } });

// Errors arrive as the SDK's typed errors.
const errors = {};
for (const [name, call] of Object.entries({
  unknown_model: () => client.chat.completions.create({ model: 'moa/no-such-config', messages }),
  bad_messages: () => client.chat.completions.create({ model, messages: [] }),
  wrong_key: () =>
    new OpenAI({ baseURL, apiKey: 'not-the-token-0123456789', maxRetries: 0 }).chat.completions.create({ model, messages }),
  ...(process.env.MOA_FAILING_MODEL
    ? {
        failed_whole: () => client.chat.completions.create({ model: process.env.MOA_FAILING_MODEL, messages }),
        failed_stream: async () => {
          const failing = await client.chat.completions.create({ model: process.env.MOA_FAILING_MODEL, messages, stream: true });
          for await (const chunk of failing) {
            // the role chunk comes first; the failure arrives as an error event
          }
        },
      }
    : {}),
})) {
  try {
    await call();
    errors[name] = { thrown: false };
  } catch (e) {
    errors[name] = { thrown: true, class: e.constructor.name, status: e.status, type: e.type, code: e.code, param: e.param, message: e.message };
  }
}
out.errors = errors;

process.stdout.write(JSON.stringify(out) + '\n');
