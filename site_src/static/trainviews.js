// The live views of the page's trainer, in the training scrubber's chart language
// (svgchart.js; colours and type from interactive.css): the training and the
// validation loss over the recorded bands, the spectral radius of W_hh over the
// steps, its eigenvalues in the complex plane, the share of steps clipped, and the
// samples written at intervals. Each view is (view, width) -> { height, body,
// label }, drawn at the width it is given, one SVG unit to a CSS pixel.
//
// `view` is what trainpanel.js knows of the reader's run: { steps (the run's
// length), step (done), bin, train ([step, mean loss of the bin]), val, radius
// ([step, value]), eigen ({ re, im, step } or null), clipped ([step, share of the
// bin]), clippedShare, clip, samples ([{ step, text }]), bands ([{ kind, label,
// train, val }]: "default" and, when the settings match one, "variant"), floor,
// uniform }.
(() => {
  const {
    tag, line, text, path, dot, linear, fixed, group, niceTicks, header, legend, axes, stepLabel,
  } = window.charrnnSvg;

  /** The shaded band (mean ± sd) and its mean line, over steps up to `last`. */
  const bandMarks = (band, curve, x, y, last) => {
    const keep = curve.step.map((s, k) => k).filter((k) => curve.step[k] <= last && curve.mean[k] !== null);
    if (!keep.length) return "";
    const upper = keep.map((k) => [x(curve.step[k]), y(curve.mean[k] + (curve.sd[k] || 0))]);
    const lower = keep.map((k) => [x(curve.step[k]), y(curve.mean[k] - (curve.sd[k] || 0))]).reverse();
    const area = tag("path", { d: [...upper, ...lower].map(([a, b], i) => `${i ? "L" : "M"}${a.toFixed(2)} ${b.toFixed(2)}`).join("") + "Z",
                               class: `band ${band.kind}` });
    return area + path(keep.map((k) => [x(curve.step[k]), y(curve.mean[k])]), `band-line ${band.kind}`);
  };

  /** A loss over the steps, the reader's in blue over the recorded bands. */
  const lossView = (kind) => (v, width) => {
    const mine = kind === "train" ? v.train : v.val;
    const last = mine.length ? mine[mine.length - 1] : null;
    const what = kind === "train" ? "training loss" : "validation loss";
    const head = header(width, last ? `${what} ${fixed(last[1], 3)} nats/char at step ${group(last[0])}` : `${what}: not yet measured`,
      kind === "train" ? `each point the mean of ${group(v.bin)} steps` : `the whole validation text, every ${group(v.valEvery)} steps`);
    const items = [["line", "your run"], ...v.bands.map((b) => [`band-${b.kind}`, b.label])];
    if (v.floor) items.push(["faint-dashed", "floor"]);
    const key = legend(width, items, head.bottom);
    const top = key.bottom + 8, box = { left: 48, right: width - 12, top, bottom: top + 160 };
    const curves = v.bands.map((b) => b[kind]);
    const inRange = curves.flatMap((c) => c.mean.filter((m, k) => m !== null && c.step[k] <= v.steps));
    const hi = Math.max(v.uniform, ...inRange) * 1.08;
    const lo = Math.max(0, Math.min(v.floor || Infinity, ...inRange, ...mine.map(([, l]) => l)) * 0.9);
    const x = linear(0, v.steps, box.left, box.right), y = linear(lo, hi, box.bottom, box.top);
    const clamp = (l) => y(Math.min(Math.max(l, lo), hi));   // a diverging run stays on the chart
    const points = mine.filter(([, l]) => Number.isFinite(l)).map(([s, l]) => [x(s), clamp(l)]);
    const body = head.body + key.body +
      axes(box, x, y, niceTicks(0, v.steps, 4), niceTicks(lo, hi, 4), "training step", "nats per character", stepLabel) +
      v.bands.map((b) => bandMarks(b, b[kind], x, y, v.steps)).join("") +
      (v.floor ? line(box.left, y(v.floor), box.right, y(v.floor), "series faint dashed") : "") +
      (points.length > 1 ? path(points, "series") : "") +
      (kind === "val" || points.length === 1 ? points.map(([a, b]) => dot(a, b, 2.6, "dot blue")).join("") : "");
    return { height: box.bottom + 40, body,
             label: `${what[0].toUpperCase()}${what.slice(1)} of your run over ${group(v.step)} steps` +
               (last ? `: ${fixed(last[1], 3)} nats/char at step ${group(last[0])}` : "") +
               (v.bands.length ? `, over the bands of ${v.bands.map((b) => b.label).join(" and ")}` : "") };
  };

  const views = { train: lossView("train"), val: lossView("val") };

  views.radius = (v, width) => {
    const last = v.radius.length ? v.radius[v.radius.length - 1] : null;
    const head = header(width, last ? `ρ = ${fixed(last[1], 3)} at step ${group(last[0])}` : "ρ: not yet measured",
      "spectral radius of W_hh; dashed: ρ = 1");
    const top = head.bottom + 8, box = { left: 48, right: width - 12, top, bottom: top + 150 };
    const values = v.radius.map(([, r]) => r).filter(Number.isFinite);
    const hi = Math.max(1.2, ...values) * 1.05;
    const x = linear(0, v.steps, box.left, box.right), y = linear(0, hi, box.bottom, box.top);
    const points = v.radius.filter(([, r]) => Number.isFinite(r)).map(([s, r]) => [x(s), y(r)]);
    const body = head.body + axes(box, x, y, niceTicks(0, v.steps, 4), niceTicks(0, hi, 4),
      "training step", "spectral radius ρ(W_hh)", stepLabel) +
      line(box.left, y(1), box.right, y(1), "ref") + (points.length > 1 ? path(points, "series") : "") +
      points.map(([a, b]) => dot(a, b, 1.8, "dot blue")).join("");
    return { height: box.bottom + 40, body,
             label: `Spectral radius of W_hh over training` + (last ? `: ${fixed(last[1], 3)} at step ${group(last[0])}` : "") };
  };

  views.eigenvalues = (v, width) => {
    const e = v.eigen;
    if (!e) return { height: 40, body: text(0, 20, "No eigenvalues yet.", "lbl muted"), label: "No eigenvalues yet" };
    const n = e.re.length, moduli = e.re.map((re, k) => Math.hypot(re, e.im[k]));
    const outside = moduli.filter((m) => m > 1 + 1e-9).length, radius = Math.max(0, ...moduli);
    const head = header(width, `ρ = ${fixed(radius, 3)} at step ${group(e.step)}`, `${outside} of ${n} eigenvalues outside the unit circle`);
    const key = legend(width, [["solid", "unit circle"], ["dotted", "radius ρ"], ["blue", "on or inside"], ["orange", "outside"]], head.bottom);
    const side = Math.min(width - 50, 300), left = 44, top = key.bottom + 8;
    const box = { left, right: left + side, top, bottom: top + side };
    const R = Math.max(1, radius) * 1.08, x = linear(-R, R, box.left, box.right), y = linear(-R, R, box.bottom, box.top);
    const ticks = niceTicks(-R, R, 4), scale = side / (2 * R);
    let dots = "";
    for (let k = n - 1; k >= 0; k--) dots += dot(x(e.re[k]), y(e.im[k]), 2.7, moduli[k] > 1 + 1e-9 ? "dot orange" : "dot blue");
    const body = head.body + key.body +
      line(x(0), box.top, x(0), box.bottom, "zero") + line(box.left, y(0), box.right, y(0), "zero") +
      axes(box, x, y, ticks, ticks, "Re λ", "Im λ") +
      dot(x(0), y(0), Math.round(scale * 100) / 100, "ring") + dot(x(0), y(0), Math.round(radius * scale * 100) / 100, "ring-rho") + dots;
    return { height: box.bottom + 40, body,
             label: `Eigenvalues of W_hh at step ${group(e.step)}: spectral radius ${fixed(radius, 3)}, ${outside} of ${n} outside the unit circle` };
  };

  views.clipping = (v, width) => {
    const percent = (share) => `${Math.round(100 * share)}%`;
    if (!(v.clip > 0)) {
      const head = header(width, "clipping is off", "no threshold: every step takes its whole gradient");
      return { height: head.bottom + 4, body: head.body, label: "Clipping is off" };
    }
    const head = header(width, `${percent(v.clippedShare)} of ${group(v.step)} steps clipped`,
      `threshold ${v.clip}; each point the share of ${group(v.bin)} steps`);
    const top = head.bottom + 8, box = { left: 48, right: width - 12, top, bottom: top + 130 };
    const x = linear(0, v.steps, box.left, box.right), y = linear(0, 1, box.bottom, box.top);
    const points = v.clipped.map(([s, share]) => [x(s), y(share)]);
    const body = head.body + axes(box, x, y, niceTicks(0, v.steps, 4), [0, 0.5, 1], "training step",
      "share of steps clipped", stepLabel, percent) +
      (points.length > 1 ? path(points, "series") : "") + points.map(([a, b]) => dot(a, b, 1.8, "dot blue")).join("");
    return { height: box.bottom + 40, body,
             label: `${percent(v.clippedShare)} of ${group(v.step)} steps clipped at threshold ${v.clip}` };
  };

  views.sample = (v, width) => {
    const recent = v.samples.slice(-3).reverse();
    if (!recent.length) return { height: 40, body: text(0, 20, "No sample yet.", "lbl muted"), label: "No sample yet" };
    const perLine = Math.max(12, Math.floor(width / (12 * 0.62)));
    let y = 0, body = "";
    for (const s of recent) {
      body += text(0, y + 14, `at step ${group(s.step)}, after “the ”`, "lbl strong");
      y += 20;
      const lines = [""];
      // words at a space; a run of letters longer than a line (early in training) in pieces
      const words = ("the " + s.text).split(/(?<= )/).flatMap((w) => w.match(new RegExp(`.{1,${perLine}}`, "g")) || []);
      for (const w of words) {
        if ((lines[lines.length - 1] + w).length > perLine && lines[lines.length - 1]) lines.push("");
        lines[lines.length - 1] += w;
      }
      body += lines.map((l, k) => text(0, y + 8 + k * 19, l, "mono")).join("");
      y += 8 + lines.length * 19 + 10;
    }
    return { height: y, body, label: `Sample at step ${group(recent[0].step)}: the ${recent[0].text}` };
  };

  window.charrnnTrainViews = views;
})();
