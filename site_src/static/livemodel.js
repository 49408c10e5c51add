// The trained network, live in the page: CharRNN.step of charrnn/model.py in
// float64 (rnn.js, the arithmetic the page's trainer shares) on the final weights
// that walkthrough/exports.py wrote to data/model.js at full precision:
//   a = W_xh x + W_hh h + b_h;  h = f(a);  p = softmax(W_hy h + b_y)
// The page test compares probs() with NumPy's warm_up() to 1e-6. The text, the
// temperature and the seed are kept in the page's address (address.js:
// ?live.prefix=the+dog+&live.temperature=0.7&live.seed=3), so a link gives the
// same prediction and the same sample.
//
// When the reader has trained a network in the page's trainer (section 20), the
// browser keeps its weights (handoff.js) and a choice switches the live model to
// them: the same code on another network, of whatever size and activation.
(() => {
  const model = window.charrnnModel, rnn = window.charrnnRnn;
  if (!model || !rnn) return;
  const address = window.charrnnAddress.view("live");

  /** The network the page runs, with its vocabulary: the recorded run's, or the
   *  reader's (a run of handoff.js). */
  const running = (vocab, net, weights) => ({ vocab, V: vocab.length, indexOf: new Map(vocab.map((ch, i) => [ch, i])),
                                              net, H: net.H, weights });
  const recorded = running(model.vocab, rnn.network({ vocabSize: model.vocab.length, hiddenSize: model.hiddenSize,
                                                      embeddingDim: model.embeddingDim, activation: model.activation },
                                                    model.params), "recorded");
  let now = recorded;
  const use = (run) => { now = run ? running(run.vocab, run.net, "yours") : recorded; };

  /** Read one character (its index); return [new hidden state, next-character probabilities]. */
  const step = (index, h) => rnn.step(now.net, index, Float64Array.from(h)).map((a) => Array.from(a));

  class UnknownCharacter extends Error {
    constructor(ch, position) {
      super(`character ${JSON.stringify(ch)} at position ${position} is not in the vocabulary`);
      this.ch = ch;
      this.position = position;
    }
  }

  const encode = (text) => Array.from(text).map((ch, position) => {
    if (!now.indexOf.has(ch)) throw new UnknownCharacter(ch, position);
    return now.indexOf.get(ch);
  });

  /** Text as charrnn's loader reads it (data.normalise): lower case, every run of
      whitespace one space. Unlike the loader it keeps a space at either end: in a
      prefix, "the dog " and "the dog" ask for different things. */
  const normalise = (text) => text.toLowerCase().replace(/\s+/g, " ");

  /** The first character of typed text that normalising does not bring into the
      vocabulary, and its position in the typed text; null when there is none. */
  const firstUnknown = (typed) => {
    const chars = Array.from(typed);
    for (let position = 0; position < chars.length; position++) {
      const read = Array.from(normalise(chars[position]));
      if (!read.every((ch) => now.indexOf.has(ch))) return { ch: chars[position], position };
    }
    return null;
  };

  /** warm_up(): read the prefix from a zero state; [h, probs] after its last character. */
  const warmUp = (prefix) => rnn.warmUp(now.net, encode(prefix)).map((a) => Array.from(a));

  /** Continue the prefix by `length` characters drawn at `temperature` (seeded). */
  const sample = (prefix, length, temperature, seed) =>
    rnn.sample(now.net, encode(prefix), length, temperature, seed).map((i) => now.vocab[i]).join("");

  window.charrnnLive = {
    get vocab() { return now.vocab.slice(); },
    weights: () => now.weights,   // "recorded" or "yours"
    probs: (prefix) => warmUp(prefix)[1],
    hidden: (prefix) => warmUp(prefix)[0],
    step, sample, normalise, UnknownCharacter,
  };

  // --- the page ---------------------------------------------------------------
  const shown = (ch) => (ch === " " ? "␣" : ch);
  const percent = (p) => (p >= 0.001 ? (100 * p).toFixed(1) + "%" : "<0.1%");
  const markInvalid = (input, invalid) => {
    if (invalid) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  };

  for (const box of document.querySelectorAll("[data-live-model]")) {
    const prefix = box.querySelector("[data-live-prefix]");
    const message = box.querySelector("[data-live-message]");
    const list = box.querySelector("[data-live-probs]");
    const strip = box.querySelector("[data-live-hidden]");
    const temperature = box.querySelector("[data-live-temperature]");
    const temperatureValue = box.querySelector("[data-live-temperature-value]");
    const seed = box.querySelector("[data-live-seed]");
    const nextSeed = box.querySelector("[data-live-next-seed]");
    const output = box.querySelector("[data-live-output]");
    const addressNote = box.querySelector("[data-live-address]");
    const defaults = { prefix: prefix.value, temperature: temperature.value, seed: seed.value };

    // the heat strip: one cell per hidden unit (the HTML parser puts it in the SVG
    // namespace), drawn again when the network changes
    let svg = null, cells = [];
    const drawStrip = () => {
      strip.innerHTML = `<svg viewBox="0 0 ${now.H * 10} 40" preserveAspectRatio="none" role="img">` +
        Array.from({ length: now.H }, (_, r) =>
          `<rect x="${r * 10}" width="10" height="40"><title></title></rect>`).join("") + "</svg>";
      svg = strip.querySelector("svg");
      cells = [...svg.querySelectorAll("rect")];
    };
    drawStrip();

    /** The text as the network reads it, or null after saying what is wrong. */
    const read = () => {
      const typed = prefix.value;
      const unknown = firstUnknown(typed);
      const text = normalise(typed);
      const problem = unknown
        ? `The network has never seen “${unknown.ch}” (position ${unknown.position + 1}): ` +
          `it knows only these ${now.V} characters: ${now.vocab.map(shown).join(" ")}`
        : text ? "" : "Type at least one character.";
      markInvalid(prefix, Boolean(problem));
      message.classList.toggle("live-problem", Boolean(problem));
      message.textContent = problem || (text === typed ? "" :
        `Read as “${text}”: in lower case with single spaces, like the text it was trained on.`);
      box.classList.toggle("live-stale", Boolean(problem));
      nextSeed.disabled = Boolean(problem);
      return problem ? null : text;
    };

    const showPrediction = (text) => {
      const [h, probs] = warmUp(text);
      const order = probs.map((p, k) => [p, k]).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
      const vocab = now.vocab;
      list.replaceChildren(...order.slice(0, 10).map(([p, k]) => {
        const item = document.createElement("li");
        const ch = document.createElement("span");
        ch.className = "live-ch";
        ch.textContent = shown(vocab[k]);
        if (vocab[k] === " ") ch.title = "space";
        const bar = document.createElement("span");
        bar.className = "live-bar";
        bar.style.setProperty("--p", p.toFixed(4));
        const value = document.createElement("span");
        value.className = "live-p";
        value.textContent = percent(p);
        item.append(ch, bar, value);
        return item;
      }));
      h.forEach((v, r) => {
        cells[r].setAttribute("class", v >= 0 ? "pos" : "neg");
        cells[r].setAttribute("fill-opacity", Math.min(1, Math.abs(v)).toFixed(3));
        cells[r].firstChild.textContent = `unit ${r + 1}: ${v.toFixed(3)}`;
      });
      const top = order[0];
      svg.setAttribute("aria-label", `Hidden state: ${now.H} units; most likely next character ` +
        `“${shown(vocab[top[1]])}” at ${percent(top[0])}`);
    };

    // The seed box holds the seed of the sample shown, always: a sample is
    // drawn from what the controls say, and only a whole number is a seed.
    const seedValue = () => {
      const value = Number(seed.value);
      return seed.value.trim() !== "" && Number.isInteger(value) && value >= 0 ? value : null;
    };

    const showSample = (text) => {
      const s = seedValue();
      markInvalid(seed, s === null);
      output.classList.toggle("live-stale-sample", s === null);
      if (s === null) return;
      const t = Number(temperature.value);
      const start = document.createElement("span");
      start.className = "live-given";
      start.textContent = text;
      const rest = document.createElement("span");
      rest.className = "live-written";
      rest.textContent = sample(text, Number(output.dataset.length), t, s);
      const note = document.createElement("span");
      note.className = "live-seed-note";
      note.textContent = ` (temperature ${t.toFixed(2)}, seed ${s})`;
      output.replaceChildren(start, rest, note);
    };

    // Announce a new sample when the reader asked for one, not at every keystroke.
    // Only what the network can read goes into the address.
    const update = (announce) => {
      temperatureValue.textContent = Number(temperature.value).toFixed(2);
      const text = read();
      if (text === null) return;
      showPrediction(text);
      output.setAttribute("aria-live", announce ? "polite" : "off");
      showSample(text);
      const s = seedValue();
      address.write({ prefix: prefix.value, temperature: String(Number(temperature.value)),
                      ...(s === null ? {} : { seed: String(s) }) }, defaults);
    };

    // --- the start: the text, temperature and seed the address asks for ----------------
    /** A value the slider holds exactly (within its range, on its steps), as text. */
    const onSlider = (input, raw) => {
      const value = Number(raw), min = Number(input.min), max = Number(input.max), step = Number(input.step);
      const steps = (value - min) / step;
      if (raw.trim() === "" || !(value >= min && value <= max) || Math.abs(steps - Math.round(steps)) > 1e-9) return undefined;
      return String(value);
    };
    const asked = address.read({
      prefix: (raw) => (normalise(raw) && !firstUnknown(raw) ? raw : undefined),
      temperature: (raw) => onSlider(temperature, raw),
      seed: (raw) => (/^\d+$/.test(raw) && Number(raw) <= Number(seed.max) ? String(Number(raw)) : undefined),
      weights: (raw) => (raw === "yours" || raw === "recorded" ? raw : undefined),
    });
    const { prefix: askedPrefix, temperature: askedTemperature, seed: askedSeed } = asked.values;
    if (askedPrefix !== undefined) prefix.value = askedPrefix;
    if (askedTemperature !== undefined) temperature.value = askedTemperature;
    if (askedSeed !== undefined) seed.value = askedSeed;
    addressNote.textContent = window.charrnnAddress.ignoredSentence(asked.ignored);
    addressNote.hidden = !asked.ignored.length;

    // --- the weights: the recorded run's, or the reader's from section 20 ----------------
    const switchTo = (run) => {
      use(run);
      drawStrip();
      update(true);
    };
    if (window.charrnnHandoff) {
      const weights = window.charrnnHandoff.choice(box, { reads: model.vocab, asked: asked.values.weights,
                                                          address, change: switchTo });
      if (weights.run()) {
        use(weights.run());
        drawStrip();
      }
    }

    prefix.addEventListener("input", () => update(false));
    temperature.addEventListener("input", () => update(true));
    seed.addEventListener("input", () => update(true));
    seed.addEventListener("change", () => {   // leaving the box: make it a valid seed again
      if (seedValue() === null) {
        seed.value = String(Math.max(0, Math.floor(Number(seed.value) || 0)));
        update(true);
      }
    });
    nextSeed.addEventListener("click", () => {
      seed.value = String((seedValue() ?? 0) + 1);
      update(true);
    });
    update(false);
    box.hidden = false;
  }
})();
