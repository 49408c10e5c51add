// The training scrubber: one slider over the run's recorded snapshot steps that
// redraws every panel of its section (walkthrough/panels.py names them) as
// small hand-written SVG, from window.charrnnSnapshots (data/snapshots.js).
// Without JavaScript the scrubber stays hidden and the static charts show the
// final step. Colours come from CSS classes, so the panels follow the theme.
(() => {
  const data = window.charrnnSnapshots;
  if (!data || !data.steps || !data.steps.length) return;
  const S = data.steps.length;
  const W = 320, H = 220;   // a panel's viewBox
  const HEIGHT = { sample: 124 };   // ...except these, which need less height

  // --- small helpers ------------------------------------------------------------
  const esc = (text) => String(text).replace(/[&<>"]/g, (c) =>
    ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
  const r2 = (x) => Math.round(x * 100) / 100;
  const attrs = (a) => Object.entries(a).map(([k, v]) => ` ${k}="${esc(v)}"`).join("");
  const tag = (name, a, body = "") => `<${name}${attrs(a)}>${body}</${name}>`;
  const line = (x1, y1, x2, y2, cls) => tag("line", { x1: r2(x1), y1: r2(y1), x2: r2(x2), y2: r2(y2), class: cls });
  const text = (x, y, body, cls = "lbl", anchor = "start") =>
    tag("text", { x: r2(x), y: r2(y), class: cls, "text-anchor": anchor }, esc(body));
  const path = (points, cls) => tag("path", {
    d: points.map(([x, y], i) => `${i ? "L" : "M"}${r2(x)} ${r2(y)}`).join(""), class: cls });
  const linear = (d0, d1, r0, r1) => (v) => r0 + (v - d0) / ((d1 - d0) || 1) * (r1 - r0);
  const logScale = (d0, d1, r0, r1) => {
    const l0 = Math.log10(d0), l1 = Math.log10(d1);
    return (v) => r0 + (Math.log10(Math.max(v, d0)) - l0) / ((l1 - l0) || 1) * (r1 - r0);
  };
  const finite = (values) => values.flat(Infinity).filter((v) => v !== null && isFinite(v));
  const fmt = (v, digits = 3) => (v === null || v === undefined ? "–" : Number(v).toPrecision(digits));
  const shown = (ch) => (ch === " " ? "␣" : ch);
  const group = (n) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  /** Ticks for a log axis over [lo, hi]: powers of ten, or 1-2-5 steps on a short range. */
  const decades = (lo, hi) => {
    const e0 = Math.floor(Math.log10(lo)), e1 = Math.ceil(Math.log10(hi));
    const mantissas = e1 - e0 <= 2 ? [1, 2, 5] : e1 - e0 <= 4 ? [1, 3] : [1];
    const every = Math.max(1, Math.ceil((e1 - e0) / 6));
    const ticks = [];
    for (let e = e0; e <= e1; e += every) {
      for (const m of mantissas) {
        const t = +(m * 10 ** e).toPrecision(3);
        if (t >= lo * 0.999 && t <= hi * 1.001) ticks.push(t);
      }
    }
    return ticks.length ? ticks : [lo, hi];
  };
  const tickLabel = (v) => (v >= 1e6 || v < 1e-2 ? v.toExponential(0).replace("e+", "e")
    : v >= 1000 ? group(v) : String(+v.toPrecision(3)));
  /** The index of the last record at or before `step` in `steps` (sorted), else 0. */
  const atOrBefore = (steps, step) => {
    let found = 0;
    steps.forEach((s, i) => { if (s <= step) found = i; });
    return found;
  };

  // --- the panels: each returns { body, label } for snapshot index i ------------------
  const panels = {};

  panels.eigenvalues = (() => {
    const all = finite(data.eigenvalues);
    let R = 1.05;
    for (let k = 0; k + 1 < all.length; k += 2) R = Math.max(R, Math.hypot(all[k], all[k + 1]));
    R *= 1.08;
    const size = 200, cx = 110, cy = 110, scale = size / 2 / R;
    return (i) => {
      const e = data.eigenvalues[i];
      let dots = "", outside = 0;
      for (let k = 0; k + 1 < e.length; k += 2) {
        const out = Math.hypot(e[k], e[k + 1]) > 1;
        outside += out;
        dots += tag("circle", { cx: r2(cx + e[k] * scale), cy: r2(cy - e[k + 1] * scale), r: 2.6,
                                class: out ? "dot hot" : "dot" });
      }
      const radius = data.radius[i];
      const body = line(cx - R * scale, cy, cx + R * scale, cy, "axis") +
        line(cx, cy - R * scale, cx, cy + R * scale, "axis") +
        tag("circle", { cx, cy, r: r2(scale), class: "ring" }) +
        tag("circle", { cx, cy, r: r2(radius * scale), class: "ring-rho" }) + dots +
        text(cx + R * scale - 2, cy - 4, "Re", "lbl muted", "end") +
        text(cx + 4, cy - R * scale + 10, "Im", "lbl muted") +
        text(226, 40, `ρ = ${fmt(radius, 4)}`, "lbl big") +
        text(226, 60, `${e.length / 2} eigenvalues`, "lbl muted") +
        text(226, 76, `${outside} outside`, "lbl muted") +
        text(226, 92, "the unit circle", "lbl muted");
      return { body, label: `Eigenvalues of W_hh at step ${group(data.steps[i])}: spectral radius ` +
        `${fmt(radius, 4)}, ${outside} of ${e.length / 2} outside the unit circle` };
    };
  })();

  panels["spectral-radius"] = (() => {
    const values = finite(data.radius).concat([1]);
    const lo = Math.min(...values), hi = Math.max(...values), pad = (hi - lo) * 0.08 || 0.05;
    const left = 44, right = W - 12, top = 14, bottom = H - 34;
    const x = logScale(Math.max(1, data.steps[0]), data.steps[S - 1], left, right);
    const y = linear(lo - pad, hi + pad, bottom, top);
    const points = data.steps.map((s, k) => [x(s), y(data.radius[k])]).filter(([, v]) => isFinite(v));
    const ticks = decades(Math.max(1, data.steps[0]), data.steps[S - 1]);
    const axes = line(left, bottom, right, bottom, "axis") + line(left, top, left, bottom, "axis") +
      ticks.map((t) => line(x(t), bottom, x(t), bottom + 4, "axis") +
        text(x(t), bottom + 15, tickLabel(t), "lbl muted", "middle")).join("") +
      [lo, hi].map((v) => text(left - 5, y(v) + 3, fmt(v, 3), "lbl muted", "end")).join("") +
      line(left, y(1), right, y(1), "ref") + text(right, y(1) - 4, "ρ = 1", "lbl muted", "end") +
      text((left + right) / 2, H - 4, "training step (log scale)", "lbl muted", "middle");
    return (i) => {
      const px = x(data.steps[i]), py = y(data.radius[i]);
      const body = axes + path(points, "series") +
        line(px, top, px, bottom, "cursor") +
        tag("circle", { cx: r2(px), cy: r2(py), r: 4.5, class: "marker" }) +
        text(Math.min(px + 6, right - 60), top + 10, `ρ = ${fmt(data.radius[i], 4)}`, "lbl big");
      return { body, label: `Spectral radius over training; at step ${group(data.steps[i])} it is ` +
        fmt(data.radius[i], 4) };
    };
  })();

  panels["step-grad-norms"] = (() => {
    const values = finite(data.stepGradNorms).filter((v) => v > 0);
    const lo = Math.max(Math.min(...values), Math.max(...values) * 1e-8), hi = Math.max(...values);
    const left = 44, right = W - 10, top = 14, bottom = H - 34;
    const y = logScale(lo, hi, bottom, top);
    const ticks = decades(lo, hi);
    return (i) => {
      const g = data.stepGradNorms[i], T = g.length, band = (right - left) / T;
      const bars = g.map((v, t) => {
        const top_ = v > 0 && v !== null ? y(v) : bottom;
        return tag("rect", { x: r2(left + t * band + 1), y: r2(top_), width: r2(band - 2),
                             height: r2(bottom - top_), class: "bar" });
      }).join("");
      const body = bars + line(left, bottom, right, bottom, "axis") + line(left, top, left, bottom, "axis") +
        ticks.map((t) => line(left - 4, y(t), left, y(t), "axis") +
          text(left - 6, y(t) + 3, tickLabel(t), "lbl muted", "end")).join("") +
        text(left + band / 2, bottom + 14, "1", "lbl muted", "middle") +
        text(right - band / 2, bottom + 14, String(T), "lbl muted", "middle") +
        text((left + right) / 2, H - 4, "position t in the chunk (‖dL/dhₜ‖, log scale)", "lbl muted", "middle");
      const first = g[0], last = g[T - 1];
      return { body, label: `Gradient norm reaching each of the ${T} positions at step ` +
        `${group(data.steps[i])}: ${fmt(first)} at the first, ${fmt(last)} at the last` };
    };
  })();

  panels.trajectory = (() => {
    const tr = data.trajectory;
    if (!tr) return () => ({ body: text(W / 2, H / 2, "no PCA in this run", "lbl muted", "middle"),
                             label: "No hidden-state PCA in this run" });
    const xs = [], ys = [];
    for (const pts of tr.points) for (const [a, b] of pts) { xs.push(a); ys.push(b); }
    const x0 = Math.min(...xs), x1 = Math.max(...xs), y0 = Math.min(...ys), y1 = Math.max(...ys);
    const left = 16, right = W - 16, top = 14, bottom = H - 24;
    const x = linear(x0, x1, left, right), y = linear(y0, y1, bottom, top);
    return (i) => {
      const k = atOrBefore(tr.steps, data.steps[i]);
      const pts = tr.points[k], chars = Array.from(tr.chars[k] || "");
      const xy = pts.map(([a, b]) => [x(a), y(b)]);
      const dots = xy.map(([px, py], t) =>
        tag("circle", { cx: r2(px), cy: r2(py), r: 3, class: "dot", "fill-opacity": r2(0.25 + 0.75 * (t + 1) / xy.length) }) +
        (chars[t] !== undefined ? text(px + 4, py - 3, shown(chars[t]), "lbl tiny") : "")).join("");
      const body = line(x(0), top, x(0), bottom, "ref") + line(left, y(0), right, y(0), "ref") +
        path(xy, "series thin") + dots +
        tag("circle", { cx: r2(xy[0][0]), cy: r2(xy[0][1]), r: 5, class: "start" }) +
        text(left, H - 6, "PC 1 →", "lbl muted") + text(right, H - 6, `chunk at step ${group(tr.steps[k])}`, "lbl muted", "end");
      return { body, label: `The chunk's ${pts.length} hidden states in the plane of the first two ` +
        `principal components at step ${group(tr.steps[k])}, reading “${tr.chars[k]}”` };
    };
  })();

  panels.predictions = (() => {
    const V = data.vocab.length;
    const left = 16, top = 22, right = W - 4, bottom = H - 14;
    return (i) => {
      const probs = data.probs[i], inputs = data.inputs[i], targets = data.targets[i];
      const T = probs.length, cw = (right - left) / T, ch = (bottom - top) / V;
      let cells = "";
      probs.forEach((row, t) => row.forEach((p, v) => {
        if (p > 0) cells += tag("rect", { x: r2(left + t * cw), y: r2(top + v * ch), width: r2(cw), height: r2(ch),
                                          class: "heat", "fill-opacity": r2(Math.min(1, p / 1000) ** 0.6) });
      }));
      const outlines = targets.map((v, t) => tag("rect", {
        x: r2(left + t * cw + 0.5), y: r2(top + v * ch + 0.5), width: r2(cw - 1), height: r2(ch - 1),
        class: data.correct[i][t] ? "target ok" : "target" })).join("");
      const rows = data.vocab.map((c, v) => (ch >= 6 ? text(left - 3, top + (v + 0.5) * ch + 2.5, shown(c), "lbl tiny", "end") : "")).join("");
      const cols = inputs.map((v, t) => text(left + (t + 0.5) * cw, top - 6, shown(data.vocab[v]), "lbl tiny", "middle")).join("");
      const right_ = data.correct[i].reduce((a, b) => a + b, 0);
      const body = tag("rect", { x: left, y: top, width: r2(right - left), height: r2(bottom - top), class: "frame" }) +
        cells + outlines + rows + cols +
        text(left, H - 3, `input characters across, next-character guesses down · ${right_} of ${T} top guesses right`, "lbl tiny muted");
      return { body, label: `Predicted next-character distribution at each of the ${T} positions at step ` +
        `${group(data.steps[i])}: the top guess was right at ${right_} of them` };
    };
  })();

  panels.sample = (i) => {
    const words = ("the " + (data.samples[i] || "")).split(/(?<= )/);
    const lines = [""];
    for (const w of words) {
      if ((lines[lines.length - 1] + w).length > 38 && lines[lines.length - 1]) lines.push("");
      lines[lines.length - 1] += w;
    }
    const body = lines.slice(0, 4).map((l, k) => text(10, 22 + k * 22, l, "lbl mono")).join("") +
      text(10, HEIGHT.sample - 8, `step ${group(data.steps[i])}, temperature 1, after “the ”`, "lbl muted");
    return { body, label: `Sample at step ${group(data.steps[i])}: the ${data.samples[i] || ""}` };
  };

  panels.jacobian = (() => {
    const jac = data.jacobians;
    if (!jac) return () => ({ body: text(W / 2, H / 2, "no Jacobians in this run", "lbl muted", "middle"),
                              label: "No Jacobians in this run" });
    const values = finite(jac.norm).filter((v) => v > 0);
    const lo = Math.max(Math.min(...values), Math.max(...values) * 1e-12), hi = Math.max(...values);
    const left = 44, right = W - 12, top = 14, bottom = H - 34, K = jac.distance.length;
    const x = linear(jac.distance[0], jac.distance[K - 1], left, right), y = logScale(lo, hi, bottom, top);
    const curve = (j) => jac.distance.map((d, k) => [x(d), y(jac.norm[j][k] ?? lo)]);
    const axes = line(left, bottom, right, bottom, "axis") + line(left, top, left, bottom, "axis") +
      decades(lo, hi).map((t) => line(left - 4, y(t), left, y(t), "axis") +
        text(left - 6, y(t) + 3, tickLabel(t), "lbl muted", "end")).join("") +
      jac.distance.map((d) => text(x(d), bottom + 14, String(d), "lbl muted", "middle")).join("") +
      text((left + right) / 2, H - 4, "distance k, steps back", "lbl muted", "middle") +
      path(curve(0), "series faint") + path(curve(jac.steps.length - 1), "series faint dashed");
    return (i) => {
      const j = atOrBefore(jac.steps, data.steps[i]);
      const pts = curve(j);
      const body = axes + path(pts, "series") +
        pts.map(([px, py]) => tag("circle", { cx: r2(px), cy: r2(py), r: 2.8, class: "marker" })).join("") +
        text(right, top + 10, `step ${group(jac.steps[j])}`, "lbl big", "end");
      return { body, label: `Jacobian product norm against distance at step ${group(jac.steps[j])}: ` +
        `${fmt(jac.norm[j][0])} one step back, ${fmt(jac.norm[j][K - 1])} ${jac.distance[K - 1]} steps back` };
    };
  })();

  panels.clipping = (() => {
    const names = data.paramNames.length ? data.paramNames : data.gradNorms[0].map((_, k) => `p${k}`);
    const values = finite([data.gradNorms, data.totalGradNorm, data.clip ? [data.clip] : []]).filter((v) => v > 0);
    const lo = Math.max(Math.min(...values), Math.max(...values) * 1e-6) / 1.5, hi = Math.max(...values) * 1.2;
    const left = 62, right = W - 12, top = 30, bottom = H - 34;
    const x = logScale(lo, hi, left, right);
    const rows = [...names, "global"], band = (bottom - top) / rows.length;
    const axes = decades(lo, hi).map((t) => line(x(t), bottom, x(t), bottom + 4, "axis") +
      text(x(t), bottom + 15, tickLabel(t), "lbl muted", "middle")).join("") +
      line(left, bottom, right, bottom, "axis") +
      text((left + right) / 2, H - 4, "gradient norm before clipping (log scale)", "lbl muted", "middle") +
      rows.map((n, k) => text(left - 6, top + (k + 0.5) * band + 3, n, "lbl", "end")).join("");
    return (i) => {
      const norms = [...data.gradNorms[i], data.totalGradNorm[i]];
      const bars = norms.map((v, k) => tag("rect", { x: left, y: r2(top + k * band + 2), height: r2(band - 4),
        width: r2(Math.max(0, x(v ?? lo) - left)), class: k === rows.length - 1 ? "bar strong" : "bar" })).join("");
      const threshold = data.clip > 0
        ? line(x(data.clip), top - 8, x(data.clip), bottom, "ref-strong") + text(x(data.clip) + 3, top - 2, `threshold ${data.clip}`, "lbl muted")
        : "";
      const verdict = data.clipped[i] ? `clipped: scaled by ${fmt(data.clipRatio[i], 3)}` : "not clipped";
      const body = axes + bars + threshold + text(left, 12, verdict, "lbl big");
      return { body, label: `Gradient norms at step ${group(data.steps[i])}: global ${fmt(data.totalGradNorm[i])}, ${verdict}` };
    };
  })();

  // --- wiring ---------------------------------------------------------------------
  for (const scrubber of document.querySelectorAll("[data-scrubber]")) {
    const range = scrubber.querySelector('input[type="range"]');
    const output = scrubber.querySelector("[data-scrubber-step]");
    const readout = scrubber.querySelector("[data-scrubber-readout]");
    const play = scrubber.querySelector("[data-scrubber-play]");
    const figures = [...scrubber.querySelectorAll("[data-scrub-panel]")]
      .filter((figure) => panels[figure.dataset.scrubPanel]);
    for (const figure of figures) {
      figure.querySelector("svg").setAttribute("viewBox", `0 0 ${W} ${HEIGHT[figure.dataset.scrubPanel] || H}`);
    }

    const show = (i) => {
      const step = data.steps[i];
      output.textContent = String(step);
      range.setAttribute("aria-valuetext", `step ${group(step)} (${i + 1} of ${S} recorded)`);
      if (readout) readout.textContent = `chunk loss ${fmt(data.loss[i], 3)} nats/char`;
      for (const figure of figures) {
        const { body, label } = panels[figure.dataset.scrubPanel](i);
        const svg = figure.querySelector("svg");
        svg.innerHTML = body;
        svg.setAttribute("aria-label", label);
      }
    };

    let timer = null;
    const stop = () => {
      clearInterval(timer);
      timer = null;
      play.textContent = "Play";
      play.setAttribute("aria-pressed", "false");
    };
    play.addEventListener("click", () => {
      if (timer) return stop();
      if (Number(range.value) >= S - 1) range.value = "0";
      play.textContent = "Pause";
      play.setAttribute("aria-pressed", "true");
      show(Number(range.value));
      timer = setInterval(() => {
        const next = Number(range.value) + 1;
        if (next >= S) return stop();
        range.value = String(next);
        show(next);
      }, 400);
    });
    range.addEventListener("input", () => { if (timer) stop(); show(Number(range.value)); });

    range.max = String(S - 1);
    range.value = String(S - 1);
    show(S - 1);
    scrubber.hidden = false;
  }
})();
