// MoA console: plain JavaScript, no build step, no external files. Pages are hash routes.
"use strict";

const $ = (sel, root = document) => root.querySelector(sel);
const page = () => $("#page");

/** replaceChildren that takes nested arrays and skips null. */
function fill(node, ...children) {
  node.replaceChildren(...children.flat(Infinity).filter(c => c !== null && c !== undefined));
  return node;
}

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (k === "text") e.textContent = v;
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

// ---- API access: a bearer token only when the orchestrator asks for one (bound beyond loopback) ----

function authHeaders() {
  const token = sessionStorage.getItem("moa.token");
  return token ? { Authorization: "Bearer " + token } : {};
}

async function api(method, path, body) {
  const init = { method, headers: { ...authHeaders() } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = typeof body === "string" ? body : JSON.stringify(body);
  }
  const resp = await fetch(path, init);
  if (resp.status === 401) {
    $("#token-bar").hidden = false;
    throw new Error("the API needs its token (enter it above)");
  }
  const text = await resp.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (e) { data = { error: text }; }
  return { ok: resp.ok, status: resp.status, data };
}

function errorText(data) {
  if (!data) return "no response";
  if (typeof data.error === "string") return data.error;
  if (data.error && data.error.message) return data.error.message;
  return JSON.stringify(data);
}

function notice(text) {
  const n = $("#notice");
  n.textContent = text || "";
  n.hidden = !text;
}

// ---- the current configuration, shared by chat and challenge ----

let configNames = [];

async function refreshConfigNames() {
  const r = await api("GET", "/api/configs");
  if (!r.ok) { notice(errorText(r.data)); return; }
  configNames = r.data.configs.map(c => c.name);
  const sel = $("#current-config");
  const current = currentConfig();
  fill(sel, ...configNames.map(n => el("option", { value: n, selected: n === current }, n)));
  if (!configNames.includes(current) && configNames.length) setCurrentConfig(configNames[0]);
  return r.data.configs;
}

function currentConfig() {
  return localStorage.getItem("moa.config") || "workshop";
}

function setCurrentConfig(name) {
  localStorage.setItem("moa.config", name);
  $("#current-config").value = name;
}

// ---- streaming chat through the OpenAI-compatible endpoint ----

/**
 * Streams one chat completion from moa/<config>; onText gets each piece of the answer.
 * Resolves to {text, usage, moa, latencyMs}.
 */
async function streamChat(config, messages, onText) {
  const started = performance.now();
  const resp = await fetch("/v1/chat/completions", {
    method: "POST",
    headers: { "Content-Type": "application/json", ...authHeaders() },
    body: JSON.stringify({
      model: "moa/" + config, messages, stream: true,
      stream_options: { include_usage: true }, moa: { layers: true },
    }),
  });
  if (!resp.ok) {
    let data = null;
    try { data = await resp.json(); } catch (e) { /* not JSON */ }
    if (resp.status === 401) $("#token-bar").hidden = false;
    throw new Error(errorText(data) || ("HTTP " + resp.status));
  }
  const reader = resp.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "", text = "", usage = null, moa = null, error = null;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const event = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const data = event.split("\n").filter(l => l.startsWith("data:")).map(l => l.slice(5).trim()).join("\n");
      if (!data || data === "[DONE]") continue;
      const chunk = JSON.parse(data);
      if (chunk.error) { error = errorText(chunk); continue; }
      for (const choice of chunk.choices || []) {
        const piece = choice.delta && choice.delta.content;
        if (piece) { text += piece; onText(piece, text); }
      }
      if (chunk.usage) usage = chunk.usage;
      if (chunk.moa) moa = chunk.moa;
    }
  }
  if (error) throw new Error(error);
  return { text, usage, moa, latencyMs: Math.round(performance.now() - started) };
}

function tokensOf(o) { return (o.prompt_tokens || 0) + (o.completion_tokens || 0); }

/** Collapsible panels: one per layer, one per agent inside, then the aggregator. */
function layerPanels(moa) {
  if (!moa) return el("p", { class: "muted" }, "no per-layer outputs in the response");
  const agentPanel = (o) => el("details", { class: "agent-output" },
    el("summary", {}, `${o.name} · ${o.model} · ${tokensOf(o)} tokens (${o.prompt_tokens} in, ${o.completion_tokens} out) · ${o.latency_ms} ms`
      + (o.status && o.status !== "succeeded" ? " · " + o.status : "") + (o.cached ? " · cached" : "")),
    o.error ? el("p", { class: "error" }, o.error) : null,
    el("pre", {}, o.text || ""));
  const panels = (moa.layers || []).map(layer => {
    const outs = layer.outputs || [];
    const tokens = outs.reduce((s, o) => s + tokensOf(o), 0);
    const slowest = outs.reduce((m, o) => Math.max(m, o.latency_ms || 0), 0);
    return el("details", { class: "layer-panel" },
      el("summary", {}, `Layer ${layer.layer} · ${outs.length} agents · ${tokens} tokens · slowest ${slowest} ms`),
      outs.map(agentPanel));
  });
  if (moa.aggregator) {
    panels.push(el("details", { class: "layer-panel" },
      el("summary", {}, `Aggregator · ${moa.aggregator.model} · ${tokensOf(moa.aggregator)} tokens · ${moa.aggregator.latency_ms} ms`),
      el("pre", {}, moa.aggregator.text || "")));
  }
  return el("div", { class: "panels" }, panels);
}

// ---- Configurations ----

const cfg = { name: null, form: null, yaml: null, errors: [], dirty: false, timer: null };

function getPath(obj, path) {
  return path.replace(/\[(\d+)\]/g, ".$1").split(".").reduce((o, k) => (o == null ? undefined : o[k]), obj);
}

function setPath(obj, path, value) {
  const keys = path.replace(/\[(\d+)\]/g, ".$1").split(".");
  let o = obj;
  for (let i = 0; i < keys.length - 1; i++) o = o[keys[i]];
  o[keys[keys.length - 1]] = value;
}

/** An input bound to a field path of the form; numbers stay text when they do not parse, so the server names the bad value. */
function field(label, path, kind = "text") {
  const value = getPath(cfg.form, path);
  const attrs = { "data-path": path, "aria-label": path, oninput: (e) => onField(e.target, kind) };
  const input = kind === "textarea"
    ? el("textarea", attrs, value == null ? "" : value)
    : el("input", { ...attrs, type: "text", inputmode: kind === "number" ? "decimal" : null, value: value == null ? "" : value });
  return el("label", { class: kind === "textarea" ? "prompt" : null }, label, input, el("span", { class: "field-error", "data-error-for": path }));
}

function onField(input, kind) {
  let v = input.value;
  if (kind === "number" && v.trim() !== "" && !isNaN(Number(v))) v = Number(v);
  setPath(cfg.form, input.dataset.path, v);
  cfg.dirty = true;
  clearTimeout(cfg.timer);
  cfg.timer = setTimeout(validateForm, 350);
}

async function validateForm() {
  const r = await api("POST", "/api/configs/validate", cfg.form);
  if (r.ok) showErrors(r.data.errors);
  return r.ok && r.data.valid;
}

function showErrors(errors) {
  cfg.errors = errors;
  document.querySelectorAll("[data-path]").forEach(i => i.classList.remove("invalid"));
  document.querySelectorAll("[data-error-for]").forEach(s => { s.textContent = ""; });
  const unplaced = [];
  for (const e of errors) {
    const span = document.querySelector(`[data-error-for="${CSS.escape(e.path)}"]`);
    const input = document.querySelector(`[data-path="${CSS.escape(e.path)}"]`);
    if (span && input) {
      span.textContent = e.message;
      input.classList.add("invalid");
    } else {
      unplaced.push(e.path ? `${e.path}: ${e.message}` : e.message);
    }
  }
  const box = $("#form-errors");
  if (box) fill(box, ...unplaced.map(t => el("div", { class: "error" }, t)));
  const status = $("#form-status");
  if (status) status.textContent = errors.length ? `${errors.length} error(s)` : "valid";
}

function newAgent(i) {
  return { name: `agent_${i + 1}`, model: "llama3.1-8b", provider: "cerebras", temperature: 0.7, max_tokens: 2048,
           prompt: "Answer carefully. {helper_response}" };
}

function renderForm() {
  const f = cfg.form;
  const layers = f.layers.map((layer, li) => el("fieldset", { class: "layer", "data-layer": li },
    el("legend", {}, `Layer ${li + 1}`),
    layer.agents.map((a, ai) => {
      const p = `layers[${li}].agents[${ai}]`;
      return el("div", { class: "agent" },
        field("name", `${p}.name`), field("model", `${p}.model`), field("provider", `${p}.provider`),
        field("temperature", `${p}.temperature`, "number"), field("max tokens", `${p}.max_tokens`, "number"),
        el("button", { type: "button", class: "secondary", title: "remove this agent",
                       onclick: () => { layer.agents.splice(ai, 1); changed(); } }, "Remove agent"),
        field("prompt", `${p}.prompt`, "textarea"));
    }),
    el("span", { class: "field-error", "data-error-for": `layers[${li}].agents` }),
    el("div", { class: "actions" },
      el("button", { type: "button", class: "secondary", onclick: () => { layer.agents.push(newAgent(layer.agents.length)); changed(); } }, "Add agent"),
      el("button", { type: "button", class: "secondary", onclick: () => { f.layers.splice(li + 1, 0, JSON.parse(JSON.stringify(layer))); changed(); } }, "Duplicate layer"),
      el("button", { type: "button", class: "secondary", onclick: () => { f.layers.splice(li, 1); changed(); } }, "Remove layer"))));
  const agg = el("fieldset", { class: "aggregator" }, el("legend", {}, "Aggregator"),
    el("div", { class: "agent" },
      field("model", "aggregator.model"), field("provider", "aggregator.provider"),
      field("temperature", "aggregator.temperature", "number"), field("max tokens", "aggregator.max_tokens", "number"),
      el("span"), el("span"),
      field("prompt", "aggregator.prompt", "textarea")));
  const advanced = el("details", {}, el("summary", {}, "Reference prompt, providers, prices (JSON)"),
    el("label", {}, "reference prompt", el("textarea", { "data-path": "reference_prompt", "aria-label": "reference_prompt",
      oninput: (e) => onField(e.target, "text") }, f.reference_prompt || "")),
    el("span", { class: "field-error", "data-error-for": "reference_prompt" }),
    el("label", {}, "providers and prices",
      el("textarea", { id: "extras", rows: 6, oninput: (e) => {
        try {
          const x = JSON.parse(e.target.value || "{}");
          delete f.providers; delete f.prices;
          if (x.providers) f.providers = x.providers;
          if (x.prices) f.prices = x.prices;
          e.target.classList.remove("invalid");
          changed(false);
        } catch (err) { e.target.classList.add("invalid"); }
      } }, JSON.stringify({ providers: f.providers || {}, prices: f.prices || {} }, null, 2))));
  fill($("#editor"), 
    el("h2", {}, cfg.name ? `Configuration ${cfg.name}` : "New configuration"),
    el("div", { class: "row" },
      field("name", "name"), field("min successes", "min_successes", "number"), field("layer timeout", "layer_timeout")),
    el("div", { id: "form-errors" }),
    layers,
    el("div", { class: "actions" },
      el("button", { type: "button", class: "secondary", onclick: () => { f.layers.push({ agents: [newAgent(0)] }); changed(); } }, "Add layer")),
    agg, advanced,
    cfg.yaml ? el("details", { id: "stored-yaml" }, el("summary", {}, "Stored file (YAML)"), el("pre", {}, cfg.yaml)) : null,
    el("div", { class: "actions" },
      el("button", { id: "save-config", type: "button", onclick: saveConfig }, "Save"),
      el("button", { type: "button", class: "secondary", onclick: validateForm }, "Validate"),
      cfg.name ? el("button", { id: "export-seed", type: "button", class: "secondary", onclick: exportSeed }, "Export seed JSON") : null,
      cfg.name ? el("button", { type: "button", class: "secondary", onclick: () => { setCurrentConfig(cfg.name); notice(`${cfg.name} is the current configuration`); } }, "Use for chat and challenge") : null,
      el("span", { id: "form-status", class: "muted" })),
    el("div", { id: "export-out" }));
  showErrors(cfg.errors);
}

function changed(rerender = true) {
  cfg.dirty = true;
  if (rerender) renderForm();
  clearTimeout(cfg.timer);
  cfg.timer = setTimeout(validateForm, 350);
}

async function saveConfig() {
  const name = String(cfg.form.name || "");
  const r = await api("PUT", "/api/configs/" + encodeURIComponent(name), cfg.form);
  if (!r.ok) {
    showErrors(r.data.errors || [{ path: "", message: errorText(r.data) }]);
    notice("not saved: " + errorText(r.data));
    return;
  }
  cfg.name = name;
  cfg.form = r.data.form;
  cfg.yaml = r.data.yaml;
  cfg.errors = [];
  cfg.dirty = false;
  notice(`saved ${name}`);
  await renderConfigList();
  renderForm();
}

async function exportSeed() {
  const r = await api("GET", `/api/configs/${encodeURIComponent(cfg.name)}/seed`);
  if (!r.ok) { notice(errorText(r.data)); return; }
  const text = JSON.stringify(r.data.export, null, 2);
  const url = URL.createObjectURL(new Blob([text], { type: "application/json" }));
  fill($("#export-out"), 
    el("a", { id: "seed-download", href: url, download: `${cfg.name}.json` }, `Download ${cfg.name}.json`),
    r.data.warnings.map(w => el("div", { class: "muted" }, "note: " + w)),
    el("pre", { id: "seed-json" }, text));
}

async function openConfig(name) {
  const r = await api("GET", "/api/configs/" + encodeURIComponent(name));
  if (!r.ok) { notice(errorText(r.data)); return; }
  cfg.name = name;
  cfg.yaml = r.data.yaml;
  cfg.dirty = false;
  if (r.data.form) {
    cfg.form = r.data.form;
    cfg.errors = [];
    renderForm();
  } else {
    fill($("#editor"), el("h2", {}, `Configuration ${name}`),
      el("p", { class: "error" }, "this file is not a valid configuration; fix it on disk:"),
      r.data.errors.map(e => el("div", { class: "error" }, e.path ? `${e.path}: ${e.message}` : e.message)),
      el("pre", {}, r.data.yaml));
  }
  document.querySelectorAll(".list button").forEach(b => b.classList.toggle("selected", b.dataset.name === name));
}

async function renderConfigList() {
  const configs = (await refreshConfigNames()) || [];
  fill($("#config-list"), ...configs.map(c => el("button", {
    type: "button", "data-name": c.name, class: c.name === cfg.name ? "selected" : null, onclick: () => openConfig(c.name),
  }, el("strong", {}, c.name), el("br"),
    el("span", { class: c.valid ? "muted" : "error" }, c.valid ? `${c.layers} layers · ${c.agents} agents` : "invalid"))));
}

async function importSeed(file) {
  const text = await file.text();
  const name = ($("#import-name").value || file.name.replace(/\.json$/i, "")).toLowerCase().replace(/[^a-z0-9._-]/g, "-");
  const r = await api("POST", "/api/configs/import-seed", { name, json: text });
  if (!r.ok) {
    fill($("#import-errors"), ...(r.data.errors || [{ path: "", message: errorText(r.data) }])
      .map(e => el("div", { class: "error" }, e.path ? `${e.path}: ${e.message}` : e.message)));
    return;
  }
  fill($("#import-errors"));
  cfg.name = null;
  cfg.yaml = r.data.yaml;
  cfg.form = r.data.form;
  cfg.form.name = name;
  cfg.errors = [];
  renderForm();
  notice(`imported ${file.name}: review, then Save`);
}

async function configsPage() {
  fill(page(), el("div", { class: "cols" },
    el("aside", {},
      el("div", { id: "config-list", class: "list" }),
      el("div", { class: "actions" },
        el("button", { id: "new-config", type: "button", class: "secondary", onclick: async () => {
          const base = configNames.includes(currentConfig()) ? currentConfig() : configNames[0];
          const r = base ? await api("GET", "/api/configs/" + encodeURIComponent(base)) : null;
          cfg.form = r && r.ok && r.data.form ? r.data.form : { name: "new", layers: [{ agents: [newAgent(0)] }],
            aggregator: { model: "llama-3.3-70b", provider: "cerebras", temperature: 0.1, max_tokens: 2048, prompt: "{helper_response}" } };
          cfg.form.name = "new-config";
          cfg.name = null;
          cfg.yaml = null;
          cfg.errors = [];
          renderForm();
        } }, "New configuration")),
      el("h3", {}, "Import seed JSON"),
      el("input", { id: "import-name", placeholder: "name (default: file name)", "aria-label": "import name" }),
      el("input", { id: "import-file", type: "file", accept: ".json,application/json", "aria-label": "seed JSON file",
                    onchange: (e) => e.target.files[0] && importSeed(e.target.files[0]) }),
      el("div", { id: "import-errors" })),
    el("section", { id: "editor" }, el("p", { class: "muted" }, "Pick a configuration, or create one."))));
  await renderConfigList();
  const want = configNames.includes(currentConfig()) ? currentConfig() : configNames[0];
  if (want) await openConfig(want);
}

// ---- Chat ----

const chat = { history: [] };

function chatPage() {
  fill(page(), 
    el("h2", {}, "Chat"),
    el("p", { class: "muted" }, "Answers stream from moa/", el("span", { id: "chat-config" }, currentConfig()),
      " through the OpenAI-compatible endpoint; each layer's agent outputs follow in panels."),
    el("div", { id: "chat-log", class: "chat-log" }),
    el("div", { class: "actions" },
      el("textarea", { id: "chat-input", placeholder: "Ask something", "aria-label": "message", rows: 3 }),
      el("button", { id: "chat-send", type: "button", onclick: sendChat }, "Send"),
      el("button", { type: "button", class: "secondary", onclick: () => { chat.history = []; fill($("#chat-log")); } }, "Clear")));
  for (const m of chat.history) $("#chat-log").append(el("div", { class: "msg " + m.role }, m.content));
}

async function sendChat() {
  const input = $("#chat-input");
  const question = input.value.trim();
  if (!question) return;
  input.value = "";
  $("#chat-send").disabled = true;
  chat.history.push({ role: "user", content: question });
  const log = $("#chat-log");
  log.append(el("div", { class: "msg user" }, question));
  const answer = el("div", { class: "msg assistant streaming" });
  const meta = el("div", { class: "chat-meta muted" }, "waiting for the layers…");
  log.append(answer, meta);
  try {
    const r = await streamChat(currentConfig(), chat.history, (piece, all) => { answer.textContent = all; });
    answer.classList.remove("streaming");
    answer.classList.add("done");
    chat.history.push({ role: "assistant", content: r.text });
    const u = r.usage || {};
    fill(meta, el("div", { class: "usage" },
      `${u.total_tokens ?? "?"} tokens (${u.prompt_tokens ?? "?"} in, ${u.completion_tokens ?? "?"} out) · ${r.moa ? r.moa.latency_ms : r.latencyMs} ms`
      + (r.moa && r.moa.simulated ? " · simulated" : "")), layerPanels(r.moa));
  } catch (e) {
    chat.history.pop();
    answer.remove();
    fill(meta, el("div", { class: "error" }, e.message));
  } finally {
    $("#chat-send").disabled = false;
  }
}

// ---- Challenge ----

async function challengePage() {
  const info = await api("GET", "/api/challenge");
  fill(page(), 
    el("h2", {}, "Challenge: ", el("code", {}, info.ok ? info.data.function : "calculate_user_metrics")),
    el("p", { class: "muted" }, "Generate the function with the current configuration (",
      el("strong", { id: "challenge-config" }, currentConfig()), ") and grade it with the 120-point grader in a sandbox."),
    el("details", {}, el("summary", {}, "The task"), el("pre", {}, info.ok ? info.data.prompt : errorText(info.data))),
    el("div", { class: "actions" }, el("button", { id: "challenge-run", type: "button", onclick: runChallenge }, "Generate and grade"),
      el("span", { id: "challenge-status", class: "muted" })),
    el("div", { id: "challenge-answer" }),
    el("div", { id: "challenge-grade" }),
    el("h3", {}, "Leaderboard"),
    el("div", { id: "leaderboard" }));
  $("#challenge-run").dataset.prompt = info.ok ? info.data.prompt : "";
  await renderLeaderboard();
}

async function runChallenge() {
  const button = $("#challenge-run");
  const status = $("#challenge-status");
  const config = currentConfig();
  button.disabled = true;
  const pre = el("pre", { class: "answer" });
  fill($("#challenge-answer"), el("h3", {}, "Answer"), pre);
  fill($("#challenge-grade"));
  try {
    status.textContent = "generating…";
    const r = await streamChat(config, [{ role: "user", content: button.dataset.prompt }], (p, all) => { pre.textContent = all; });
    $("#challenge-answer").append(layerPanels(r.moa));
    status.textContent = "grading in the sandbox…";
    const tokens = r.usage ? r.usage.total_tokens : 0;
    const g = await api("POST", "/api/challenge/grade", { config, answer: r.text, tokens, latency_ms: r.moa ? r.moa.latency_ms : r.latencyMs });
    if (!g.ok) throw new Error(errorText(g.data));
    renderGrade(g.data);
    renderBoard(g.data.leaderboard);
    status.textContent = "";
  } catch (e) {
    status.textContent = "";
    fill($("#challenge-grade"), el("p", { class: "error" }, e.message));
  } finally {
    button.disabled = false;
  }
}

function renderGrade(data) {
  const d = data.details, a = data.attempt;
  const gate = Object.entries(d.gate || {}).map(([k, v]) => el("tr", {}, el("td", {}, k), el("td", { class: v === "passed" ? "" : "error" }, v)));
  const checks = Object.entries(d.checks || {}).map(([k, v]) => el("tr", {},
    el("td", {}, k), el("td", {}, `${v.points} / ${v.max}`), el("td", { class: "muted" }, v.reason || "")));
  fill($("#challenge-grade"), 
    el("div", { class: "grade" },
      el("span", { id: "grade-letter", class: "letter" }, a.letter),
      el("span", { id: "grade-total", class: "total" }, `${a.total} / 120`),
      el("span", { class: "muted" }, `${a.tokens} tokens · ${a.latencyMs} ms`)),
    d.reason ? el("p", { class: "error" }, d.reason) : null,
    gate.length ? el("table", { id: "grade-gate" }, el("tr", {}, el("th", {}, "unit test (gate)"), el("th", {}, "result")), gate) : null,
    checks.length ? el("table", { id: "grade-checks" }, el("tr", {}, el("th", {}, "check"), el("th", {}, "points"), el("th", {}, "why")), checks) : null);
}

async function renderLeaderboard() {
  const r = await api("GET", "/api/challenge/leaderboard");
  if (r.ok) renderBoard(r.data.leaderboard);
}

function renderBoard(entries) {
  fill($("#leaderboard"), entries.length
    ? el("table", { id: "leaderboard-table" },
        el("tr", {}, ["#", "configuration", "version", "total", "grade", "tokens", "latency", "attempts", "when"].map(h => el("th", {}, h))),
        entries.map(e => el("tr", {},
          el("td", {}, e.rank), el("td", {}, e.best.config), el("td", { class: "muted" }, e.best.configSha256.slice(0, 8)),
          el("td", {}, e.best.total), el("td", {}, e.best.letter), el("td", {}, e.best.tokens), el("td", {}, `${e.best.latencyMs} ms`),
          el("td", {}, e.attempts), el("td", { class: "muted" }, new Date(e.best.atMs).toLocaleString()))))
    : el("p", { class: "muted" }, "no attempts yet"));
}

// ---- Runs ----

let runsTimer = null;

function progress(run) {
  const r = run.resume;
  if (r && !r.finished) {
    // A resume in this orchestrator: the engine's own counts, twice a second.
    const pct = r.total ? Math.round((100 * r.done) / r.total) : 0;
    return el("div", { class: "progress resume-progress", title: `${r.done} of ${r.total}` },
      el("div", { class: "bar" }, el("span", { style: `width:${pct}%` })),
      el("span", { class: "muted" }, `resuming: ${r.done}/${r.total} · ${r.failed} failed · ${Math.round(r.elapsed_ms / 1000)} s`));
  }
  const total = run.total || 0, done = (run.graded || 0) + (run.failed || 0);
  const pct = total ? Math.round((100 * done) / total) : 0;
  return el("div", { class: "progress", title: `${done} of ${total}` },
    el("div", { class: "bar" }, el("span", { style: `width:${pct}%` })),
    el("span", { class: "muted" }, `${done}/${total} · ${run.graded || 0} graded · ${run.failed || 0} failed`));
}

/** Resumes an interrupted run in the orchestrator, as bin/moa eval --resume does. */
async function resumeRun(runId) {
  const r = await api("POST", `/api/runs/${encodeURIComponent(runId)}/resume`);
  notice(r.ok ? `resuming ${runId}: ${r.data.resume.pending} samples without a result` : errorText(r.data));
  return r.ok;
}

function resumeButton(run, id, after) {
  return el("button", { type: "button", class: "run-resume", id, "data-run": run.run_id,
    onclick: async (e) => { e.stopPropagation(); e.target.disabled = true; if ((await resumeRun(run.run_id)) && after) after(); } }, "Resume");
}

async function runsPage() {
  fill(page(), el("h2", {}, "Runs"), el("p", { class: "muted", id: "runs-dir" }), el("div", { id: "runs-table" }));
  const refresh = async () => {
    const r = await api("GET", "/api/runs");
    if (!r.ok) { notice(errorText(r.data)); return; }
    $("#runs-dir").textContent = `live states from moa.runs, results from ${r.data.dir}/`;
    fill($("#runs-table"), r.data.runs.length ? el("table", {},
      el("tr", {}, ["run", "status", "config", "dataset", "progress", "mean score", "started", ""].map(h => el("th", {}, h))),
      r.data.runs.map(run => el("tr", { class: "clickable run-row", "data-run": run.run_id, onclick: () => { location.hash = "#/runs/" + encodeURIComponent(run.run_id); } },
        el("td", {}, el("a", { href: "#/runs/" + encodeURIComponent(run.run_id) }, run.run_id)),
        el("td", { class: "status-" + run.status }, run.status),
        el("td", {}, run.config_name || ""), el("td", { class: "muted" }, (run.dataset || "").split("/").pop()),
        el("td", {}, progress(run)),
        el("td", {}, run.mean_score !== undefined ? run.mean_score.toFixed(3) : ""),
        el("td", { class: "muted" }, run.created_at_ms ? new Date(run.created_at_ms).toLocaleString() : ""),
        el("td", {}, run.resumable ? resumeButton(run) : null))))
      : el("p", { class: "muted" }, "no runs yet: start one with bin/moa eval"));
  };
  await refresh();
  runsTimer = setInterval(refresh, 2000);
}

/** A horizontal bar chart as inline SVG. */
function barChart(title, rows, fmt = (v) => String(v)) {
  const w = 360, rowH = 16, left = 120, h = rows.length * rowH + 10;
  const max = Math.max(1e-9, ...rows.map(r => r[1]));
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", `0 0 ${w} ${h}`);
  svg.setAttribute("width", "100%");
  rows.forEach(([label, v], i) => {
    const y = 5 + i * rowH;
    const t = document.createElementNS(svg.namespaceURI, "text");
    t.setAttribute("x", 0); t.setAttribute("y", y + 11); t.textContent = String(label).slice(0, 20);
    const r = document.createElementNS(svg.namespaceURI, "rect");
    r.setAttribute("x", left); r.setAttribute("y", y + 2); r.setAttribute("height", rowH - 5);
    r.setAttribute("width", Math.max(1, ((w - left - 60) * v) / max)); r.setAttribute("fill", "#2f5bd3");
    const vt = document.createElementNS(svg.namespaceURI, "text");
    vt.setAttribute("x", left + ((w - left - 60) * v) / max + 4); vt.setAttribute("y", y + 11); vt.textContent = fmt(v);
    svg.append(t, r, vt);
  });
  return el("div", { class: "chart" }, el("strong", {}, title), rows.length ? svg : el("p", { class: "muted" }, "no data yet"));
}

function runCharts(detail) {
  const samples = detail.samples;
  const buckets = ["0-0.2", "0.2-0.4", "0.4-0.6", "0.6-0.8", "0.8-1"].map(b => [b, 0]);
  for (const s of samples) {
    if (!s.max_score) continue;
    const f = s.score / s.max_score;
    buckets[Math.min(4, Math.floor(f * 5))][1]++;
  }
  const byGrader = {};
  for (const s of samples) {
    if (!s.max_score) continue;
    (byGrader[s.grader] = byGrader[s.grader] || []).push(s.score / s.max_score);
  }
  const charts = [
    barChart("Scores (fraction of max)", buckets),
    barChart("Mean score by grader", Object.entries(byGrader).map(([g, v]) => [g, v.reduce((a, b) => a + b, 0) / v.length]), v => v.toFixed(2)),
    barChart("Latency per sample (ms)", samples.slice(0, 40).map(s => [s.id, s.latency_ms])),
  ];
  const tm = detail.summary && detail.summary.tokens_by_model;
  if (tm) charts.push(barChart("Tokens by model", Object.entries(tm).map(([m, t]) => [m, t.prompt_tokens + t.completion_tokens])));
  return el("div", { class: "charts", id: "run-charts" }, charts);
}

async function runPage(runId) {
  fill(page(), el("p", {}, el("a", { href: "#/runs" }, "← all runs")), el("div", { id: "run-detail" }), el("div", { id: "sample-detail" }));
  const refresh = async () => {
    const r = await api("GET", "/api/runs/" + encodeURIComponent(runId));
    if (!r.ok) { fill($("#run-detail"), el("p", { class: "error" }, errorText(r.data))); return; }
    const run = r.data.run;
    const s = r.data.summary;
    fill($("#run-detail"), 
      el("h2", {}, "Run ", el("span", { id: "run-id" }, run.run_id), " ",
        el("span", { id: "run-status", class: "status-" + run.status }, run.status)),
      el("div", { class: "row" }, progress(run),
        run.status === "running" ? el("button", { id: "run-cancel", type: "button", class: "danger", onclick: async () => {
          const c = await api("POST", `/api/runs/${encodeURIComponent(runId)}/cancel`);
          notice(c.ok ? `cancel sent for ${runId}` : errorText(c.data));
        } }, "Cancel run") : null),
      el("p", { class: "muted" }, `config ${run.config_name || "?"} · dataset ${run.dataset || "?"}`
        + (run.reason ? ` · ${run.reason}` : "")),
      run.resumable
        ? el("p", { id: "run-resume" }, "Carry on with the samples that have no result yet: ",
            resumeButton(run, "run-resume-button", follow), " (or ", el("code", {}, `bin/moa eval --resume ${run.dir}`), ")")
        // grade and sweep runs, and runs on their own local stack, resume with the CLI only.
        : run.has_dir && !["running", "completed", "cancelled"].includes(run.status)
          ? el("p", { id: "run-resume" }, "Carry on with: ", el("code", {}, `bin/moa eval --resume ${run.dir}`)) : null,
      run.resume && run.resume.finished
        ? el("p", { id: "run-resume-result", class: run.resume.error ? "error" : "" },
            `resumed here: ${run.resume.ending} · ${run.resume.done}/${run.resume.total} samples · ${run.resume.failed} failed`
              + (run.resume.error ? ` · ${run.resume.error}` : "")) : null,
      s ? el("p", { id: "run-summary" }, `mean score ${Number(s.mean_score).toFixed(3)} · accuracy ${Number(s.accuracy).toFixed(3)} · `
        + `${s.tokens ? s.tokens.prompt_tokens + s.tokens.completion_tokens : "?"} tokens · p50 ${s.latency_ms && s.latency_ms.end_to_end ? s.latency_ms.end_to_end.p50 : "?"} ms`) : null,
      runCharts(r.data),
      el("h3", {}, `Samples (${r.data.samples.length})`),
      el("table", { id: "samples-table" },
        el("tr", {}, ["sample", "status", "grader", "score", "tokens", "latency", "errors"].map(h => el("th", {}, h))),
        r.data.samples.map(x => el("tr", { class: "clickable sample-row", "data-sample": x.id, onclick: () => openSample(runId, x.id) },
          el("td", {}, x.id), el("td", {}, x.status), el("td", {}, x.grader), el("td", {}, x.max_score ? `${x.score} / ${x.max_score}` : ""),
          el("td", {}, x.prompt_tokens + x.completion_tokens), el("td", {}, `${x.latency_ms} ms`), el("td", { class: x.errors ? "error" : "" }, x.errors || "")))));
    return run.status === "running";
  };
  // While the run runs (a resume started here, too), the page follows it until it ends.
  const follow = () => { clearInterval(runsTimer); runsTimer = setInterval(async () => { if (!(await refresh())) clearInterval(runsTimer); }, 1000); };
  if (await refresh()) follow();
}

async function openSample(runId, sampleId) {
  const r = await api("GET", `/api/runs/${encodeURIComponent(runId)}/samples/${encodeURIComponent(sampleId)}`);
  if (!r.ok) { notice(errorText(r.data)); return; }
  const x = r.data;
  const layers = (x.layers || []).map(l => ({ layer: l.layer, outputs: (l.agents || []).map(a => ({ ...a, name: a.agent, text: a.content })) }));
  const agg = x.aggregator ? { ...x.aggregator, name: "aggregator", text: x.aggregator.content } : null;
  fill($("#sample-detail"), 
    el("h3", {}, "Sample ", el("span", { id: "sample-id" }, x.id)),
    el("div", { class: "answer", id: "sample-answer" }, x.answer || "(no answer)"),
    x.grade ? el("details", { open: true }, el("summary", {}, `grade: ${x.grade.grader} ${x.grade.status} ${x.grade.score} / ${x.grade.max_score}`),
      el("pre", {}, JSON.stringify(x.grade.details, null, 2)), x.grade.reason ? el("p", {}, x.grade.reason) : null) : null,
    (x.errors || []).map(e => el("p", { class: "error" }, e)),
    layerPanels({ layers, aggregator: agg }));
  $("#sample-detail").scrollIntoView();
}

// ---- routing ----

async function route() {
  clearInterval(runsTimer);
  notice("");
  const hash = location.hash || "#/configs";
  const [, name, arg] = hash.split("/");
  document.querySelectorAll("nav a").forEach(a => a.classList.toggle("active", a.dataset.page === name));
  try {
    if (name === "chat") chatPage();
    else if (name === "challenge") await challengePage();
    else if (name === "runs" && arg) await runPage(decodeURIComponent(arg));
    else if (name === "runs") await runsPage();
    else await configsPage();
  } catch (e) {
    notice(e.message);
  }
}

window.addEventListener("hashchange", route);
$("#current-config").addEventListener("change", (e) => { setCurrentConfig(e.target.value); route(); });
$("#token-save").addEventListener("click", () => {
  sessionStorage.setItem("moa.token", $("#token-input").value.trim());
  $("#token-bar").hidden = true;
  refreshConfigNames().then(route);
});
refreshConfigNames().then(route).catch(e => notice(e.message));
