// The trainer's panel (templates/_trainer.html): the reader's settings
// (trainsettings.js: each with its range, kept in the page's address) wired to a
// run; play, pause, one step and reset; the live views (trainviews.js) redrawn as
// the worker (trainworker.js) reports; the weights as a download, and kept in the
// browser each time the run stops, for the live model and the unit picker
// (handoff.js). The data
// (text, vocabulary, the walked run's settings and the recorded bands) are
// data/trainer.js, from walkthrough/trainer.py.
(() => {
  const data = window.charrnnTrainerData, views = window.charrnnTrainViews;
  const workers = window.charrnnTrainerWorker, settingsOf = window.charrnnTrainSettings;
  const panel = document.querySelector("[data-trainer]");
  if (!panel || !data || !views || !workers || !settingsOf || typeof Worker === "undefined" || typeof Blob === "undefined") return;
  const { group } = window.charrnnSvg;

  // --- the settings (trainsettings.js), in the address and in their controls -----------
  const { SETTINGS, MAX_SEED, defaults, shown, words } = settingsOf.make(data.defaults);
  const fromAddress = () => settingsOf.fromAddress(SETTINGS, defaults);
  const toAddress = (settings) => settingsOf.toAddress(SETTINGS, defaults, settings);
  const controls = settingsOf.controls(panel.querySelector("[data-trainer-settings]"), SETTINGS);
  const showSetting = (s, value) => settingsOf.show(controls[s.name], s, value);
  const readSetting = (s) => settingsOf.read(controls[s.name], s);

  // --- the run ------------------------------------------------------------------------
  const status = panel.querySelector("[data-trainer-status]");
  const readout = panel.querySelector("[data-trainer-readout]");
  const bandsNote = panel.querySelector("[data-trainer-bands]");
  const play = panel.querySelector("[data-trainer-play]");
  const stepButton = panel.querySelector("[data-trainer-step]");
  const resetButton = panel.querySelector("[data-trainer-reset]");
  const download = panel.querySelector("[data-trainer-download]");

  const start = fromAddress();
  let settings = start.settings;
  // wanted: what the reader last asked for; announce: say so once the worker has done it
  let worker = null, wanted = "paused", announce = false, state = null;
  // what the next "weights" message from the worker is for; kept: the step last kept
  let weightsFor = { download: false, keep: false }, kept = 0;
  let asked = 0;   // "run" messages sent to this run's worker (trainworker.js counts them too)
  const ask = (message) => {
    if (message.type === "run") asked += 1;
    worker.postMessage(message);
  };

  const blank = () => ({ step: 0, losses: [], clipped: [], val: [], radius: [], eigen: null, samples: [],
                         status: "paused", message: "", stepsPerSecond: 0, changedAt: null, stoppedAt: null });
  const config = () => ({ ...settings, val_fraction: defaults.val_fraction, val_every: defaults.val_every });

  const spawn = () => {
    worker = workers.spawn();
    worker.onmessage = ({ data: message }) => receive(message);
    worker.onerror = (event) => { say(`The trainer stopped: ${event.message}`, true); };
  };
  const reset = () => {
    if (worker) worker.terminate();   // a run still going would report into the new one
    spawn();
    state = blank();
    asked = 0;
    weightsFor = { download: false, keep: false };
    kept = 0;
    worker.postMessage({ type: "reset", config: config(), text: data.text, vocab: data.vocab });
    if (wanted === "running") ask({ type: "run" });
    say("");
    draw(true);
  };

  const receive = (m) => {
    if (m.type === "error") { wanted = "paused"; say(`The trainer stopped: ${m.message}`, true); return buttons(); }
    if (m.type === "weights") return received(m);
    state.step = m.step;
    state.losses.push(...m.losses);
    state.clipped.push(...m.clipped);
    state.val.push(...m.val);
    state.radius.push(...m.radius);
    if (m.eigen) state.eigen = m.eigen;
    if (m.sample && (!state.samples.length || state.samples[state.samples.length - 1].step !== m.sample.step)) state.samples.push(m.sample);
    state.stepsPerSecond = m.stepsPerSecond || state.stepsPerSecond;
    state.kernels = m.kernels;
    state.status = m.status;
    if (m.reached !== null && m.reached !== undefined) state.stoppedAt = m.reached;
    if (m.status !== "running" && announce && m.asked === asked) {
      wanted = "paused";
      announce = false;
      if (m.status === "finished") say(`Finished: ${group(m.step)} steps.`);
      else if (m.status === "diverged") say(m.message, true);
      else if (state.stoppedAt !== null) say(`Stopped at step ${group(m.step)}: the validation loss reached ${settings.stop_val}.`);
      else say(`Paused at step ${group(m.step)}.`);
    }
    // the run stopped where the reader asked (paused, finished, diverged): keep its weights
    if (m.status !== "running" && asked > 0 && m.asked === asked && m.step > kept) askWeights("keep");
    buttons();
    draw(m.status !== "running");
  };

  const say = (text, problem = false) => {
    status.textContent = text;
    status.classList.toggle("trainer-problem", problem);
  };
  const buttons = () => {
    const over = state.status === "finished" || state.status === "diverged";
    play.textContent = wanted === "running" ? "Pause" : state.step > 0 && !over ? "Go on" : "Train";
    play.setAttribute("aria-pressed", String(wanted === "running"));
    play.disabled = over && wanted !== "running";
    stepButton.disabled = over || wanted === "running";
  };

  play.addEventListener("click", () => {
    announce = true;
    if (wanted === "running") {
      wanted = "paused";
      worker.postMessage({ type: "pause" });
    } else {
      wanted = "running";
      state.stoppedAt = null;
      ask({ type: "run" });
      say("Training…");
    }
    buttons();
  });
  stepButton.addEventListener("click", () => {
    ask({ type: "run", until: state.step + 1 });
  });
  resetButton.addEventListener("click", () => {
    wanted = "paused";
    announce = false;
    reset();
    buttons();
  });

  // --- a setting changes ------------------------------------------------------------------
  const changed = (s) => {
    const value = readSetting(s);
    if (value === undefined) {   // a seed being typed: not applied until it is one
      controls[s.name].input.setAttribute("aria-invalid", "true");
      say(`The seed is a whole number from 0 to ${group(MAX_SEED)}.`, true);
      return;
    }
    showSetting(s, value);
    settings = { ...settings, [s.name]: value };
    toAddress(settings);
    if (s.reset || state.step === 0) {
      reset();
    } else {
      worker.postMessage({ type: "update", settings: { [s.name]: value } });
      if (state.changedAt === null) state.changedAt = state.step;
      if (s.name === "steps" && value > state.step && state.status === "finished") state.status = "paused";
      say(`${s.label} is now ${shown(s, value)}, from step ${group(state.step + 1)}. The link gives these ` +
          "settings from the first step: another run than this one.");
    }
    showBands();
    buttons();
  };
  for (const s of SETTINGS) {
    const { input } = controls[s.name];
    if (!s.seed) {
      input.addEventListener(s.stops ? "input" : "change", () => changed(s));
      continue;
    }
    input.addEventListener("input", () => changed(s));
    input.addEventListener("change", () => {   // leaving the box: back to the seed in use
      if (readSetting(s) === undefined) {
        showSetting(s, settings.seed);
        say("");
      }
    });
  }

  // --- the bands: the default's, and the variant the settings equal ------------------------
  const SHAPE = ["hidden_size", "seq_len", "lr", "clip", "momentum", "lr_decay", "lr_decay_every", "init", "activation", "freeze_whh"];
  const base = data.bands.find((b) => b.name === data.walked.variant) || data.bands[0];
  const matching = () => data.bands.find((b) => b !== base && SHAPE.every((name) => b.settings[name] === settings[name]));
  const runs = (b) => `${b.name} (seeds ${b.seeds.join(", ")})`;
  const bands = () => {
    const match = matching();
    return [base && { kind: "default", label: `${base.name}, ${base.seeds.length} seeds`, ...base },
            match && { kind: "variant", label: `${match.name}, ${match.seeds.length} seeds`, ...match }].filter(Boolean);
  };
  const showBands = () => {
    const match = matching();
    const same = base && SHAPE.every((name) => base.settings[name] === settings[name]);
    bandsNote.textContent = !base ? "" : `The grey band is the recorded runs of ${runs(base)}, trained by the build for ` +
      `${group(base.train.step[base.train.step.length - 1])} steps` +
      (match ? `; the orange band is ${runs(match)}: your settings equal that variant's.`
        : same ? "; your settings are its settings." : "; your settings equal no variant of the experiments.");
  };

  // --- drawing ----------------------------------------------------------------------------
  const binned = (values, width) => {
    const out = [];
    for (let k = 0; k * width < values.length; k++) {
      const part = values.slice(k * width, (k + 1) * width);
      out.push([k * width + part.length, part.reduce((a, b) => a + b, 0) / part.length]);
    }
    return out;
  };
  const view = () => ({
    steps: settings.steps, step: state.step, bin: data.bin, valEvery: defaults.val_every,
    train: binned(state.losses, data.bin), val: state.val, radius: state.radius, eigen: state.eigen,
    clipped: binned(state.clipped, data.bin), clip: settings.clip,
    clippedShare: state.clipped.length ? state.clipped.reduce((a, b) => a + b, 0) / state.clipped.length : 0,
    samples: state.samples, bands: bands(), floor: data.floor, uniform: Math.log(data.vocab.length),
  });
  const figures = [...panel.querySelectorAll("[data-trainer-view]")];
  let last = 0, queued = false;
  const paint = () => {
    queued = false;
    last = performance.now();
    const v = view();
    for (const figure of figures) {
      const svg = figure.querySelector("svg");
      const width = Math.max(200, Math.floor(svg.getBoundingClientRect().width));
      const { height, body, label } = views[figure.dataset.trainerView](v, width);
      svg.setAttribute("viewBox", `0 0 ${width} ${Math.ceil(height)}`);
      svg.innerHTML = body;
      svg.setAttribute("aria-label", label);
    }
    readout.textContent = `step ${group(state.step)} of ${group(settings.steps)}` +
      (state.stepsPerSecond ? ` · ${group(Math.round(state.stepsPerSecond))} steps/s` : "") +
      (state.kernels === "JavaScript" ? " (without WebAssembly)" : "");
  };
  // A few frames a second while it trains: the worker gets the rest of the machine.
  const draw = (now = false) => {
    if (now) return paint();
    if (queued) return;
    queued = true;
    setTimeout(() => requestAnimationFrame(paint), Math.max(0, 200 - (performance.now() - last)));
  };

  // --- the weights: downloaded, and kept for the other sections ------------------------------
  const askWeights = (why) => {
    weightsFor[why] = true;
    worker.postMessage({ type: "weights" });
  };
  const received = (m) => {
    const { download: downloading, keep: keeping } = weightsFor;
    weightsFor = { download: false, keep: false };
    if (keeping) keep(m);
    if (downloading) save(m);
  };

  // Kept in the browser (handoff.js), for the live model and the unit picker, once
  // they have read the start of the text without breaking.
  const PROBE_CHARS = 500;
  const handoff = window.charrnnHandoff;
  const handoffLine = panel.querySelector("[data-trainer-handoff]");
  const showKept = (run, problem = "") => {
    handoffLine.hidden = false;
    handoffLine.classList.toggle("trainer-problem", Boolean(problem));
    handoffLine.querySelector("[data-trainer-kept]").textContent = problem
      ? `Your weights at step ${group(run.step)} are not kept for the other sections: ${problem}. ` +
        "The download still works."
      : `Kept in this browser: your weights at step ${group(run.step)} (${handoff.summary(run)}).`;
    handoffLine.querySelector("[data-trainer-use]").hidden = Boolean(problem);
  };
  const keep = (m) => {
    if (!handoff || !handoffLine) return;
    kept = m.step;
    const changed = SETTINGS.filter((s) => settings[s.name] !== defaults[s.name]);
    const run = {
      vocab: data.vocab, hiddenSize: settings.hidden_size, activation: settings.activation, params: m.weights,
      step: m.step, steps: settings.steps, status: state.stoppedAt !== null ? "stopped" : state.status,
      changedAt: state.changedAt, settings: changed.map((s) => words(s, settings[s.name])),
      query: new URLSearchParams(changed.map((s) => [`trainer.${s.name}`, String(settings[s.name])])).toString(),
    };
    showKept(run, handoff.keep(run, data.text.slice(0, PROBE_CHARS)));
  };

  // --- the weights as a download, as checkpoint.npz names them --------------------------------
  const save = (m) => {
    const net = window.charrnnRnn.network({ vocabSize: data.vocab.length, hiddenSize: settings.hidden_size });
    const nested = (name) => {
      const [rows, cols] = net.shapes[name], flat = Array.from(m.weights[name]);
      return cols ? Array.from({ length: rows }, (_, r) => flat.slice(r * cols, (r + 1) * cols)) : flat;
    };
    const checkpoint = {
      chars: data.vocab, hidden_size: settings.hidden_size, embedding_dim: 0,
      activation: settings.activation, init: settings.init,
      ...Object.fromEntries(net.names.map((name) => [`param_${name}`, nested(name)])),
      step: m.step, config: config(),
    };
    const blob = new Blob([JSON.stringify(checkpoint)], { type: "application/json" });
    const link = Object.assign(document.createElement("a"), { href: URL.createObjectURL(blob), download: "checkpoint.json" });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
    say(`Downloaded the weights at step ${group(m.step)} as checkpoint.json.`);
  };
  download.addEventListener("click", () => askWeights("download"));

  // --- start ----------------------------------------------------------------------------------
  for (const s of SETTINGS) showSetting(s, settings[s.name]);
  panel.hidden = false;
  for (const note of document.querySelectorAll("[data-trainer-nojs]")) note.hidden = true;
  reset();
  showBands();
  buttons();
  if (start.ignored.length) say(`Not settings of this panel, or out of their range, so ignored: ${start.ignored.join(", ")}.`, true);
  if (start.asked) panel.scrollIntoView();
  const before = handoff && handoffLine ? handoff.load(data.vocab) : null;
  if (before && !before.problem) showKept(before);   // from an earlier visit

  const grid = panel.querySelector(".trainer-views");
  let width = grid.clientWidth;
  new ResizeObserver(() => {
    if (grid.clientWidth === width) return;
    width = grid.clientWidth;
    draw();
  }).observe(grid);

  // For the browser tests: the run as the page holds it.
  window.charrnnTrainPanel = { state: () => state, settings: () => ({ ...settings }), config };
})();
