// Shared helpers: DOM building, the API client (bearer token from sessionStorage), formats.

const TOKEN_KEY = "arena-token";

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") el.className = v;
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "style") {
      // Through the CSSOM: the pages' policy refuses inline style attributes.
      for (const rule of String(v).split(";")) {
        const at = rule.indexOf(":");
        if (at > 0) el.style.setProperty(rule.slice(0, at).trim(), rule.slice(at + 1).trim());
      }
    }
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  set: (t) => sessionStorage.setItem(TOKEN_KEY, t.trim()),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

async function call(method, path, body) {
  const headers = { Authorization: `Bearer ${token.get()}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(path, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) {
    let problem = null;
    try { problem = await res.json(); } catch (_) { /* not JSON */ }
    if (res.status === 401) window.dispatchEvent(new CustomEvent("arena-unauthorized"));
    throw new ApiError(res.status, problem);
  }
  const type = res.headers.get("content-type") || "";
  return type.includes("json") ? res.json() : res.arrayBuffer();
}

export const api = {
  get: (path) => call("GET", path),
  post: (path, body) => call("POST", path, body),
};

export let me = { name: "", scopes: [] };
export function setMe(value) { me = value; }
export const isAdmin = () => me.scopes.includes("admin");

export const fmt = {
  int: (n) => (n ?? 0).toLocaleString("en-US"),
  usd: (n) => `$${(n ?? 0).toFixed((n ?? 0) < 1 ? 4 : 2)}`,
  pct: (n) => (n === null || n === undefined ? "–" : `${Math.round(n * 100)}%`),
  time: (s) => (s ? new Date(s).toISOString().replace("T", " ").slice(0, 19) : "–"),
  short: (s) => (s && s.length > 14 ? `${s.slice(0, 6)}…${s.slice(-6)}` : s || "–"),
};

export function statusBadge(status) {
  return h("span", { class: `badge s-${status}` }, status);
}

// A compact Python highlighter (keywords, strings, comments, numbers, calls).
const PY = new RegExp(
  [
    String.raw`(#[^\n]*)`,
    String.raw`("""[\s\S]*?"""|'''[\s\S]*?'''|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')`,
    String.raw`\b(def|class|return|import|from|as|for|in|if|elif|else|while|with|try|except|finally|lambda|yield|and|or|not|is|None|True|False|pass|break|continue|raise|global|assert)\b`,
    String.raw`\b(\d+(?:\.\d+)?(?:e[+-]?\d+)?)\b`,
    String.raw`\b([A-Za-z_]\w*)(?=\()`,
  ].join("|"),
  "g",
);
const CLASSES = [null, "c", "s", "k", "n", "f"];

export function highlight(code) {
  const pre = h("pre", { class: "code" });
  let last = 0;
  for (const m of code.matchAll(PY)) {
    if (m.index > last) pre.append(code.slice(last, m.index));
    const group = m.findIndex((g, i) => i > 0 && g !== undefined);
    pre.append(h("span", { class: `t${CLASSES[group]}` }, m[0]));
    last = m.index + m[0].length;
  }
  pre.append(code.slice(last));
  return pre;
}

export function jsonBlock(value) {
  return h("pre", { class: "json" }, JSON.stringify(value, null, 2));
}

export function empty(text) {
  return h("div", { class: "empty" }, text);
}
