// A run's conversation: every agent's turns in stream order, tool calls and results,
// CAD code, preview renders, the simulator's verdict, critic reviews, raw envelopes,
// and "redrive from here" (admin).
import { api, empty, fmt, h, highlight, isAdmin, jsonBlock, statusBadge } from "./util.js";
import { placeParts, Viewer } from "./viewer3d.js";
import { PALETTE } from "./chart.js";

const FIRST_PAGE = 150;
const PAGE = 1000;
const MAX_EVENTS = 50000;

const timelinePage = (runId, after, limit) =>
  api.get(`/runs/${encodeURIComponent(runId)}/timeline?envelopes=true&limit=${limit}&after=${after}`);

function lazy(summary, build, open = false) {
  const box = h("details", { open });
  let built = false;
  const fill = () => { if (!built) { built = true; box.append(build()); } };
  box.append(h("summary", {}, summary));
  box.addEventListener("toggle", fill);
  if (open) fill();
  return box;
}

function blocks(content) {
  return (content || []).map((b) => {
    if (b.type === "text") return h("div", { class: "say" }, b.text);
    if (b.type === "tool_use") return h("div", { class: "tool-use" }, h("b", {}, `→ ${b.name}`), toolInput(b.input));
    if (b.type === "tool_result") {
      return h("div", { class: `tool-result${b.is_error ? " is-error" : ""}` }, h("b", {}, "← result"),
        h("pre", { class: "out" }, clip(b.content)));
    }
    return jsonBlock(b);
  });
}

function toolInput(input) {
  const code = input && typeof input.code === "string" ? input.code : null;
  const rest = { ...input };
  if (code) delete rest.code;
  return h("div", {}, Object.keys(rest).length ? jsonBlock(rest) : null, code ? highlight(code) : null);
}

const clip = (s, n = 4000) => (s && s.length > n ? `${s.slice(0, n)}\n… (${s.length - n} more characters)` : s || "");

function preview(p) {
  const canvas = h("canvas", { class: "preview", width: 320, height: 220 });
  const observer = new IntersectionObserver((seen) => {
    if (!seen.some((e) => e.isIntersecting)) return;
    observer.disconnect();
    const viewer = new Viewer(canvas);
    const boxes = [{ role: "build", low: p.spec.build_zone.low, high: p.spec.build_zone.high, label: "build" }];
    if (p.spec.goal && p.spec.goal.zone) boxes.push({ role: "goal", ...p.spec.goal.zone });
    for (const z of p.spec.forbid_zones || []) boxes.push({ role: "forbid", ...z });
    viewer.set({ boxes, triangles: placeParts(p.solution.parts || [], p.meshes || []) });
  });
  observer.observe(canvas);
  return canvas;
}

function verdict(p) {
  const m = p.metrics || {};
  return h("div", { class: "verdict" },
    h("div", { class: "kv" },
      h("span", { class: `badge ${p.passed ? "s-succeeded" : "s-failed"}` }, p.passed ? "passed" : "failed"),
      kv("success rate", fmt.pct(m.success_rate)), kv("steps", fmt.int(m.steps)),
      kv("max penetration", `${((m.max_penetration_m || 0) * 1000).toFixed(2)} mm`),
      kv("sim wall", `${(m.wall_s || 0).toFixed(2)} s`),
      p.scoring ? kv("cost", (p.scoring.total_cost || 0).toFixed(2)) : null,
      p.scoring ? kv("mass", `${(p.scoring.total_mass_kg || 0).toFixed(3)} kg`) : null),
    (p.failures || []).length ? h("ul", { class: "reasons" },
      p.failures.map((f) => h("li", {}, h("b", {}, f.kind), ` ${f.message}`))) : null);
}

const kv = (k, v) => h("span", { class: "pair" }, h("i", {}, k), v);

function body(type, p) {
  if (!p) return null;
  switch (type) {
    case "llm.call.requested": {
      const last = p.messages[p.messages.length - 1];
      return h("div", {}, h("div", { class: "kv" }, kv("turn", p.turn_index), kv("model", p.model)),
        lazy(`prompt: ${p.messages.length} message${p.messages.length === 1 ? "" : "s"}`, () =>
          h("div", {}, p.system ? h("div", { class: "system" }, clip(p.system, 3000)) : null,
            p.messages.map((m) => h("div", { class: `msg ${m.role}` }, h("b", {}, m.role), blocks(m.content))))),
        last && last.role === "user" ? h("div", { class: `msg user` }, blocks(last.content)) : null);
    }
    case "llm.call.completed":
      return h("div", {}, h("div", { class: "kv" }, kv("stop", p.stop_reason),
        kv("tokens", `${p.usage.input_tokens} in / ${p.usage.output_tokens} out`), kv("cost", fmt.usd(p.cost_usd)),
        kv("latency", `${p.latency_s.toFixed(2)} s`)), h("div", { class: "msg assistant" }, blocks(p.content)));
    case "llm.call.failed":
      return h("div", { class: "bad" }, `${p.reason}: ${p.detail}`);
    case "agent.thought.recorded":
      return h("div", { class: "say thought" }, p.text);
    case "agent.tool.called":
      return h("div", { class: "tool-use" }, h("b", {}, `→ ${p.tool_name}`), toolInput(p.arguments));
    case "agent.tool.completed":
      return h("div", { class: `tool-result${p.is_error ? " is-error" : ""}` },
        h("b", {}, `← ${p.tool_name}${p.is_error ? ` (${p.error_kind || "error"})` : ""} · ${p.duration_s.toFixed(2)} s`),
        h("pre", { class: "out" }, clip(p.result)));
    case "engineer.solution.submitted":
      return h("div", { class: "submission" },
        h("div", { class: "kv" }, kv("stage", p.stage), kv("attempt", p.attempt), kv("design", fmt.short(p.design_id)),
          kv("parts", (p.solution.parts || []).length)),
        h("div", { class: "split" }, lazy("CAD code", () => highlight(p.code), p.stage === "final"), preview(p)));
    case "engineer.code.checked":
      return h("div", { class: p.ok ? "" : "bad" }, `${p.linter}: ${p.ok ? "ok" : "problems"}`,
        (p.problems || []).length ? jsonBlock(p.problems) : null);
    case "critic.review.created":
      return h("div", { class: "review" },
        h("span", { class: `badge ${p.decision === "accept" ? "s-succeeded" : "s-partial"}` }, p.decision),
        ` ${p.subject}, ${p.stage} #${p.attempt}`,
        (p.reasons || []).length ? h("ul", { class: "reasons" }, p.reasons.map((r) =>
          h("li", {}, typeof r === "string" ? r : [h("b", {}, r.kind || r.code || ""), ` ${r.message || r.detail || JSON.stringify(r)}`]))) : null,
        p.verdict ? lazy("simulator verdict", () => jsonBlock(p.verdict)) : null);
    case "sim.job.completed":
      return verdict(p);
    case "solve.job.completed":
      return h("div", { class: "kv" }, h("span", { class: `badge ${p.solved ? "s-succeeded" : "s-failed"}` }, p.outcome),
        kv("submissions", p.submissions), kv("simulations", p.sim_calls), kv("tokens", fmt.int(p.tokens)),
        kv("cost", fmt.usd(p.cost_usd)), (p.reasons || []).length ? kv("reasons", p.reasons.join("; ")) : null);
    default:
      if (type && type.endsWith(".failed") && p.detail) return h("div", { class: "bad" }, `${p.reason || ""}: ${clip(p.detail, 600)}`);
      return null;
  }
}

function card(runId, entry, colors, onRedrive) {
  const payload = entry.envelope && entry.envelope.payload;
  const role = (entry.agent || "").split("/")[0];
  const color = colors.get(role) || "#64748b";
  return h("article", { class: `event${entry.valid ? "" : " invalid"}`, "data-seq": entry.seq, "data-agent": role,
    "data-type": entry.type || "", style: `--agent:${color}` },
    h("div", { class: "event-head" },
      h("span", { class: "seq mono" }, `#${entry.seq}`),
      h("span", { class: "agent" }, role || "client"),
      h("span", { class: "type mono" }, entry.type || "(invalid)"),
      h("span", { class: "time small muted" }, fmt.time(entry.ts).slice(11)),
      h("span", { class: "spacer" }),
      h("a", { class: "small", href: `#/envelope/${encodeURIComponent(runId)}/${entry.seq}` }, "raw envelope"),
      onRedrive ? h("button", { type: "button", class: "ghost small redrive", onclick: () => onRedrive(entry.seq) }, "redrive from here") : null),
    h("div", { class: "summary small muted" }, entry.summary),
    body(entry.type, payload));
}

// The first events render at once; the rest of the run follows page by page.
export async function runPage(runId) {
  const [run, first] = await Promise.all([api.get(`/runs/${encodeURIComponent(runId)}`),
    timelinePage(runId, 0, FIRST_PAGE)]);
  const colors = new Map();
  const colorOf = (role) => {
    if (!colors.has(role)) colors.set(role, PALETTE[colors.size % PALETTE.length]);
    return colors.get(role);
  };
  const notice = h("div", { class: "notice", hidden: true });
  const onRedrive = isAdmin() ? async (seq) => {
    if (!confirm(`Publish this run's job requests again from #${seq} under a new run?`)) return;
    try {
      const done = await api.post(`/runs/${encodeURIComponent(runId)}/redrive`, { from_seq: seq });
      notice.replaceChildren(`Redriven: ${done.requests} request(s) under `,
        h("a", { href: `#/run/${encodeURIComponent(done.new_run_id)}` }, done.new_run_id));
    } catch (err) {
      notice.replaceChildren(h("span", { class: "bad" }, `Redrive refused: ${err.message}`));
    }
    notice.hidden = false;
  } : null;
  const list = h("div", { class: "events" });
  const hidden = new Set();
  const chips = h("div", { class: "chips" });
  const links = h("span", {});
  let count = 0;
  const add = (entries) => {
    const frag = document.createDocumentFragment();
    for (const e of entries) {
      const role = (e.agent || "").split("/")[0];
      if (role && !colors.has(role)) {
        chips.append(h("button", { type: "button", class: "chip on", style: `--agent:${colorOf(role)}`, onclick: (ev) => {
          hidden.has(role) ? hidden.delete(role) : hidden.add(role);
          ev.currentTarget.classList.toggle("on", !hidden.has(role));
          for (const a of list.children) a.hidden = hidden.has(a.dataset.agent);
        } }, role));
      }
      const el = card(runId, e, colors, onRedrive);
      el.hidden = hidden.has(role);
      frag.append(el);
      if (!links.childNodes.length && e.type === "solve.job.requested" && e.envelope) {
        const bid = e.envelope.payload.benchmark_id;
        links.append(h("a", { href: `#/benchmark/${encodeURIComponent(bid)}?run=${encodeURIComponent(runId)}` }, "3D view of the design"));
      }
    }
    count += entries.length;
    list.append(frag);
  };
  add(first.entries);
  let stopped = false;
  const more = async () => {
    let after = first.next_after;
    while (!stopped && after !== null && after !== undefined && count < MAX_EVENTS) {
      const page = await timelinePage(runId, after, PAGE);
      if (stopped) return;
      for (let i = 0; i < page.entries.length; i += 200) {
        add(page.entries.slice(i, i + 200));
        await new Promise((done) => setTimeout(done, 0));
      }
      after = page.next_after;
    }
  };
  const el = h("section", { class: "page" },
    h("div", { class: "page-head" }, h("h1", {}, "Run ", h("span", { class: "mono" }, runId)), statusBadge(run.status)),
    h("div", { class: "kv card" }, kv("kind", run.kind), kv("events", fmt.int(run.events)),
      kv("jobs", `${run.jobs_completed} ok, ${run.jobs_failed} failed, ${run.jobs_open} open`),
      kv("tokens", fmt.int(run.input_tokens + run.output_tokens)), kv("cost", fmt.usd(run.cost_usd)),
      kv("sim time", `${run.sim_time_s.toFixed(1)} s`), kv("started", fmt.time(run.started_at)), links),
    notice, chips, first.entries.length ? list : empty("This run has no recorded events."));
  return { el, more, dispose: () => { stopped = true; } };
}

export async function envelopePage(runId, seq) {
  const page = await api.get(`/runs/${encodeURIComponent(runId)}/timeline?envelopes=true&limit=1&after=${seq - 1}`);
  const entry = page.entries.find((e) => e.seq === seq);
  const el = h("section", { class: "page" },
    h("div", { class: "page-head" }, h("h1", {}, `Envelope #${seq}`),
      h("a", { href: `#/run/${encodeURIComponent(runId)}` }, "back to the run")),
    entry ? h("div", { class: "card" }, h("div", { class: "small muted" }, entry.type), jsonBlock(entry.envelope ?? entry))
      : empty(`No message #${seq} in this run.`));
  return { el };
}
