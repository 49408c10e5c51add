// The drawing helpers of the page's own charts: SVG markup in the static charts'
// language (charts.css, interactive.css), axes with round ticks, wrapped text and
// legends. scrubber.js draws the training scrubber's panels with them and
// trainpanel.js the live views of the page's trainer. window.charrnnSvg.
(() => {
  // --- SVG text ------------------------------------------------------------------
  const esc = (text) => String(text).replace(/[&<>"]/g, (c) =>
    ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
  const r2 = (x) => Math.round(x * 100) / 100;
  const attrs = (a) => Object.entries(a).map(([k, v]) => ` ${k}="${esc(v)}"`).join("");
  const tag = (name, a, body = "") => `<${name}${attrs(a)}>${body}</${name}>`;
  const line = (x1, y1, x2, y2, cls) =>
    tag("line", { x1: r2(x1), y1: r2(y1), x2: r2(x2), y2: r2(y2), class: cls });
  const text = (x, y, body, cls = "lbl", anchor = "start", extra = {}) =>
    tag("text", { x: r2(x), y: r2(y), class: cls, "text-anchor": anchor, ...extra }, esc(body));
  const path = (points, cls) => tag("path", {
    d: points.map(([x, y], i) => `${i ? "L" : "M"}${r2(x)} ${r2(y)}`).join(""), class: cls });
  const dot = (x, y, r, cls, extra = {}) => tag("circle", { cx: r2(x), cy: r2(y), r, class: cls, ...extra });

  // --- numbers ----------------------------------------------------------------------
  const linear = (d0, d1, r0, r1) => (v) => r0 + (v - d0) / ((d1 - d0) || 1) * (r1 - r0);
  const logScale = (d0, d1, r0, r1) => {
    const l0 = Math.log10(d0), l1 = Math.log10(d1);
    return (v) => r0 + (Math.log10(Math.max(v, d0)) - l0) / ((l1 - l0) || 1) * (r1 - r0);
  };
  const finite = (values) => values.flat(Infinity).filter((v) => v !== null && isFinite(v));
  const fmt = (v, digits = 3) => (v === null || v === undefined ? "–" : Number(v).toPrecision(digits));
  const fixed = (v, digits) => (v === null || v === undefined ? "–" : Number(v).toFixed(digits));
  const group = (n) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const shown = (ch) => (ch === " " ? "␣" : ch);   // the static charts' space glyph too
  /** About `count` evenly spaced round ticks (steps of 1, 2 or 5 times a power of
   *  ten, the nearest to the even split, as d3 picks them) over [lo, hi]. */
  const niceTicks = (lo, hi, count = 5) => {
    const raw = (hi - lo) / Math.max(1, count), power = 10 ** Math.floor(Math.log10(raw || 1));
    const ratio = raw / power;
    const step = power * (ratio >= Math.sqrt(50) ? 10 : ratio >= Math.sqrt(10) ? 5 : ratio >= Math.sqrt(2) ? 2 : 1);
    const ticks = [];
    for (let t = Math.ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step) ticks.push(+t.toPrecision(6));
    return ticks;
  };
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
  const tickLabel = (v) => (Math.abs(v) >= 1e6 || (v !== 0 && Math.abs(v) < 1e-2)
    ? v.toExponential(0).replace("e+", "e") : Math.abs(v) >= 1000 ? group(v) : String(+v.toPrecision(3)).replace("-", "−"));
  const stepLabel = (v) => (v >= 1000 ? `${v / 1000}k` : String(v));
  /** The index of the last record at or before `step` in `steps` (sorted), else 0. */
  const atOrBefore = (steps, step) => {
    let found = 0;
    steps.forEach((s, i) => { if (s <= step) found = i; });
    return found;
  };

  // --- text layout ------------------------------------------------------------------
  const PX = 11;                                   // the smallest text in a panel
  const textWidth = (s, px = PX) => String(s).length * px * 0.56;   // Arial, roughly
  /** Words broken into lines no wider than `width` at `px`. */
  const wrap = (s, width, px = PX) => {
    const lines = [""];
    for (const word of String(s).split(" ")) {
      const next = lines[lines.length - 1] ? `${lines[lines.length - 1]} ${word}` : word;
      if (textWidth(next, px) > width && lines[lines.length - 1]) lines.push(word);
      else lines[lines.length - 1] = next;
    }
    return lines;
  };
  /** A headline (bold) and a muted note under it, wrapped to the width; returns
   *  { body, bottom } with bottom the y below the last line. */
  const header = (width, headline, note = "") => {
    let body = "", y = -3;
    for (const l of wrap(headline, width, 13 * 1.1)) body += text(0, (y += 17), l, "readout");   // bold is wider
    for (const l of note ? wrap(note, width) : []) body += text(0, (y += 15), l, "lbl muted");
    return { body, bottom: y + 8 };
  };
  /** A legend row: [kind, label] items flowed left to right, wrapped to the width.
   *  Kinds: "blue", "orange" (dots), "solid", "dotted", "faint", "faint-dashed" (lines),
   *  "box-ok", "box-bad" (outlined cells), "band-default", "band-variant" (a recorded
   *  band: a shaded swatch under its mean line). Returns { body, bottom }. */
  const legend = (width, items, top) => {
    let x = 0, y = top + 8, body = "";
    for (const [kind, label] of items) {
      const need = 20 + textWidth(label) + 14;
      if (x > 0 && x + need > width) { x = 0; y += 16; }
      if (kind === "blue" || kind === "orange") body += dot(x + 5, y, 3.2, `dot ${kind} key`);
      else if (kind.startsWith("box")) body += tag("rect", { x, y: y - 5, width: 10, height: 10, class: kind === "box-ok" ? "target ok" : "target" });
      else if (kind.startsWith("band-")) {
        body += tag("rect", { x, y: y - 5, width: 14, height: 10, class: `band ${kind.slice(5)}` }) +
          line(x, y, x + 14, y, `band-line ${kind.slice(5)}`);
      }
      else body += line(x, y, x + 14, y, { solid: "ring", dotted: "ring-rho", faint: "series faint", "faint-dashed": "series faint dashed", line: "series" }[kind]);
      body += text(x + 19, y + 4, label, "lbl muted");
      x += need;
    }
    return { body, bottom: y + 12 };
  };
  /** Left and bottom axes with ticks and titles, in the style of the static charts. */
  const axes = ({ left, right, top, bottom }, x, y, xTicks, yTicks, xTitle, yTitle,
                 xLabel = tickLabel, yLabel = tickLabel) =>
    line(left, bottom, right, bottom, "axis") + line(left, top, left, bottom, "axis") +
    xTicks.map((t) => line(x(t), bottom, x(t), bottom + 5, "axis") +
      text(x(t), bottom + 16, xLabel(t), "lbl", "middle")).join("") +
    yTicks.map((t) => line(left - 5, y(t), left, y(t), "axis") +
      text(left - 7, y(t) + 4, yLabel(t), "lbl", "end")).join("") +
    (xTitle ? text((left + right) / 2, bottom + 31, xTitle, "lbl title", "middle") : "") +
    (yTitle ? text(0, 0, yTitle, "lbl title", "middle",
      { transform: `translate(${r2(left - 36)} ${r2((top + bottom) / 2)}) rotate(-90)` }) : "");

  window.charrnnSvg = {
    esc, r2, tag, line, text, path, dot, linear, logScale, finite, fmt, fixed, group, shown,
    niceTicks, decades, tickLabel, stepLabel, atOrBefore, PX, textWidth, wrap, header, legend, axes,
  };
})();
