// The dashboard shell: the token form, navigation by URL hash, and the live feed.
import { api, h, me, setMe, token } from "./util.js";
import { runsPage } from "./runs.js";
import { runPage, envelopePage } from "./conversation.js";
import { libraryPage, benchmarkPage } from "./library.js";
import { optimizePage } from "./optimize.js";

const main = document.getElementById("main");
const live = document.getElementById("live");

const ROUTES = [
  [/^#\/runs$/, () => runsPage()],
  [/^#\/run\/([^/]+)$/, (m) => runPage(decodeURIComponent(m[1]))],
  [/^#\/envelope\/([^/]+)\/(\d+)$/, (m) => envelopePage(decodeURIComponent(m[1]), Number(m[2]))],
  [/^#\/benchmarks$/, () => libraryPage()],
  [/^#\/benchmark\/([^/?]+)(?:\?run=([^/]+))?$/, (m) =>
    benchmarkPage(decodeURIComponent(m[1]), m[2] ? decodeURIComponent(m[2]) : null)],
  [/^#\/optimize(?:\/([^/]+))?$/, (m) => optimizePage(m[1] ? decodeURIComponent(m[1]) : null)],
];

let current = null;

async function route() {
  const hash = location.hash || "#/runs";
  for (const a of document.querySelectorAll("nav a[data-page]")) {
    a.classList.toggle("active", hash.startsWith(`#/${a.dataset.page}`));
  }
  if (current && current.dispose) current.dispose();
  current = null;
  delete document.body.dataset.complete;
  const found = ROUTES.find(([re]) => re.test(hash));
  if (!found) { location.hash = "#/runs"; return; }
  main.replaceChildren(h("div", { class: "loading" }, "Loading…"));
  try {
    current = await found[1](hash.match(found[0]));
    main.replaceChildren(current.el);
    // The first frame with the content: what the time-to-first-render figure reads.
    await new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)));
    document.body.dataset.renderMs = performance.now().toFixed(1);
    document.body.dataset.rendered = hash;
    window.dispatchEvent(new CustomEvent("arena-rendered", { detail: hash }));
    if (current.more) {
      try {
        await current.more();
      } catch (err) {
        main.append(h("div", { class: "error" }, `Could not load the rest: ${err.message}`));
      }
    }
    if ((location.hash || "#/runs") === hash) document.body.dataset.complete = hash;
  } catch (err) {
    main.replaceChildren(h("div", { class: "error" }, `Could not load this page: ${err.message}`));
    document.body.dataset.rendered = `error:${hash}`;
  }
}

function signIn(message) {
  const input = h("input", { type: "password", id: "token", placeholder: "arena token",
    autocomplete: "off", spellcheck: "false" });
  const form = h("form", { class: "signin", onsubmit: async (e) => {
    e.preventDefault();
    token.set(input.value);
    input.value = "";
    await start();
  } },
  h("h2", {}, "Sign in"),
  h("p", {}, "Paste a token from ", h("code", {}, "arena tokens create --scope read"),
    " (or admin, to approve and redrive). It stays in this tab only."),
  message ? h("p", { class: "error" }, message) : null,
  input, h("button", { type: "submit" }, "Open the dashboard"));
  main.replaceChildren(form);
  input.focus();
}

// Server-sent events read through fetch, so the token goes in the Authorization header.
let feed = null;
async function follow() {
  if (feed) feed.abort();
  feed = new AbortController();
  try {
    const res = await fetch("/dashboard/stream", {
      headers: { Authorization: `Bearer ${token.get()}` }, signal: feed.signal,
    });
    if (!res.ok) throw new Error(`stream ${res.status}`);
    live.className = "live on";
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const data = block.split("\n").filter((l) => l.startsWith("data: "))
          .map((l) => l.slice(6)).join("\n");
        if (data) window.dispatchEvent(new CustomEvent("arena-live", { detail: JSON.parse(data) }));
      }
    }
  } catch (err) {
    if (err.name === "AbortError") return;
  }
  live.className = "live off";
  setTimeout(follow, 3000);
}

async function start() {
  if (!token.get()) { signIn(); return; }
  try {
    setMe(await api.get("/dashboard/me"));
  } catch (err) {
    token.clear();
    signIn(err.status === 401 ? "That token is not valid or was revoked." : err.message);
    return;
  }
  document.getElementById("who").textContent = me.name;
  follow();
  await route();
}

window.addEventListener("hashchange", route);
window.addEventListener("arena-unauthorized", () => { token.clear(); signIn("Please sign in again."); });
document.getElementById("signout").addEventListener("click", () => {
  token.clear();
  if (feed) feed.abort();
  signIn();
});
start();
