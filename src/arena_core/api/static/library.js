// The benchmark library (filter by family, declared and measured difficulty) and one
// benchmark: its spec in 3D with the zones, and its solve history.
import { api, empty, fmt, h } from "./util.js";
import { parseStl, ROLE_STYLE, Viewer } from "./viewer3d.js";

const MEASURED = [["any", () => true], ["unsolved", (m) => m.solves > 0 && m.solved === 0],
  ["hard (< 50%)", (m) => m.solves > 0 && m.solved / m.solves < 0.5],
  ["easy (≥ 50%)", (m) => m.solves > 0 && m.solved / m.solves >= 0.5], ["never tried", (m) => m.solves === 0]];

function measuredOf(solves) {
  const by = new Map();
  for (const s of solves) {
    const m = by.get(s.benchmark_id) || { solves: 0, solved: 0 };
    m.solves += 1;
    m.solved += s.solved ? 1 : 0;
    by.set(s.benchmark_id, m);
  }
  return by;
}

function select(label, options, onchange) {
  return h("label", { class: "filter" }, label, h("select", { onchange: (e) => onchange(e.target.value) },
    options.map(([value, text]) => h("option", { value }, text))));
}

function rateBar(m) {
  if (!m.solves) return h("span", { class: "muted" }, "–");
  const rate = m.solved / m.solves;
  return h("span", { class: "rate" }, h("span", { class: "bar" }, h("i", { style: `width:${Math.round(rate * 100)}%` })),
    ` ${m.solved}/${m.solves}`);
}

export async function libraryPage() {
  const [lib, history] = await Promise.all([api.get("/benchmarks?limit=1000"), api.get("/dashboard/solves")]);
  const measured = measuredOf(history.solves);
  const families = [...new Set(lib.benchmarks.map((b) => b.family))].sort();
  const filter = { family: "", difficulty: "", measured: "any" };
  const body = h("tbody");
  const count = h("span", { class: "muted small" });
  const draw = () => {
    const test = MEASURED.find(([k]) => k === filter.measured)[1];
    const rows = lib.benchmarks.filter((b) => (!filter.family || b.family === filter.family)
      && (!filter.difficulty || String(b.difficulty) === filter.difficulty)
      && test(measured.get(b.benchmark_id) || { solves: 0, solved: 0 }));
    count.textContent = `${rows.length} of ${lib.benchmarks.length}`;
    body.replaceChildren(...rows.map((b) => {
      const m = measured.get(b.benchmark_id) || { solves: 0, solved: 0 };
      return h("tr", {},
        h("td", {}, h("a", { href: `#/benchmark/${encodeURIComponent(b.benchmark_id)}`, class: "mono" }, b.benchmark_id)),
        h("td", {}, b.family), h("td", { class: "num" }, String(b.seed)),
        h("td", {}, h("span", { class: `dots d${b.difficulty}` }, "●".repeat(b.difficulty), h("i", {}, "●".repeat(5 - b.difficulty)))),
        h("td", {}, rateBar(m)), h("td", {}, b.has_reference ? "yes" : h("span", { class: "muted" }, "no")),
        h("td", { class: "small muted" }, fmt.time(b.created_at)));
    }));
  };
  draw();
  const set = (k) => (v) => { filter[k] = v; draw(); };
  const el = h("section", { class: "page" },
    h("div", { class: "page-head" }, h("h1", {}, "Benchmark library"), count),
    h("div", { class: "filters" },
      select("family", [["", "all families"], ...families.map((f) => [f, f])], set("family")),
      select("declared difficulty", [["", "any"], ...[1, 2, 3, 4, 5].map((d) => [String(d), `level ${d}`])], set("difficulty")),
      select("measured", MEASURED.map(([k]) => [k, k]), set("measured"))),
    lib.benchmarks.length ? h("div", { class: "card" }, h("table", { class: "grid" },
      h("thead", {}, h("tr", {}, ["benchmark", "family", "seed", "declared", "measured (solved)", "reference", "created"].map((c) => h("th", {}, c)))),
      body)) : empty("The library is empty: accepted benchmarks appear here."));
  return { el };
}

export async function benchmarkPage(benchmarkId, runId) {
  const id = encodeURIComponent(benchmarkId);
  const [bench, history] = await Promise.all([api.get(`/benchmarks/${id}`), api.get("/dashboard/solves")]);
  const solves = history.solves.filter((s) => s.benchmark_id === benchmarkId).reverse();
  const designRun = runId || (solves[0] && solves[0].run_id);
  const scene = await api.get(`/dashboard/benchmarks/${id}/scene${designRun ? `?run_id=${encodeURIComponent(designRun)}` : ""}`);
  let triangles = new Float32Array(0);
  if (scene.mesh_triangles && designRun) {
    triangles = parseStl(await api.get(`/dashboard/runs/${encodeURIComponent(designRun)}/design.stl`));
  }
  const canvas = h("canvas", { class: "scene", width: 720, height: 460 });
  const viewer = new Viewer(canvas);
  const roles = [...new Set(scene.boxes.map((b) => b.role))];
  const m = bench.measured || { solves: 0, solved: 0 };
  const el = h("section", { class: "page" },
    h("div", { class: "page-head" }, h("h1", {}, h("span", { class: "mono" }, benchmarkId)),
      h("a", { href: "#/benchmarks" }, "library")),
    h("div", { class: "two" },
      h("div", { class: "card" }, h("div", { class: "card-head" }, h("h2", {}, "Scene"),
        h("span", { class: "small muted" }, scene.sim_seq ? `design simulated at #${scene.sim_seq}` : "benchmark only", " · drag to turn, wheel to zoom")),
      canvas, h("div", { class: "legend" }, roles.map((r) => h("span", {}, h("i", { style: `background:${swatch(r)}` }), roleName(r))),
        triangles.length ? h("span", {}, h("i", { style: "background:#e879f9" }), `design (${fmt.int(triangles.length / 9)} triangles)`) : null)),
      h("div", { class: "card" }, h("h2", {}, "Benchmark"),
        h("div", { class: "kv col" }, kvRow("family", bench.family), kvRow("seed", bench.seed),
          kvRow("declared difficulty", bench.difficulty),
          kvRow("measured", m.solves ? `${m.solved}/${m.solves} solved (${fmt.pct(m.solve_rate)})` : "never tried"),
          kvRow("policy", bench.policy), kvRow("created", fmt.time(bench.created_at))),
        bench.spec && bench.spec.description ? h("p", { class: "small" }, bench.spec.description) : null,
        h("h2", {}, "Solve history"),
        solves.length ? h("table", { class: "grid" }, h("thead", {}, h("tr", {}, ["when", "outcome", "profile", "tokens", "cost", "run"].map((c) => h("th", {}, c)))),
          h("tbody", {}, solves.map((s) => h("tr", {},
            h("td", { class: "small" }, fmt.time(s.at)),
            h("td", {}, h("span", { class: `badge ${s.solved ? "s-succeeded" : "s-failed"}` }, s.outcome)),
            h("td", { class: "mono small" }, s.profile_id || "–"), h("td", { class: "num" }, fmt.int(s.tokens)),
            h("td", { class: "num" }, fmt.usd(s.cost_usd)),
            h("td", {}, s.run_id ? h("a", { href: `#/run/${encodeURIComponent(s.run_id)}`, class: "mono" }, fmt.short(s.run_id)) : "–")))))
          : empty("No solve of this benchmark has ended."))));
  requestAnimationFrame(() => viewer.set({ boxes: scene.boxes, triangles }));
  return { el };
}

const kvRow = (k, v) => h("div", { class: "pair" }, h("i", {}, k), String(v));
const roleName = (r) => ({ build: "build zone", goal: "goal", forbid: "forbidden", bounds: "bounds" }[r] || r);
function swatch(role) {
  const s = ROLE_STYLE[role] || {};
  return s.solid ? `rgb(${s.solid.join(",")})` : s.edge;
}
