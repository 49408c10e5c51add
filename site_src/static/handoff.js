// The reader's own run, handed from the trainer (trainpanel.js) to the live model
// (livemodel.js) and the unit picker (units.js). Those are other pages, so the
// weights travel through the browser's localStorage, which every page of the site
// shares, from file:// too in Chromium. The trainer keeps its weights each time
// its run stops (paused, finished, or stopped by divergence with finite weights);
// the other two offer a choice between the recorded run and this one, only when
// the browser holds one they can run.
//
// What is kept, as JSON under one key: { format, vocab, hiddenSize, activation,
// params (name -> flat row-major numbers, at full precision: JSON gives each
// double back exactly), step, steps, status ("paused", "finished", "stopped":
// its validation loss reached the reader's goal, or "diverged"), changedAt (the
// step from which a setting changed mid-run, or null), settings (the ones that
// differ from the recorded run's, in words), query (the trainer's address for
// those settings) }.
(() => {
  const KEY = "charrnn.yourRun";
  const FORMAT = 1;
  const rnn = window.charrnnRnn;
  const group = (n) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");

  /** The browser's storage, or null where the page may not use it. */
  const storage = () => {
    try {
      return window.localStorage || null;
    } catch (error) {   // a browser that forbids it throws on the mere reading
      return null;
    }
  };

  /** Why weights are of no use to the other views ("" when they are): a run stopped
   *  by divergence may hold numbers that are not finite, or finite ones so large that
   *  the network predicts nothing (NaN) after reading `text`. */
  const unusable = (run, text) => {
    if (!Object.values(run.params).every((values) => values.every(Number.isFinite))) {
      return "they are not all finite numbers";
    }
    const net = rnn.network({ vocabSize: run.vocab.length, hiddenSize: run.hiddenSize, activation: run.activation },
                            run.params);
    const [, probs] = rnn.warmUp(net, Array.from(text, (ch) => run.vocab.indexOf(ch)));
    return probs.every(Number.isFinite) ? "" : "the network they make predicts nothing but NaN";
  };

  /** Keep `run` (params as Float64Arrays or arrays) once it has read `text` without
   *  breaking; "" when kept, else why not. A run that is not kept also removes the one
   *  before, so no page offers weights older than the trainer says. */
  const keep = (run, text) => {
    const store = storage();
    const useless = unusable(run, text);
    if (useless) {
      try { if (store) store.removeItem(KEY); } catch (ignored) { /* nothing more to do */ }
      return useless;
    }
    if (!store) return "this browser does not let the page keep data";
    const params = Object.fromEntries(Object.entries(run.params).map(([name, v]) => [name, Array.from(v)]));
    try {
      store.setItem(KEY, JSON.stringify({ format: FORMAT, ...run, params }));
      return "";
    } catch (error) {
      try { store.removeItem(KEY); } catch (ignored) { /* nothing more to do */ }
      return error && error.name === "QuotaExceededError"
        ? "the browser's storage for this site is full" : "the browser refused to keep them";
    }
  };

  /** The kept run, with its network (rnn.js) as `net`, when it can read every
   *  character of `chars`; { problem } when one is kept that cannot; null when none is. */
  const load = (chars) => {
    const store = storage();
    let text = null;
    try {
      text = store && store.getItem(KEY);
    } catch (error) {
      text = null;
    }
    if (!text) return null;
    let run = null;
    try {
      run = JSON.parse(text);
    } catch (error) {
      return { problem: "they cannot be read" };
    }
    if (!run || run.format !== FORMAT || !Array.isArray(run.vocab)) {
      return { problem: "they were kept by another version of these pages" };
    }
    if (!Array.from(chars).every((ch) => run.vocab.includes(ch))) {
      return { problem: "they were trained on other characters than this site's" };
    }
    try {
      run.net = rnn.network({ vocabSize: run.vocab.length, hiddenSize: run.hiddenSize, activation: run.activation },
                            run.params);
    } catch (error) {
      return { problem: "they cannot be read" };
    }
    return run;
  };

  // --- the run in words ---------------------------------------------------------------------
  const ENDS = { paused: "paused at", finished: "finished at", stopped: "stopped at its validation goal at",
                 diverged: "stopped by divergence at" };
  /** "16 hidden units, sigmoid, 300 steps": what the choice's label says. */
  const summary = (run) => `${run.hiddenSize} hidden units, ${run.activation}, ${group(run.step)} steps`;
  /** The sentence under the choice: its settings, how it ended. */
  const about = (run) => (run.settings.length
    ? `Settings: ${run.settings.join(", ")} (the others as the recorded run's); `
    : "The recorded run's settings; ") +
    `${ENDS[run.status] || "kept at"} step ${group(run.step)} of ${group(run.steps)}` +
    `${run.changedAt === null || run.changedAt === undefined ? "" : `, with settings changed after step ${group(run.changedAt)}`}.`;

  // --- the choice on the live model's and the unit picker's pages (templates/_weights.html) ---
  /** Wire the choice in `box`. `reads`: the characters the view must read; `asked`:
   *  what the page's address asks for ("yours", "recorded" or undefined); `address`:
   *  the view's part of the address (address.js), where the choice is kept;
   *  `change(run)`: called with the run to show (null: the recorded one) when it
   *  changes. Returns { run() }: the reader's run while it is chosen, else null. */
  const choice = (box, { reads, asked, address, change }) => {
    const fieldset = box.querySelector("[data-weights-choice]");
    const note = box.querySelector("[data-weights-note]");
    if (!fieldset) return { run: () => null };
    const radios = [...fieldset.querySelectorAll("input[data-weights]")];
    const label = fieldset.querySelector("[data-weights-summary]");
    const sentence = fieldset.querySelector("[data-weights-about]");
    const settingsLink = fieldset.querySelector("[data-weights-settings]");
    const from = fieldset.dataset.weightsFrom;   // "section 20"
    let kept = null, chosen = "recorded";

    const look = () => {
      const found = load(reads);
      kept = found && !found.problem ? found : null;
      fieldset.hidden = !kept;
      if (kept) {
        label.textContent = `(${summary(kept)})`;
        sentence.textContent = about(kept);
        settingsLink.href = `${settingsLink.dataset.href}${kept.query ? `?${kept.query}` : ""}#trainer`;
      }
      return found;
    };
    const show = (which) => {
      chosen = kept ? which : "recorded";
      for (const radio of radios) radio.checked = radio.value === chosen;
      box.dataset.weights = chosen;
    };

    const found = look();
    show(asked === "yours" ? "yours" : "recorded");
    if (asked === "yours" && !kept) {   // a link to weights this browser does not have
      note.textContent = `This link asks for your run from ${from}, but ${found
        ? `the weights this browser keeps cannot be used here: ${found.problem}`
        : "this browser keeps no weights from it"}. This is the recorded run.`;
      note.hidden = false;
    }
    for (const radio of radios) {
      radio.addEventListener("change", () => {
        if (!radio.checked) return;
        show(radio.value);
        note.hidden = true;
        address.write({ weights: chosen }, { weights: "recorded" });
        change(chosen === "yours" ? kept : null);
      });
    }
    // The trainer, open in another tab, kept new weights (or could not).
    addEventListener("storage", (event) => {
      if (event.key !== KEY && event.key !== null) return;
      look();
      show(chosen);
      address.write({ weights: chosen }, { weights: "recorded" });
      change(chosen === "yours" ? kept : null);
    });
    return { run: () => (chosen === "yours" ? kept : null) };
  };

  window.charrnnHandoff = { KEY, keep, load, summary, about, choice };
})();
