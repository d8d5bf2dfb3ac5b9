// Clicks through every page of the web console in Debian's Chromium (playwright-core, no
// downloaded browser). Driven by cli's ConsoleIT, which starts the real stack and passes:
//   BASE_URL     the orchestrator (http://127.0.0.1:PORT)
//   CHROMIUM     the browser binary (default /usr/bin/chromium)
//   CONFIG       a configuration in the orchestrator's configs dir (all calls on the simulator)
//   RUN_ID       a finished run in the console's runs dir
//   LIVE_RUN_ID  a run in state RUNNING on moa.runs, to be cancelled
//   RESUME_RUN_ID an interrupted run in the runs dir (3 samples, 1 result line), to be resumed
//   SEED_FILE    the seed app's export to import
//   OUT          a directory for screenshots
// Exits 0 when every step passed; otherwise prints the failed step and exits 1.
import { chromium } from "playwright-core";
import assert from "node:assert/strict";
import path from "node:path";

const env = (name, fallback) => {
  const v = process.env[name] ?? fallback;
  if (v === undefined) throw new Error(`environment variable ${name} is not set`);
  return v;
};
const BASE = env("BASE_URL");
const CONFIG = env("CONFIG");
const RUN_ID = env("RUN_ID");
const LIVE_RUN_ID = env("LIVE_RUN_ID");
const RESUME_RUN_ID = env("RESUME_RUN_ID");
const SEED_FILE = env("SEED_FILE");
const OUT = env("OUT", ".");
const TIMEOUT = 60_000;

const browser = await chromium.launch({
  executablePath: env("CHROMIUM", "/usr/bin/chromium"),
  headless: true,
  args: ["--no-sandbox", "--disable-dev-shm-usage"],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
page.setDefaultTimeout(TIMEOUT);
const consoleErrors = [];
page.on("pageerror", (e) => consoleErrors.push(String(e)));
page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });

let current = "start";
async function step(name, fn) {
  current = name;
  const t0 = Date.now();
  await fn();
  await page.screenshot({ path: path.join(OUT, name.replace(/[^a-z0-9]+/gi, "-") + ".png"), fullPage: true });
  console.log(`ok  ${name} (${Date.now() - t0} ms)`);
}

const field = (p) => page.locator(`[data-path="${p}"]`);
const errorFor = (p) => page.locator(`[data-error-for="${p}"]`);

try {
  await step("configurations: list and open", async () => {
    await page.goto(`${BASE}/console/`);
    await page.locator(`.list button[data-name="${CONFIG}"]`).click();
    await page.getByRole("heading", { name: `Configuration ${CONFIG}` }).waitFor();
    assert.ok((await page.locator("fieldset.layer").count()) >= 1, "at least one layer");
  });

  const edited = `${CONFIG}-edited`;
  await step("configurations: inline validation error", async () => {
    await field("layers[0].agents[0].temperature").fill("3.5");
    await errorFor("layers[0].agents[0].temperature").filter({ hasText: "3.5" }).waitFor();
    assert.match(await field("layers[0].agents[0].temperature").getAttribute("class"), /invalid/);
    await field("aggregator.max_tokens").fill("zero");
    await errorFor("aggregator.max_tokens").filter({ hasText: "zero" }).waitFor();
  });

  await step("configurations: edit agents, aggregator and layers, then save", async () => {
    await field("layers[0].agents[0].temperature").fill("0.4");
    await field("aggregator.max_tokens").fill("96");
    await page.locator("fieldset.layer").first().getByRole("button", { name: "Add agent" }).click();
    const n = (await page.locator("fieldset.layer").first().locator(".agent").count()) - 1;
    await field(`layers[0].agents[${n}].name`).fill("added_agent");
    await field(`layers[0].agents[${n}].provider`).fill("simulator");
    await field(`layers[0].agents[${n}].max_tokens`).fill("48");
    await field(`layers[0].agents[${n}].prompt`).fill("Be brief. {helper_response}");
    const layers = await page.locator("fieldset.layer").count();
    await page.getByRole("button", { name: "Add layer" }).click();
    assert.equal(await page.locator("fieldset.layer").count(), layers + 1);
    await page.locator("fieldset.layer").last().getByRole("button", { name: "Remove layer" }).click();
    assert.equal(await page.locator("fieldset.layer").count(), layers);
    await field("name").fill(edited);
    await page.locator("#form-status", { hasText: "valid" }).waitFor();
    await page.locator("#save-config").click();
    await page.locator("#notice", { hasText: `saved ${edited}` }).waitFor();
    await page.locator(`.list button[data-name="${edited}"]`).waitFor();
  });

  await step("configurations: the saved edit reads back after a reload", async () => {
    await page.reload();
    await page.locator(`.list button[data-name="${edited}"]`).click();
    await page.getByRole("heading", { name: `Configuration ${edited}` }).waitFor();
    assert.equal(await field("layers[0].agents[0].temperature").inputValue(), "0.4");
    assert.equal(await field("aggregator.max_tokens").inputValue(), "96");
    const last = (await page.locator("fieldset.layer").first().locator(".agent").count()) - 1;
    assert.equal(await field(`layers[0].agents[${last}].name`).inputValue(), "added_agent");
    await page.locator("#stored-yaml summary").click();
    assert.match(await page.locator("#stored-yaml pre").textContent(), /name: added_agent/);
  });

  await step("configurations: export the seed app's JSON", async () => {
    await page.locator("#export-seed").click();
    const json = JSON.parse(await page.locator("#seed-json").textContent());
    assert.ok(json.ai_configuration, "ai_configuration");
    assert.equal(json.version, "2.0");
    assert.ok(json.ai_configuration.layer_agents.some((a) => a.name === "added_agent"));
    assert.equal(await page.locator("#seed-download").getAttribute("download"), `${edited}.json`);
  });

  await step("configurations: import the seed app's JSON", async () => {
    await page.locator("#import-name").fill("imported-seed");
    await page.locator("#import-file").setInputFiles(SEED_FILE);
    await page.getByRole("heading", { name: "New configuration" }).waitFor();
    assert.equal(await field("name").inputValue(), "imported-seed");
    assert.equal(await field("layers[0].agents[0].name").inputValue(), "bug_hunter");
    await page.locator("#save-config").click();
    await page.locator(`.list button[data-name="imported-seed"]`).waitFor();
  });

  await step("chat: the answer streams, then per-layer panels with tokens and latency", async () => {
    await page.locator("#current-config").selectOption(edited);
    await page.locator("nav a", { hasText: "Chat" }).click();
    await page.locator("#chat-config", { hasText: edited }).waitFor();
    await page.locator("#chat-input").fill("Plan a trip to San Francisco for me and my friend from 3 PM to 9 PM");
    await page.locator("#chat-send").click();
    await page.locator(".msg.assistant.done").waitFor();
    assert.ok((await page.locator(".msg.assistant").textContent()).trim().length > 0, "an answer");
    const panels = page.locator(".layer-panel");
    // layers of the edited config + the aggregator
    assert.ok((await panels.count()) >= 2, "layer panels");
    const firstLayer = panels.first();
    assert.match(await firstLayer.locator("summary").first().textContent(), /Layer 1 · \d+ agents · \d+ tokens · slowest \d+ ms/);
    await firstLayer.locator("summary").first().click();
    const agent = firstLayer.locator(".agent-output").last();
    assert.match(await agent.locator("summary").textContent(), /added_agent · .* · \d+ tokens .* · \d+ ms/);
    await agent.locator("summary").click();
    assert.ok((await agent.locator("pre").textContent()).length > 0, "the agent's output");
    assert.match(await page.locator(".usage").textContent(), /\d+ tokens/);
  });

  await step("challenge: generate, grade, breakdown, letter and leaderboard", async () => {
    await page.locator("nav a", { hasText: "Challenge" }).click();
    await page.locator("#challenge-config", { hasText: edited }).waitFor();
    await page.locator("#challenge-run").click();
    await page.locator("#grade-letter").waitFor({ timeout: 120_000 });
    assert.match(await page.locator("#grade-letter").textContent(), /^[A-F][+-]?$/);
    assert.match(await page.locator("#grade-total").textContent(), /^\d+(\.\d+)? \/ 120$/);
    const row = page.locator("#leaderboard-table tr", { hasText: edited });
    await row.waitFor();
    assert.match(await row.textContent(), /1/);
    await page.reload();
    await page.locator("#leaderboard-table tr", { hasText: edited }).waitFor();
  });

  await step("runs: list, open a finished run, charts and drill-down", async () => {
    await page.locator("nav a", { hasText: "Runs" }).click();
    await page.locator(`tr.run-row[data-run="${RUN_ID}"]`).waitFor();
    assert.match(await page.locator(`tr.run-row[data-run="${RUN_ID}"]`).textContent(), /completed/);
    await page.locator(`tr.run-row[data-run="${LIVE_RUN_ID}"]`, { hasText: "running" }).waitFor();
    await page.locator(`tr.run-row[data-run="${RUN_ID}"]`).click();
    await page.locator("#run-status", { hasText: "completed" }).waitFor();
    assert.ok((await page.locator("#run-charts svg").count()) >= 2, "summary charts");
    await page.locator("#run-summary").waitFor();
    const rows = page.locator("tr.sample-row");
    assert.ok((await rows.count()) >= 1, "sample rows");
    const id = await rows.first().getAttribute("data-sample");
    await rows.first().click();
    await page.locator("#sample-id", { hasText: id }).waitFor();
    await page.locator("#sample-answer").waitFor();
    assert.ok((await page.locator("#sample-detail .layer-panel").count()) >= 1, "the sample's layers");
  });

  await step("runs: live progress and cancel", async () => {
    await page.goto(`${BASE}/console/#/runs/${encodeURIComponent(LIVE_RUN_ID)}`);
    await page.locator("#run-status", { hasText: "running" }).waitFor();
    await page.locator(".progress", { hasText: "/" }).first().waitFor();
    await page.locator("#run-cancel").click();
    await page.locator("#notice", { hasText: `cancel sent for ${LIVE_RUN_ID}` }).waitFor();
    // The page follows moa.runs: the global store shows the cancel within a few polls.
    await page.locator("#run-status", { hasText: "cancelled" }).waitFor();
  });

  // Outside the page (an error status there would be logged as a page error).
  const postResume = async (id) => {
    const r = await page.request.post(`${BASE}/api/runs/${encodeURIComponent(id)}/resume`);
    return { status: r.status(), error: (await r.json()).error };
  };

  await step("runs: resume an interrupted run and see it finish", async () => {
    await page.goto(`${BASE}/console/#/runs`);
    const row = page.locator(`tr.run-row[data-run="${RESUME_RUN_ID}"]`);
    await row.waitFor();
    await row.locator("button.run-resume").click();
    await page.locator("#notice", { hasText: `resuming ${RESUME_RUN_ID}: 2 samples without a result` }).waitFor();
    // Live: the row follows the resume (its progress, then its end) and offers no second resume.
    await row.locator("button.run-resume").waitFor({ state: "detached" });
    await row.locator("td.status-completed").waitFor();
    await row.click();
    await page.locator("#run-resume-result", { hasText: "resumed here: completed · 3/3 samples" }).waitFor();
    await page.locator("#run-status", { hasText: "completed" }).waitFor();
    await page.locator("h3", { hasText: "Samples (3)" }).waitFor();
    const scores = await page.locator("tr.sample-row td:nth-child(4)").allTextContents();
    assert.equal(scores.length, 3);
    for (const s of scores) assert.match(s, /\/ /, "every sample graded: " + scores.join(", "));
    assert.equal(await page.locator("#run-resume-button").count(), 0);
  });

  await step("runs: resume refusals", async () => {
    const complete = await postResume(RESUME_RUN_ID);
    assert.equal(complete.status, 409);
    assert.match(complete.error, /is complete: all 3 samples have a result/);
    const missing = await postResume("no-such-run");
    assert.equal(missing.status, 404);
    assert.match(missing.error, /no run directory/);
    const live = await postResume(LIVE_RUN_ID);
    assert.equal(live.status, 404, "a run without a directory here: " + live.error);
  });

  assert.deepEqual(consoleErrors, [], "no JavaScript errors in the page");
  console.log("all console steps passed");
  await browser.close();
} catch (e) {
  console.error(`FAILED at step "${current}": ${e.stack || e}`);
  if (consoleErrors.length) console.error("page errors: " + consoleErrors.join("\n"));
  try { await page.screenshot({ path: path.join(OUT, "failure.png"), fullPage: true }); } catch (_) { /* closed */ }
  await browser.close();
  process.exit(1);
}
