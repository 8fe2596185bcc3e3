// Runs: the list (status, family, cost, tokens), success over time, live updates.
import { api, fmt, h, statusBadge } from "./util.js";
import { legend, successChart } from "./chart.js";

function runRow(run) {
  return h("tr", { "data-run": run.run_id },
    h("td", {}, h("a", { href: `#/run/${encodeURIComponent(run.run_id)}`, class: "mono" },
      fmt.short(run.run_id))),
    h("td", {}, statusBadge(run.status)),
    h("td", {}, run.kind),
    h("td", {}, run.family || h("span", { class: "muted" }, "–")),
    h("td", { class: "mono small" }, run.profile_id || h("span", { class: "muted" }, "–")),
    h("td", { class: "num" }, fmt.int(run.events)),
    h("td", { class: "num" }, `${run.jobs_completed}`,
      run.jobs_failed ? h("span", { class: "bad" }, ` / ${run.jobs_failed}✗`) : null,
      run.jobs_open ? h("span", { class: "muted" }, ` / ${run.jobs_open}…`) : null),
    h("td", { class: "num" }, fmt.int(run.input_tokens + run.output_tokens)),
    h("td", { class: "num" }, fmt.usd(run.cost_usd)),
    h("td", { class: "small muted" }, fmt.time(run.ended_at)));
}

const FIRST_ROWS = 100;

async function appendRows(body, runs) {
  for (let i = 0; i < runs.length; i += 250) {
    body.append(...runs.slice(i, i + 250).map(runRow));
    await new Promise((done) => setTimeout(done, 0));
  }
}

function runsTable(runs) {
  return h("table", { class: "grid runs" },
    h("thead", {}, h("tr", {}, ["run", "status", "kind", "family", "profile", "#events",
      "#jobs ok / failed / open", "#tokens", "#cost", "last event"].map((c) =>
      h("th", { class: c.startsWith("#") ? "num" : null }, c.replace("#", ""))))),
    h("tbody", {}, runs.map(runRow)));
}

function chartRows(solves, by) {
  return solves.filter((s) => s.at).map((s) => ({
    t: Date.parse(s.at), solved: s.solved,
    key: (by === "family" ? s.family : s.profile_id) || "(unknown)",
  }));
}

export async function runsPage() {
  const [data, history] = await Promise.all([
    api.get("/dashboard/runs?limit=1000"), api.get("/dashboard/solves"),
  ]);
  let by = "family";
  const chartBox = h("div", { class: "chart-box" });
  const drawChart = () => {
    const chart = successChart(chartRows(history.solves, by));
    chartBox.replaceChildren(chart.el, legend(chart.keys));
  };
  const toggle = h("div", { class: "toggle" }, ["family", "profile"].map((key) =>
    h("button", { type: "button", class: key === by ? "on" : "", "data-by": key, onclick: (e) => {
      by = key;
      for (const b of toggle.children) b.classList.toggle("on", b === e.currentTarget);
      drawChart();
    } }, `by ${key === "profile" ? "prompt version" : key}`)));
  drawChart();

  const solved = history.solves.filter((s) => s.solved).length;
  const totals = data.runs.reduce((a, r) => ({
    cost: a.cost + r.cost_usd, tokens: a.tokens + r.input_tokens + r.output_tokens,
    running: a.running + (r.status === "running" ? 1 : 0),
  }), { cost: 0, tokens: 0, running: 0 });
  const tiles = h("div", { class: "tiles" },
    tile("runs", fmt.int(data.runs.length), `${totals.running} running`),
    tile("solves", fmt.int(history.solves.length), `${fmt.pct(history.solves.length
      ? solved / history.solves.length : null)} solved`),
    tile("tokens", fmt.int(totals.tokens), "all runs shown"),
    tile("cost", fmt.usd(totals.cost), "all runs shown"));

  // The first rows render at once, the rest right after the first frame.
  const table = runsTable(data.runs.slice(0, FIRST_ROWS));
  const tableBox = h("div", { class: "table-box" }, table);
  let stopped = false;
  const more = () => (stopped ? null : appendRows(table.tBodies[0], data.runs.slice(FIRST_ROWS)));
  const liveNote = h("span", { class: "muted small" }, "");
  let timer = null;
  let seen = 0;
  const onLive = () => {
    seen += 1;
    liveNote.textContent = `${seen} live event${seen === 1 ? "" : "s"}`;
    if (timer) return;
    timer = setTimeout(async () => {
      timer = null;
      const fresh = await api.get("/dashboard/runs?limit=1000");
      tableBox.replaceChildren(runsTable(fresh.runs));
    }, 1000);
  };
  window.addEventListener("arena-live", onLive);

  const el = h("section", { class: "page" },
    h("div", { class: "page-head" }, h("h1", {}, "Runs"), liveNote),
    tiles,
    h("div", { class: "card" }, h("div", { class: "card-head" }, h("h2", {}, "Success rate over time"),
      toggle), chartBox),
    h("div", { class: "card" }, h("h2", {}, "Recent runs"),
      data.runs.length ? tableBox : h("div", { class: "empty" }, "Nothing recorded yet: run `arena demo`.")));
  return { el, more, dispose: () => { stopped = true; window.removeEventListener("arena-live", onLive); clearTimeout(timer); } };
}

function tile(label, value, note) {
  return h("div", { class: "tile" }, h("div", { class: "tile-label" }, label),
    h("div", { class: "tile-value" }, value), h("div", { class: "tile-note" }, note));
}
