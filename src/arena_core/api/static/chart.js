// Small SVG charts: success rate over time (one line per series) and a scatter plot.
const NS = "http://www.w3.org/2000/svg";
export const PALETTE = ["#38bdf8", "#f59e0b", "#34d399", "#f472b6", "#a78bfa", "#fb7185",
  "#facc15", "#2dd4bf", "#60a5fa", "#c084fc"];

export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) el.setAttribute(k, v);
  for (const c of children.flat()) if (c) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

function axes(w, h, pad, xLabel, yLabel, yTicks, xTicks) {
  const g = svg("g", { class: "axes" });
  for (const [v, label] of yTicks) {
    g.append(svg("line", { x1: pad.l, x2: w - pad.r, y1: v, y2: v, class: "grid" }),
      svg("text", { x: pad.l - 6, y: v + 4, "text-anchor": "end" }, label));
  }
  xTicks.forEach(([v, label], i) => {
    const anchor = i === 0 ? "start" : i === xTicks.length - 1 ? "end" : "middle";
    g.append(svg("text", { x: v, y: h - pad.b + 16, "text-anchor": anchor }, label));
  });
  g.append(svg("text", { x: pad.l, y: 12, class: "axis-label" }, yLabel),
    svg("text", { x: w - pad.r, y: h - 4, "text-anchor": "end", class: "axis-label" }, xLabel));
  return g;
}

// rows: [{t: Date ms, key, solved: bool}]; one line per key, rate per time bucket.
export function successChart(rows, { width = 1200, height = 260, buckets = 12 } = {}) {
  const pad = { l: 44, r: 16, t: 22, b: 28 };
  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "chart", role: "img" });
  if (!rows.length) {
    root.append(svg("text", { x: width / 2, y: height / 2, "text-anchor": "middle", class: "muted" },
      "No solve has ended yet"));
    return { el: root, keys: [] };
  }
  const t0 = Math.min(...rows.map((r) => r.t));
  const t1 = Math.max(...rows.map((r) => r.t));
  const span = Math.max(t1 - t0, 1);
  const n = t1 === t0 ? 1 : buckets;
  const x = (t) => pad.l + ((t - t0) / span) * (width - pad.l - pad.r);
  const y = (v) => pad.t + (1 - v) * (height - pad.t - pad.b);
  const keys = [...new Set(rows.map((r) => r.key))].sort();
  const stamp = (t) => {
    const iso = new Date(t).toISOString();
    return span < 3600e3 ? iso.slice(11, 19) : span < 86400e3 ? iso.slice(5, 16).replace("T", " ") : iso.slice(0, 10);
  };
  const xt = [0, 0.5, 1].map((f) => [x(t0 + f * span), stamp(t0 + f * span)]);
  root.append(axes(width, height, pad, "", "success rate",
    [0, 0.25, 0.5, 0.75, 1].map((v) => [y(v), `${v * 100}%`]), n === 1 ? [[x(t0), xt[0][1]]] : xt));
  keys.forEach((key, i) => {
    const stats = Array.from({ length: n }, () => [0, 0]);
    for (const r of rows) {
      if (r.key !== key) continue;
      const b = Math.min(n - 1, Math.floor(((r.t - t0) / span) * n));
      stats[b][0] += 1;
      stats[b][1] += r.solved ? 1 : 0;
    }
    const color = PALETTE[i % PALETTE.length];
    const pts = stats.map(([all, ok], b) => (all ? [t0 + ((b + 0.5) / n) * span, ok / all, all] : null))
      .filter(Boolean).map(([t, v, all]) => [n === 1 ? x(t0) : x(t), y(v), all, v]);
    if (pts.length > 1) {
      root.append(svg("polyline", { points: pts.map((p) => `${p[0]},${p[1]}`).join(" "),
        fill: "none", stroke: color, "stroke-width": 2 }));
    }
    for (const p of pts) {
      root.append(svg("circle", { cx: p[0], cy: p[1], r: 3.5, fill: color },
        svg("title", {}, `${key}: ${Math.round(p[3] * 100)}% of ${p[2]}`)));
    }
  });
  return { el: root, keys: keys.map((k, i) => [k, PALETTE[i % PALETTE.length]]) };
}

export function legend(keys) {
  const div = document.createElement("div");
  div.className = "legend";
  for (const [key, color] of keys) {
    const item = document.createElement("span");
    const dot = document.createElement("i");
    dot.style.background = color;
    item.append(dot, key);
    div.append(item);
  }
  return div;
}
