// Optimization: an experiment's Pareto front (success vs cost) with lineage, each
// profile's regression results, a candidate's diff against prod, and Approve (admin).
import { api, empty, fmt, h, isAdmin } from "./util.js";
import { svg } from "./chart.js";

function front(exp, selected, onPick) {
  const W = 560, H = 320, pad = { l: 52, r: 20, t: 20, b: 36 };
  const evals = exp.evaluations;
  const maxCost = Math.max(1e-6, ...evals.map((e) => e.cost_usd)) * 1.1;
  const x = (c) => pad.l + (c / maxCost) * (W - pad.l - pad.r);
  const y = (s) => pad.t + (1 - s) * (H - pad.t - pad.b);
  const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart front", role: "img" });
  for (const v of [0, 0.25, 0.5, 0.75, 1]) {
    root.append(svg("line", { x1: pad.l, x2: W - pad.r, y1: y(v), y2: y(v), class: "grid" }),
      svg("text", { x: pad.l - 6, y: y(v) + 4, "text-anchor": "end" }, `${v * 100}%`));
  }
  for (const f of [0, 0.5, 1]) {
    root.append(svg("text", { x: x(f * maxCost), y: H - pad.b + 16,
      "text-anchor": f === 0 ? "start" : f === 1 ? "end" : "middle" }, `$${(f * maxCost).toFixed(4)}`));
  }
  root.append(svg("text", { x: pad.l, y: 12, class: "axis-label" }, "success"),
    svg("text", { x: W - pad.r, y: H - 4, "text-anchor": "end", class: "axis-label" }, "cost per solve (USD)"));
  const at = new Map(evals.map((e) => [e.profile_id, e]));
  for (const e of evals) {
    for (const parent of e.parent_ids) {
      const p = at.get(parent);
      if (p) root.append(svg("line", { x1: x(p.cost_usd), y1: y(p.success), x2: x(e.cost_usd), y2: y(e.success), class: "lineage" }));
    }
  }
  const onFront = evals.filter((e) => e.on_front).sort((a, b) => a.cost_usd - b.cost_usd);
  if (onFront.length > 1) {
    root.append(svg("polyline", { points: onFront.map((e) => `${x(e.cost_usd)},${y(e.success)}`).join(" "), class: "front-line" }));
  }
  for (const e of evals) {
    const cls = ["pt", e.on_front ? "on-front" : "", e.profile_id === exp.prod_id ? "prod" : "",
      e.profile_id === selected ? "selected" : ""].join(" ");
    const dot = svg("circle", { cx: x(e.cost_usd), cy: y(e.success), r: e.profile_id === selected ? 8 : 6, class: cls,
      "data-profile": e.profile_id }, svg("title", {}, `${e.profile_id}: ${fmt.pct(e.success)} at ${fmt.usd(e.cost_usd)}`));
    dot.addEventListener("click", () => onPick(e.profile_id));
    root.append(dot);
  }
  return root;
}

function diffView(text) {
  if (!text) return empty("Identical to prod.");
  return h("pre", { class: "diff" }, text.split("\n").map((line) => h("span", {
    class: line.startsWith("+") && !line.startsWith("+++") ? "add" : line.startsWith("-") && !line.startsWith("---") ? "del"
      : line.startsWith("@@") ? "hunk" : "" }, `${line}\n`)));
}

export async function optimizePage(experimentId) {
  const data = await api.get("/dashboard/experiments");
  if (!data.experiments.length) {
    return { el: h("section", { class: "page" }, h("div", { class: "page-head" }, h("h1", {}, "Optimization")),
      empty("No experiment has been measured yet: run `arena optimize`.")) };
  }
  const exp = data.experiments.find((e) => e.experiment_id === experimentId) || data.experiments[0];
  let selected = (exp.evaluations.find((e) => e.on_front && e.passed && e.profile_id !== exp.prod_id)
    || exp.evaluations[exp.evaluations.length - 1]).profile_id;
  const chartBox = h("div");
  const detail = h("div", { class: "card candidate" });
  const notice = h("div", { class: "notice", hidden: true });

  const pick = async (profileId) => {
    selected = profileId;
    chartBox.replaceChildren(front(exp, selected, pick));
    for (const tr of tbody.children) tr.classList.toggle("selected", tr.dataset.profile === selected);
    const e = exp.evaluations.find((v) => v.profile_id === profileId);
    const diff = await api.get(`/dashboard/profiles/${encodeURIComponent(profileId)}/diff`);
    const isProd = profileId === exp.prod_id;
    const approve = h("button", { type: "button", class: "primary", id: "approve",
      disabled: !isAdmin() || isProd || !e.passed_regression,
      title: !isAdmin() ? "needs a token with the admin scope" : isProd ? "already prod" : !e.passed_regression ? "never passed regression" : "",
      onclick: async () => {
        if (!confirm(`Make ${profileId} the ${exp.role} role's prod profile?`)) return;
        try {
          const done = await api.post(`/profiles/${encodeURIComponent(profileId)}/approve`);
          notice.replaceChildren(`Approved by ${done.approver}: ${done.profile_id} replaces ${done.previous_id || "the default"} as prod.`);
          notice.className = "notice ok";
          exp.prod_id = profileId;
        } catch (err) {
          notice.replaceChildren(`Approval refused: ${err.message}`);
          notice.className = "notice bad";
        }
        notice.hidden = false;
      } }, isProd ? "Prod" : "Approve");
    detail.replaceChildren(...[
      h("div", { class: "card-head" }, h("h2", { class: "id" }, profileId), approve),
      notice,
      h("div", { class: "kv" }, pair("stage", e.stage || "–"), pair("version", e.version || "–"),
        pair("success", fmt.pct(e.success)), pair("cost/solve", fmt.usd(e.cost_usd)),
        pair("tokens/solve", fmt.int(Math.round(e.tokens))), pair("sims/solve", e.simulations.toFixed(1)),
        pair("targets", `${e.targets_solved}/${e.targets} solved`), pair("controls", `${e.controls - e.controls_lost.length}/${e.controls} kept`),
        h("span", { class: `badge ${e.passed ? "s-succeeded" : "s-failed"}` }, e.passed ? "regression passed" : "regression failed")),
      e.controls_lost.length ? h("p", { class: "bad small" }, `lost controls: ${e.controls_lost.join(", ")}`) : null,
      h("h2", {}, "Diff against prod ", h("span", { class: "id small muted" }, diff.prod_id)), diffView(diff.diff),
    ].filter(Boolean));
  };

  const tbody = h("tbody", {}, exp.evaluations.map((e) => h("tr", { "data-profile": e.profile_id, onclick: () => pick(e.profile_id) },
    h("td", { class: "mono small" }, e.profile_id, e.profile_id === exp.prod_id ? h("span", { class: "badge s-succeeded" }, "prod") : null),
    h("td", {}, e.on_front ? "◆" : ""), h("td", { class: "num" }, fmt.pct(e.success)), h("td", { class: "num" }, fmt.usd(e.cost_usd)),
    h("td", { class: "num" }, `${e.targets_solved}/${e.targets}`), h("td", { class: "num" }, `${e.controls - e.controls_lost.length}/${e.controls}`),
    h("td", {}, h("span", { class: `badge ${e.passed ? "s-succeeded" : "s-failed"}` }, e.passed ? "passed" : "failed")),
    h("td", { class: "mono small muted" }, e.parent_ids.map((p) => p.split("-").slice(0, 2).join("-")).join(", ") || "–"))));
  const picker = h("select", { onchange: (ev) => { location.hash = `#/optimize/${encodeURIComponent(ev.target.value)}`; } },
    data.experiments.map((x) => h("option", { value: x.experiment_id, selected: x.experiment_id === exp.experiment_id },
      `${x.experiment_id} (${x.role || "?"}, ${x.evaluations.length} profiles)`)));
  const el = h("section", { class: "page" },
    h("div", { class: "page-head" }, h("h1", {}, "Optimization"), h("label", { class: "filter" }, "experiment", picker)),
    h("div", { class: "two" },
      h("div", { class: "card" }, h("h2", {}, "Pareto front"), chartBox,
        h("div", { class: "legend" }, h("span", {}, h("i", { class: "lg-front" }), "on the front"), h("span", {}, h("i", { class: "lg-prod" }), "prod"),
          h("span", {}, h("i", { class: "lg-other" }), "dominated"), h("span", {}, h("i", { class: "lg-line" }), "lineage"))),
      detail),
    h("div", { class: "card" }, h("h2", {}, "Regression results"), h("table", { class: "grid clickable" },
      h("thead", {}, h("tr", {}, ["profile", "front", "success", "cost/solve", "targets", "controls", "verdict", "parents"].map((c) => h("th", {}, c)))), tbody)));
  await pick(selected);
  return { el };
}

const pair = (k, v) => h("span", { class: "pair" }, h("i", {}, k), v);
