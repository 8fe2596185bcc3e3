// A small 3D viewer on a 2D canvas: flat-shaded triangles sorted by depth, zones as
// translucent boxes with edges, orbit by dragging, zoom with the wheel. Z is up.

export const ROLE_STYLE = {
  bounds: { edge: "rgba(148,163,184,0.35)", fill: null },
  build: { edge: "#38bdf8", fill: "rgba(56,189,248,0.08)", dash: [6, 4] },
  goal: { edge: "#34d399", fill: "rgba(52,211,153,0.22)" },
  forbid: { edge: "#f87171", fill: "rgba(248,113,113,0.22)" },
  static: { solid: [148, 163, 184] },
  dynamic: { solid: [245, 158, 11] },
  motor: { solid: [167, 139, 250] },
  part: { solid: [96, 165, 250] },
};
const DESIGN = [232, 121, 249];
const BOX_FACES = [[0, 1, 3, 2], [4, 6, 7, 5], [0, 4, 5, 1], [2, 3, 7, 6], [0, 2, 6, 4], [1, 5, 7, 3]];

export function parseStl(buffer) {
  const view = new DataView(buffer);
  if (buffer.byteLength < 84) return new Float32Array(0);
  const count = view.getUint32(80, true);
  if (84 + count * 50 > buffer.byteLength) return new Float32Array(0);
  const out = new Float32Array(count * 9);
  for (let i = 0; i < count; i++) {
    const base = 84 + i * 50 + 12;
    for (let j = 0; j < 9; j++) out[i * 9 + j] = view.getFloat32(base + j * 4, true);
  }
  return out;
}

// Mesh parts of a solution, placed in the world: [{pose:{pos,quat}, geometry:{sha256, scale}}].
export function placeParts(parts, meshes) {
  const blobs = new Map(meshes.map((m) => [m.sha256, m.data_b64]));
  const chunks = [];
  for (const part of parts) {
    const g = part.geometry || {};
    if (g.kind !== "mesh" || !blobs.has(g.sha256)) continue;
    const bytes = Uint8Array.from(atob(blobs.get(g.sha256)), (c) => c.charCodeAt(0));
    const tri = parseStl(bytes.buffer);
    const [w, x, y, z] = (part.pose && part.pose.quat) || [1, 0, 0, 0];
    const p = (part.pose && part.pose.pos) || [0, 0, 0];
    const s = g.scale || 1;
    const r = [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w),
      2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w),
      2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)];
    for (let i = 0; i < tri.length; i += 3) {
      const a = tri[i] * s, b = tri[i + 1] * s, c = tri[i + 2] * s;
      tri[i] = r[0] * a + r[1] * b + r[2] * c + p[0];
      tri[i + 1] = r[3] * a + r[4] * b + r[5] * c + p[1];
      tri[i + 2] = r[6] * a + r[7] * b + r[8] * c + p[2];
    }
    chunks.push(tri);
  }
  const all = new Float32Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) { all.set(c, at); at += c.length; }
  return all;
}

function corners(low, high) {
  const out = [];
  for (let i = 0; i < 8; i++) out.push([i & 4 ? high[0] : low[0], i & 2 ? high[1] : low[1], i & 1 ? high[2] : low[2]]);
  return out;
}

export class Viewer {
  constructor(canvas, { interactive = true } = {}) {
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d");
    this.yaw = -0.7;
    this.pitch = 0.55;
    this.zoom = 1;
    this.boxes = [];
    this.triangles = new Float32Array(0);
    if (interactive) this.bind();
  }

  bind() {
    let drag = null;
    this.canvas.addEventListener("pointerdown", (e) => { drag = [e.clientX, e.clientY]; this.canvas.setPointerCapture(e.pointerId); });
    this.canvas.addEventListener("pointerup", () => { drag = null; });
    this.canvas.addEventListener("pointermove", (e) => {
      if (!drag) return;
      this.yaw += (e.clientX - drag[0]) * 0.01;
      this.pitch = Math.max(-1.5, Math.min(1.5, this.pitch + (e.clientY - drag[1]) * 0.01));
      drag = [e.clientX, e.clientY];
      this.draw();
    });
    this.canvas.addEventListener("wheel", (e) => {
      e.preventDefault();
      this.zoom = Math.max(0.2, Math.min(8, this.zoom * (e.deltaY < 0 ? 1.1 : 0.9)));
      this.draw();
    }, { passive: false });
  }

  set({ boxes = [], triangles = new Float32Array(0) }) {
    this.boxes = boxes;
    this.triangles = triangles;
    const pts = [];
    const inner = boxes.filter((b) => b.role !== "bounds");
    for (const b of inner.length ? inner : boxes) pts.push(b.low, b.high);
    for (let i = 0; i < triangles.length; i += 3) pts.push([triangles[i], triangles[i + 1], triangles[i + 2]]);
    const lo = [0, 1, 2].map((k) => Math.min(...pts.map((p) => p[k])));
    const hi = [0, 1, 2].map((k) => Math.max(...pts.map((p) => p[k])));
    this.center = pts.length ? lo.map((v, k) => (v + hi[k]) / 2) : [0, 0, 0];
    this.radius = pts.length ? Math.max(1e-3, Math.hypot(hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]) / 2) : 1;
    this.draw();
  }

  project(p) {
    const [cx, cy, cz] = this.center;
    const x = p[0] - cx, y = p[1] - cy, z = p[2] - cz;
    const cyaw = Math.cos(this.yaw), syaw = Math.sin(this.yaw);
    const x1 = cyaw * x - syaw * y, y1 = syaw * x + cyaw * y;
    const cp = Math.cos(this.pitch), sp = Math.sin(this.pitch);
    const depth = cp * y1 + sp * z, up = cp * z - sp * y1;
    const scale = (Math.min(this.w, this.h) * 0.36 * this.zoom) / this.radius;
    return [this.w / 2 + x1 * scale, this.h / 2 - up * scale, depth];
  }

  draw() {
    const dpr = window.devicePixelRatio || 1;
    const rect = this.canvas.getBoundingClientRect();
    this.w = rect.width || this.canvas.width;
    this.h = rect.height || this.canvas.height;
    this.canvas.width = this.w * dpr;
    this.canvas.height = this.h * dpr;
    const ctx = this.ctx;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, this.w, this.h);
    const faces = [];
    const light = [0.35, -0.5, 0.8];
    const shade = (n, rgb, alpha = 1) => {
      const len = Math.hypot(n[0], n[1], n[2]) || 1;
      const k = 0.45 + 0.55 * Math.abs((n[0] * light[0] + n[1] * light[1] + n[2] * light[2]) / len);
      return `rgba(${rgb.map((c) => Math.round(c * k)).join(",")},${alpha})`;
    };
    const pushTri = (a, b, c, rgb) => {
      const u = [b[0] - a[0], b[1] - a[1], b[2] - a[2]], v = [c[0] - a[0], c[1] - a[1], c[2] - a[2]];
      const n = [u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]];
      const pa = this.project(a), pb = this.project(b), pc = this.project(c);
      faces.push({ pts: [pa, pb, pc], depth: (pa[2] + pb[2] + pc[2]) / 3, fill: shade(n, rgb) });
    };
    for (const box of this.boxes) {
      const style = ROLE_STYLE[box.role] || ROLE_STYLE.static;
      const cs = corners(box.low, box.high);
      for (const f of BOX_FACES) {
        const pts = f.map((i) => this.project(cs[i]));
        const depth = pts.reduce((s, p) => s + p[2], 0) / 4;
        if (style.solid) {
          const a = cs[f[0]], b = cs[f[1]], c = cs[f[2]];
          const u = [b[0] - a[0], b[1] - a[1], b[2] - a[2]], v = [c[0] - a[0], c[1] - a[1], c[2] - a[2]];
          const n = [u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]];
          faces.push({ pts, depth, fill: shade(n, style.solid), edge: "rgba(15,23,42,0.5)" });
        } else {
          faces.push({ pts, depth, fill: style.fill, edge: style.edge, dash: style.dash });
        }
      }
    }
    const t = this.triangles;
    for (let i = 0; i + 8 < t.length; i += 9) {
      pushTri([t[i], t[i + 1], t[i + 2]], [t[i + 3], t[i + 4], t[i + 5]], [t[i + 6], t[i + 7], t[i + 8]], DESIGN);
    }
    faces.sort((a, b) => b.depth - a.depth);
    for (const f of faces) {
      ctx.beginPath();
      ctx.moveTo(f.pts[0][0], f.pts[0][1]);
      for (let i = 1; i < f.pts.length; i++) ctx.lineTo(f.pts[i][0], f.pts[i][1]);
      ctx.closePath();
      if (f.fill) { ctx.fillStyle = f.fill; ctx.fill(); }
      if (f.edge) {
        ctx.setLineDash(f.dash || []);
        ctx.strokeStyle = f.edge;
        ctx.lineWidth = 1;
        ctx.stroke();
      } else if (f.fill) {
        ctx.strokeStyle = f.fill;
        ctx.lineWidth = 0.5;
        ctx.stroke();
      }
    }
    ctx.setLineDash([]);
  }
}
