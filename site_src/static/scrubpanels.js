// The training scrubber's panels: each draws one view of the network at one
// recorded step, as SVG, from the dataset of data/snapshots.js (decoded once by
// `prepare`). scrubber.js wires them to the slider; walkthrough/panels.py names
// them. window.charrnnScrubPanels = { panels, prepare }.
(() => {
  const {
    r2, tag, line, text, path, dot, linear, logScale, finite, fmt, fixed, group, shown,
    niceTicks, decades, stepLabel, atOrBefore, header, legend, axes,
  } = window.charrnnSvg;

  // --- packed arrays (walkthrough/exports.py: packed) --------------------------------
  /** The values of a packed array, (code - zero) * scale, as a Float64Array. */
  const unpack = (p) => {
    const bytes = Uint8Array.from(atob(p.data), (c) => c.charCodeAt(0));
    const count = p.shape.reduce((a, b) => a * b, 1);
    const out = new Float64Array(count);
    for (let k = 0; k < count; k++) {
      const code = p.bits === 4 ? (k % 2 ? bytes[k >> 1] & 15 : bytes[k >> 1] >> 4)
        : p.bits === 8 ? bytes[k] : bytes[2 * k] | (bytes[2 * k + 1] << 8);
      out[k] = (code - p.zero) * p.scale;
    }
    return out;
  };
  /** Row `i` (of the first axis) of an unpacked array with `shape`. */
  const slice = (values, shape, i) => {
    const size = shape.slice(1).reduce((a, b) => a * b, 1);
    return values.subarray(i * size, (i + 1) * size);
  };

  // --- the panels: each is (d, i, width) -> { height, body, label } ---------------------
  // d is the prepared dataset (prepare below), i the snapshot index, width in px.
  const panels = {};

  panels.eigenvalues = (d, i, width) => {
    const n = d.eigenvalues.length / d.steps.length / 2, row = slice(d.eigenvalues, [d.steps.length, n * 2], i);
    const outside = d.outside[i], radius = d.radius[i];
    const head = header(width, `ρ = ${fixed(radius, 3)}`, `${outside} of ${n} eigenvalues outside the unit circle`);
    const key = legend(width, [["solid", "unit circle"], ["dotted", "radius ρ"], ["blue", "on or inside"], ["orange", "outside"]], head.bottom);
    const side = Math.min(width - 50, 300), left = 44, top = key.bottom + 8;
    const box = { left, right: left + side, top, bottom: top + side };
    const R = d.reach, x = linear(-R, R, box.left, box.right), y = linear(-R, R, box.bottom, box.top);
    const ticks = niceTicks(-R, R, 4), scale = side / (2 * R);
    let dots = "";
    for (let k = n - 1; k >= 0; k--) {     // largest modulus first in the data: draw it last
      dots += dot(x(row[2 * k]), y(row[2 * k + 1]), 2.7, k < outside ? "dot orange" : "dot blue");
    }
    const body = head.body + key.body +
      line(x(0), box.top, x(0), box.bottom, "zero") + line(box.left, y(0), box.right, y(0), "zero") +
      axes(box, x, y, ticks, ticks, "Re λ", "Im λ") +
      dot(x(0), y(0), r2(scale), "ring") + dot(x(0), y(0), r2(radius * scale), "ring-rho") + dots;
    return { height: box.bottom + 40, body,
             label: `Eigenvalues of W_hh at step ${group(d.steps[i])}: spectral radius ` +
               `${fixed(radius, 3)}, ${outside} of ${n} outside the unit circle` };
  };

  panels["spectral-radius"] = (d, i, width) => {
    const head = header(width, `ρ = ${fixed(d.radius[i], 3)}`, `at step ${group(d.steps[i])}; dashed: ρ = 1`);
    const top = head.bottom + 8, box = { left: 48, right: width - 12, top, bottom: top + 150 };
    const hi = Math.max(1, ...finite(d.radius)) * 1.05;
    const first = Math.max(1, d.steps[0]), last = d.steps[d.steps.length - 1];
    const x = logScale(first, last, box.left, box.right), y = linear(0, hi, box.bottom, box.top);
    const points = d.steps.map((s, k) => [x(s), y(d.radius[k])]).filter(([, v]) => isFinite(v));
    const px = x(d.steps[i]), py = y(d.radius[i]);
    const body = head.body + axes(box, x, y, decades(first, last), niceTicks(0, hi, 4),
      "training step (log scale)", "spectral radius ρ(W_hh)", stepLabel) +
      line(box.left, y(1), box.right, y(1), "ref") + path(points, "series") +
      points.map(([a, b]) => dot(a, b, 1.6, "dot blue")).join("") +
      line(px, box.top, px, box.bottom, "cursor") + dot(px, py, 5, "marker");
    return { height: box.bottom + 40, body,
             label: `Spectral radius over training; at step ${group(d.steps[i])} it is ${fixed(d.radius[i], 3)}` };
  };

  panels["step-grad-norms"] = (d, i, width) => {
    const g = d.stepGradNorms[i], T = g.length, S = d.steps.length;
    const head = header(width, `‖dL/dhₜ‖ = ${fmt(g[T - 1])} at t = ${T} … ${fmt(g[0])} at t = 1`,
      "the gradient reaching each position; it travels from right to left");
    const key = legend(width, [["line", `step ${group(d.steps[i])}`], ["faint", `step ${group(d.steps[0])}`],
      ["faint-dashed", `step ${group(d.steps[S - 1])}`]], head.bottom);
    const top = key.bottom + 8, box = { left: 48, right: width - 12, top, bottom: top + 150 };
    const x = linear(1, T, box.left, box.right), y = logScale(d.gradRange[0], d.gradRange[1], box.bottom, box.top);
    const curve = (j) => d.stepGradNorms[j].map((v, t) => [x(t + 1), y(v ?? d.gradRange[0])]);
    const pts = curve(i);
    const body = head.body + key.body +
      axes(box, x, y, niceTicks(1, T, 5).filter((t) => t >= 1), decades(...d.gradRange), "position t in the chunk", "‖dL/dhₜ‖") +
      path(curve(0), "series faint") + path(curve(S - 1), "series faint dashed") + path(pts, "series") +
      pts.map(([a, b]) => dot(a, b, 2.4, "dot blue")).join("");
    return { height: box.bottom + 40, body,
             label: `Gradient norm reaching each of the ${T} positions at step ${group(d.steps[i])}: ` +
               `${fmt(g[0])} at the first, ${fmt(g[T - 1])} at the last` };
  };

  panels.trajectory = (d, i, width) => {
    const tr = d.trajectory;
    if (!tr) return { height: 40, body: text(0, 20, "This run has no hidden-state PCA.", "lbl muted"), label: "No hidden-state PCA in this run" };
    const k = atOrBefore(tr.steps, d.steps[i]), T = tr.shape[1];
    const pts = slice(tr.values, tr.shape, k), chars = Array.from(tr.chars[k] || "");
    const head = header(width, `the chunk at step ${group(tr.steps[k])}`, `“${tr.chars[k] || ""}”`);
    const top = head.bottom + 8, box = { left: 48, right: width - 12, top, bottom: top + Math.min(300, width * 0.8) };
    const x = linear(tr.range[0], tr.range[1], box.left, box.right), y = linear(tr.range[2], tr.range[3], box.bottom, box.top);
    const xy = chars.map((_, t) => [x(pts[2 * t]), y(pts[2 * t + 1])]).slice(0, T);
    const marks = xy.map(([px, py], t) =>
      dot(px, py, 3, "dot blue", { "fill-opacity": r2(0.3 + 0.7 * (t + 1) / xy.length) }) +
      text(px + 4, py - 4, shown(chars[t]), "char point-label")).join("");
    const body = head.body +
      line(x(0), box.top, x(0), box.bottom, "zero") + line(box.left, y(0), box.right, y(0), "zero") +
      axes(box, x, y, niceTicks(tr.range[0], tr.range[1], 4), niceTicks(tr.range[2], tr.range[3], 4),
        `PC1 (${Math.round(100 * tr.explained[0])}% of variance)`, `PC2 (${Math.round(100 * tr.explained[1])}% of variance)`) +
      path(xy, "series thin") + marks + (xy.length ? dot(xy[0][0], xy[0][1], 6, "start") : "");
    return { height: box.bottom + 40, body,
             label: `The chunk's ${xy.length} hidden states in the plane of the first two ` +
               `principal components at step ${group(tr.steps[k])}, reading “${tr.chars[k] || ""}”` };
  };

  panels.predictions = (d, i, width) => {
    const V = d.vocab.length, inputs = d.inputs[i], targets = d.targets[i], T = inputs.length;
    const probs = slice(d.probs, [d.steps.length, T * V], i);
    const right = d.correct[i].reduce((a, b) => a + b, 0);
    const head = header(width, `${right} of ${T} top guesses right`, "columns: the character read; rows: the next character");
    const key = legend(width, [["box-ok", "came next, guessed"], ["box-bad", "came next, missed"]], head.bottom);
    const left = 30, top = key.bottom + 22, cw = (width - left - 2) / T, ch = 13;
    const bottom = top + V * ch;
    let cells = "";
    for (let t = 0; t < T; t++) {
      for (let v = 0; v < V; v++) {
        const p = probs[t * V + v];
        if (p > 0) cells += tag("rect", { x: r2(left + t * cw), y: top + v * ch, width: r2(cw), height: ch,
                                          class: "heat", "fill-opacity": r2(Math.min(1, p) ** 0.6) });
      }
    }
    const outlines = targets.map((v, t) => tag("rect", {
      x: r2(left + t * cw + 0.75), y: r2(top + v * ch + 0.75), width: r2(cw - 1.5), height: ch - 1.5,
      class: d.correct[i][t] ? "target ok" : "target" })).join("");
    const rows = d.vocab.map((c, v) => text(left - 5, top + (v + 0.5) * ch + 4, shown(c), "char", "end")).join("");
    const cols = inputs.map((v, t) => text(left + (t + 0.5) * cw, top - 7, shown(d.vocab[v]), "char", "middle")).join("");
    const body = head.body + key.body + tag("rect", { x: left, y: top, width: r2(width - left - 2), height: V * ch, class: "frame" }) +
      cells + outlines + rows + cols;
    return { height: bottom + 6, body,
             label: `Predicted next-character distribution at each of the ${T} positions at step ` +
               `${group(d.steps[i])}: the top guess was right at ${right} of them` };
  };

  panels.sample = (d, i, width) => {
    const head = header(width, `step ${group(d.steps[i])}`, "temperature 1, after “the ”");
    const perLine = Math.max(12, Math.floor(width / (12 * 0.62)));
    const lines = [""];
    for (const w of ("the " + (d.samples[i] || "")).split(/(?<= )/)) {
      if ((lines[lines.length - 1] + w).length > perLine && lines[lines.length - 1]) lines.push("");
      lines[lines.length - 1] += w;
    }
    const body = head.body + lines.map((l, k) => text(0, head.bottom + 14 + k * 19, l, "mono")).join("");
    return { height: head.bottom + 14 + lines.length * 19, body,
             label: `Sample at step ${group(d.steps[i])}: the ${d.samples[i] || ""}` };
  };

  panels.jacobian = (d, i, width) => {
    const jac = d.jacobians;
    if (!jac) return { height: 40, body: text(0, 20, "This run recorded no Jacobians.", "lbl muted"), label: "No Jacobians in this run" };
    const j = atOrBefore(jac.steps, d.steps[i]), K = jac.distance.length, J = jac.steps.length;
    const head = header(width, `${fmt(jac.norm[j][0])} one step back, ${fmt(jac.norm[j][K - 1])} at ${jac.distance[K - 1]}`,
      `Jacobians recorded at step ${group(jac.steps[j])}; dashed: 1`);
    const key = legend(width, [["line", `step ${group(jac.steps[j])}`], ["faint", `step ${group(jac.steps[0])}`],
      ["faint-dashed", `step ${group(jac.steps[J - 1])}`]], head.bottom);
    const top = key.bottom + 8, box = { left: 48, right: width - 12, top, bottom: top + 150 };
    const x = linear(jac.distance[0], jac.distance[K - 1], box.left, box.right);
    const y = logScale(jac.range[0], jac.range[1], box.bottom, box.top);
    const curve = (k) => jac.distance.map((dist, m) => [x(dist), y(jac.norm[k][m] ?? jac.range[0])]);
    const pts = curve(j);
    const body = head.body + key.body + axes(box, x, y, jac.distance.filter((v) => v % 2 === 1 || K <= 6),
      decades(...jac.range), "distance k, steps back", "norm of the product") +
      line(box.left, y(1), box.right, y(1), "ref") +
      path(curve(0), "series faint") + path(curve(J - 1), "series faint dashed") + path(pts, "series") +
      pts.map(([a, b]) => dot(a, b, 2.6, "dot blue")).join("");
    return { height: box.bottom + 40, body,
             label: `Jacobian product norm against distance at step ${group(jac.steps[j])}: ` +
               `${fmt(jac.norm[j][0])} one step back, ${fmt(jac.norm[j][K - 1])} ${jac.distance[K - 1]} steps back` };
  };

  panels.clipping = (d, i, width) => {
    const names = d.paramNames.length ? d.paramNames : d.gradNorms[0].map((_, k) => `p${k}`);
    const verdict = d.clipped[i] ? `clipped: scaled by ${fmt(d.clipRatio[i], 3)}` : "not clipped";
    const head = header(width, verdict, d.clip > 0 ? `global norm ${fmt(d.totalGradNorm[i])}; dashed: the threshold, ${d.clip}`
      : `global norm ${fmt(d.totalGradNorm[i])}; clipping is off`);
    const rows = [...names, "global"], band = 22, top = head.bottom + 8;
    const box = { left: 56, right: width - 14, top, bottom: top + rows.length * band };
    const x = logScale(d.clipRange[0], d.clipRange[1], box.left, box.right);
    const norms = [...d.gradNorms[i], d.totalGradNorm[i]];
    const bars = norms.map((v, k) => tag("rect", { x: box.left, y: r2(top + k * band + 4), height: band - 8,
      width: r2(Math.max(0, x(v ?? d.clipRange[0]) - box.left)), class: k === rows.length - 1 ? "bar strong" : "bar" })).join("");
    const body = head.body + axes(box, x, () => 0, decades(...d.clipRange), [], "gradient norm before clipping (log scale)", "") +
      rows.map((n, k) => text(box.left - 7, top + (k + 0.5) * band + 4, n, "lbl", "end")).join("") + bars +
      (d.clip > 0 ? line(x(d.clip), top, x(d.clip), box.bottom, "ref-strong") : "");
    return { height: box.bottom + 40, body,
             label: `Gradient norms at step ${group(d.steps[i])}: global ${fmt(d.totalGradNorm[i])}, ${verdict}` };
  };

  // The weight matrices: the heat maps of walkthrough/charts/heat.py, one pixel per
  // weight drawn on a canvas and scaled up without smoothing.
  const MATRICES = [["W_xh", "input → hidden"], ["W_hh", "hidden → hidden"], ["W_hy", "hidden → output"]];
  const weightImage = (d, name, k) => {
    const key = `${name}:${k}`;
    if (!d.images.has(key)) {
      const w = d.weights, [, rows, cols] = w.shapes[name];
      const codes = slice(w.codes[name], w.shapes[name], k);
      const canvas = document.createElement("canvas");
      canvas.width = cols;
      canvas.height = rows;
      const context = canvas.getContext("2d"), image = context.createImageData(cols, rows);
      codes.forEach((code, p) => {
        const rgb = code < 0 ? d.colours.blue : d.colours.orange;
        image.data.set([...rgb, Math.round(255 * Math.abs(code) / w.levels)], 4 * p);
      });
      context.putImageData(image, 0, 0);
      d.images.set(key, canvas.toDataURL("image/png"));
    }
    return d.images.get(key);
  };
  panels.weights = (d, i, width) => {
    const w = d.weights;
    if (!w) return { height: 40, body: text(0, 20, "This run recorded no weights.", "lbl muted"), label: "No recorded weights in this run" };
    const k = atOrBefore(w.steps, d.steps[i]), V = d.vocab.length;
    const head = header(width, `recorded at step ${group(w.steps[k])}`,
      MATRICES.map(([name]) => `${name} largest |w| ${fixed(w.largest[name][k], 2)}`).join(" · "));
    // Each map: 11 px per character (room for its label), `unit` px per hidden unit.
    const H = w.shapes.W_hh[1], side = (n, unit) => (n === V ? 11 * n : unit * n);
    const sized = (unit) => MATRICES.map(([name]) => {
      const [, rows, cols] = w.shapes[name];
      return { name, rows, cols, w: side(cols, unit), h: side(rows, unit) };
    });
    // Side by side (W_xh and W_hh share their rows) when the hidden units get 3 px
    // or more that way, else one under the other.
    const gap = 24, label = 20, clamp = (u) => Math.max(2, Math.min(6, Math.floor(u)));
    const inRow = (width - 3 * label - 2 * gap - 11 * V) / (2 * H) >= 3;
    const maps = sized(inRow ? clamp((width - 3 * label - 2 * gap - 11 * V) / (2 * H))
                             : clamp((width - label) / H));
    let x = 0, y = head.bottom + 10, body = head.body, bottom = y;
    for (const [m, [name, what]] of maps.map((m, n) => [m, MATRICES[n]])) {
      const ox = x + label, oy = y + 34;
      body += text(x, y + 12, `${name}: ${what}`, "lbl strong") + text(x, y + 26, `${m.rows} × ${m.cols}`, "lbl muted") +
        tag("image", { href: weightImage(d, name, k), x: ox, y: oy, width: m.w, height: m.h, preserveAspectRatio: "none", class: "pixels" }) +
        tag("rect", { x: ox, y: oy, width: m.w, height: m.h, class: "frame" });
      if (m.cols === V) body += d.vocab.map((c, v) => text(ox + (v + 0.5) * 11, oy + m.h + 13, shown(c), "char", "middle")).join("");
      else body += text(ox, oy + m.h + 13, "1", "lbl muted") + text(ox + m.w, oy + m.h + 13, String(m.cols), "lbl muted", "end");
      if (m.rows === V) body += d.vocab.map((c, v) => text(ox - 5, oy + (v + 0.5) * 11 + 4, shown(c), "char", "end")).join("");
      else body += text(ox - 4, oy + 9, "1", "lbl muted", "end") + text(ox - 4, oy + m.h, String(m.rows), "lbl muted", "end");
      bottom = Math.max(bottom, oy + m.h + 20);
      if (inRow) x += m.w + label + gap;
      else y = oy + m.h + 28;
    }
    return { height: bottom + 4, body,
             label: `The weight matrices W_xh, W_hh and W_hy as recorded at step ${group(w.steps[k])}, as heat maps` };
  };

  // --- the dataset ----------------------------------------------------------------------
  /** The dataset with its packed arrays decoded and the scales that every step shares. */
  const prepare = (data) => {
    const d = { ...data, images: new Map() };
    const eig = data.eigenvalues;
    d.eigenvalues = unpack(eig);
    let reach = 1;
    for (let k = 0; k + 1 < d.eigenvalues.length; k += 2) reach = Math.max(reach, Math.hypot(d.eigenvalues[k], d.eigenvalues[k + 1]));
    d.reach = reach * 1.08;
    d.probs = unpack(data.probs);
    const positive = (values) => finite(values).filter((v) => v > 0);
    const grads = positive(data.stepGradNorms);
    d.gradRange = [Math.max(Math.min(...grads), Math.max(...grads) * 1e-8), Math.max(...grads)];
    const clip = positive([data.gradNorms, data.totalGradNorm, data.clip ? [data.clip] : []]);
    d.clipRange = [Math.max(Math.min(...clip), Math.max(...clip) * 1e-6) / 1.5, Math.max(...clip) * 1.2];
    if (data.trajectory) {
      const tr = data.trajectory, values = unpack(tr.points);
      const xs = values.filter((_, k) => k % 2 === 0), ys = values.filter((_, k) => k % 2 === 1);
      d.trajectory = { ...tr, values, shape: tr.points.shape,
                       range: [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)] };
    }
    if (data.jacobians) {
      const norms = positive(data.jacobians.norm).concat([1]);
      d.jacobians = { ...data.jacobians, range: [Math.max(Math.min(...norms), Math.max(...norms) * 1e-12), Math.max(...norms)] };
    }
    if (data.weights) {
      const w = data.weights;
      d.weights = { ...w, codes: {}, shapes: {} };
      for (const name of w.names) {
        d.weights.codes[name] = unpack(w.codes[name]);
        d.weights.shapes[name] = w.codes[name].shape;
      }
      const css = getComputedStyle(document.documentElement);
      const rgb = (name, fallback) => {
        const hex = (css.getPropertyValue(name).trim() || fallback).replace("#", "");
        return [0, 2, 4].map((p) => parseInt(hex.slice(p, p + 2), 16));
      };
      d.colours = { blue: rgb("--chart-blue", "#4a7fd4"), orange: rgb("--chart-orange", "#e0803a") };
    }
    return d;
  };

  window.charrnnScrubPanels = { panels, prepare };
})();
