// The training scrubber: one slider over the run's recorded snapshot steps that
// redraws every panel of its section (scrubpanels.js draws them, with the helpers
// of svgchart.js; walkthrough/panels.py names them). This file is the wiring.
//
// Everything is drawn from one dataset, window.charrnnSnapshots (data/snapshots.js,
// written by walkthrough/exports.py). window.charrnnScrubber.show(dataset) draws
// every scrubber of the page from a dataset; calling it again with another run's
// dataset redraws them all from that one, at the nearest step.
//
// A panel is drawn at the width it is given, one SVG unit to a CSS pixel, so its
// text is always the size interactive.css says (11 px and up) on a phone and on a
// wide screen alike; the panels redraw when their width changes. They use the
// static charts' colours and fonts (charts.css), and a panel with a static twin
// (a figure marked data-scrub-twin) takes that figure's place once it runs.
// Without JavaScript the scrubber stays hidden and the static charts remain.
//
// The step shown and the run picked are kept in the page's address (address.js:
// ?scrub.step=250&scrub.run=clip-1), so a link opens the scrubber where it was.
(() => {
  const { fmt, group, atOrBefore } = window.charrnnSvg;
  const { panels, prepare } = window.charrnnScrubPanels;   // scrubpanels.js
  const address = window.charrnnAddress.view("scrub");

  // --- the scrubbers on the page ------------------------------------------------------------
  const states = new Map();   // scrubber element -> { data, index, draw }

  /** Wire one scrubber's controls once; its state holds whichever dataset is shown. */
  const bind = (scrubber) => {
    const range = scrubber.querySelector('input[type="range"]');
    const output = scrubber.querySelector("[data-scrubber-step]");
    const readout = scrubber.querySelector("[data-scrubber-readout]");
    const play = scrubber.querySelector("[data-scrubber-play]");
    const figures = [...scrubber.querySelectorAll("[data-scrub-panel]")]
      .filter((figure) => panels[figure.dataset.scrubPanel]);
    const state = { data: null, index: 0 };

    state.draw = () => {
      const d = state.data, i = state.index, step = d.steps[i];
      address.write({ step }, { step: d.steps[d.steps.length - 1] });   // the last step needs no mention
      output.textContent = String(step);
      range.value = String(i);
      range.setAttribute("aria-valuetext", `step ${group(step)} (${i + 1} of ${d.steps.length} recorded)`);
      if (readout) readout.textContent = `chunk loss ${fmt(d.loss[i], 3)} nats/char`;
      for (const figure of figures) {
        const svg = figure.querySelector("svg");
        const width = Math.max(200, Math.floor(svg.getBoundingClientRect().width));
        const { height, body, label } = panels[figure.dataset.scrubPanel](d, i, width);
        svg.setAttribute("viewBox", `0 0 ${width} ${Math.ceil(height)}`);
        svg.innerHTML = body;
        svg.setAttribute("aria-label", label);
      }
    };
    const go = (i) => { state.index = i; state.draw(); };

    let timer = null;
    const stop = () => {
      clearInterval(timer);
      timer = null;
      play.textContent = "Play";
      play.setAttribute("aria-pressed", "false");
    };
    play.addEventListener("click", () => {
      if (timer) return stop();
      if (state.index >= state.data.steps.length - 1) go(0);
      play.textContent = "Pause";
      play.setAttribute("aria-pressed", "true");
      timer = setInterval(() => {
        if (state.index + 1 >= state.data.steps.length) return stop();
        go(state.index + 1);
      }, 400);
    });
    range.addEventListener("input", () => { if (timer) stop(); go(Number(range.value)); });

    // The scrubber takes the place of its panels' static twins.
    scrubber.hidden = false;

    // Redraw at the new width when the panels' column changes (rotation, resizing).
    const grid = scrubber.querySelector(".scrub-panels");
    let width = grid.clientWidth, pending = false;
    new ResizeObserver(() => {
      if (grid.clientWidth === width || pending || !state.data) return;
      width = grid.clientWidth;
      pending = true;
      requestAnimationFrame(() => { pending = false; state.draw(); });
    }).observe(grid);
    for (const figure of figures) {
      for (const twin of document.querySelectorAll(`[data-scrub-twin="${figure.dataset.scrubPanel}"]`)) twin.hidden = true;
    }
    for (const charts of document.querySelectorAll(".charts")) {
      if (!charts.querySelector(".chart:not([hidden])")) charts.hidden = true;
    }
    states.set(scrubber, state);
    return state;
  };

  /** Draw every scrubber of the page from `data`, at `wanted` (a step) if given, else
   *  keeping each one's step where it can. */
  const show = (data, wanted = null) => {
    if (!data || !data.steps || !data.steps.length) return;
    const d = prepare(data);
    for (const scrubber of document.querySelectorAll("[data-scrubber]")) {
      const state = states.get(scrubber) || bind(scrubber);
      const step = wanted ?? (state.data ? state.data.steps[state.index] : Infinity);
      state.data = d;
      state.index = Number.isFinite(step) ? atOrBefore(d.steps, step) : d.steps.length - 1;
      scrubber.querySelector('input[type="range"]').max = String(d.steps.length - 1);
      state.draw();
    }
  };

  // --- the run switcher: another run of the experiments, loaded when asked for ------------
  // Its data is a script (a page opened from file:// may not fetch JSON) that adds
  // the run to window.charrnnRuns; the panels then redraw from it at the same step.
  const load = (name, src) => new Promise((resolve, reject) => {
    const runs = window.charrnnRuns || {};
    if (runs[name]) return resolve(runs[name]);
    const tag = document.createElement("script");
    tag.src = src;
    tag.onload = () => ((window.charrnnRuns || {})[name] ? resolve(window.charrnnRuns[name])
      : reject(new Error("no data")));
    tag.onerror = () => reject(new Error("not found"));
    document.head.appendChild(tag);
  });
  for (const select of document.querySelectorAll("[data-scrubber-run]")) {
    const status = select.parentElement.querySelector("[data-scrubber-run-status]");
    select.addEventListener("change", () => {
      const option = select.selectedOptions[0];
      address.write({ run: option.value }, { run: "" });   // "": the walked run
      if (!option.value) { status.textContent = ""; return show(walked()); }
      status.textContent = "loading…";
      load(option.value, option.dataset.src).then((data) => {
        if (select.value !== option.value) return;   // the reader has moved on
        status.textContent = "";
        show(data);
      }, () => { status.textContent = `could not load ${option.value}`; });
    });
  }

  // The walked run's weights come in a file of their own (data/weights.js), loaded
  // only by the pages that draw them.
  const walked = () => (window.charrnnWeights
    ? { ...window.charrnnSnapshots, weights: window.charrnnWeights } : window.charrnnSnapshots);

  // --- the start: the step and run the address asks for, if the page has them -------------
  const runs = [...document.querySelectorAll("[data-scrubber-run] option")].map((o) => o.value).filter(Boolean);
  const asked = address.read({
    step: (raw) => (/^\d+$/.test(raw) ? Number(raw) : undefined),
    run: (raw) => (runs.includes(raw) ? raw : undefined),
  });
  const first = walked();
  let { step = null } = asked.values;
  if (step !== null && !(first && first.steps && first.steps.includes(step))) {
    asked.ignored.push(`scrub.step=${step}`);   // a step this run did not record
    step = null;
  }

  window.charrnnScrubber = { show };
  show(first, step);
  if (asked.values.run) {
    for (const select of document.querySelectorAll("[data-scrubber-run]")) {
      select.value = asked.values.run;
      select.dispatchEvent(new Event("change"));   // loads it, then draws it at the same step
    }
  }
  for (const note of document.querySelectorAll("[data-scrubber-address]")) {
    note.textContent = window.charrnnAddress.ignoredSentence(asked.ignored);
    note.hidden = !asked.ignored.length;
  }
})();
