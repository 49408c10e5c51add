// The page trainer's settings: the reference's "try this" list, each a list of
// values (or choices), so that none can be out of range; read from and written to
// the page's address (address.js: ?trainer.lr=0.03&trainer.clip=0), so that a link
// gives the same run; and one control for each. trainpanel.js wires them to a run.
(() => {
  const { group } = window.charrnnSvg;

  /** The values from lo to hi whose leading digits are one of ``mantissas``. */
  const perDecade = (lo, hi, mantissas) => {
    const values = [];
    for (let e = Math.round(Math.log10(lo)); e <= Math.round(Math.log10(hi)); e++) {
      for (const m of mantissas) {
        const v = Number((m * 10 ** e).toPrecision(3));
        if (v >= lo && v <= hi) values.push(v);
      }
    }
    return values;
  };
  const MAX_SEED = 2 ** 32 - 1;
  /** A setting's value as the panel prints it. */
  const shown = (s, v) => (s.show || String)(v);
  /** A setting and its value in a sentence: "learning rate 0.03", "freeze W_hh". */
  const words = (s, v) => {
    const name = s.words || (/^[A-Z][a-z]/.test(s.label) ? s.label[0].toLowerCase() + s.label.slice(1) : s.label);
    return s.flag ? (v ? name : `${name}: no`) : `${name} ${shown(s, v)}`;
  };

  /** The settings, with ``walked`` (the walked run's settings) as the defaults: its
   * own value is always a stop (a site built with --steps 300 trains 300). */
  const make = (walked) => {
    const SETTINGS = [
      { name: "hidden_size", label: "Hidden units", stops: [4, 8, 16, 24, 32, 48, 64, 96, 128, 192, 256], reset: true },
      { name: "seq_len", label: "Chunk length", stops: [5, 10, 15, 20, 25, 30, 40, 50, 75, 100], reset: true,
        show: (v) => `${v} characters` },
      { name: "lr", label: "Learning rate", stops: perDecade(1e-4, 1, [1, 2, 3, 5]), note: "log scale" },
      { name: "clip", label: "Clipping threshold", stops: [0, 0.25, 0.5, 1, 2, 5, 10, 20, 50],
        show: (v) => (v > 0 ? String(v) : "none") },
      { name: "momentum", label: "Momentum", stops: [0, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.99] },
      { name: "lr_decay", label: "Learning-rate decay", stops: [0.5, 0.8, 0.9, 0.95, 0.98, 0.985, 0.99, 1],
        show: (v) => (v < 1 ? `× ${v}` : "none") },
      { name: "lr_decay_every", label: "… every", words: "learning-rate decay every", stops: [500, 1000, 2000, 5000, 10000],
        show: (v) => `${group(v)} steps` },
      { name: "steps", label: "Stop after", stops: [500, 1000, 2000, 5000, 10000, 20000, 30000, 50000, 100000],
        show: (v) => `${group(v)} steps` },
      { name: "stop_val", label: "… or at validation loss", words: "stop at validation loss", stops: [0, 0.6, 0.65, 0.7, 0.8, 0.9, 1, 1.2, 1.5],
        show: (v) => (v > 0 ? `≤ ${v}` : "never") },
      { name: "init", label: "W_hh initialisation", choices: window.charrnnTrainer.INIT_METHODS, reset: true },
      { name: "activation", label: "Activation", choices: window.charrnnRnn.ACTIVATIONS, reset: true },
      { name: "freeze_whh", label: "Freeze W_hh", flag: true },
      { name: "seed", label: "Seed", seed: true, reset: true },
    ];
    const defaults = { ...walked, stop_val: 0 };
    for (const s of SETTINGS) {
      if (s.stops && !s.stops.includes(defaults[s.name])) s.stops = [...s.stops, defaults[s.name]].sort((a, b) => a - b);
    }
    return { SETTINGS, MAX_SEED, defaults, shown, words };
  };

  /** A setting's value read from text (the address), or undefined when it is not one. */
  const parse = (s, raw) => {
    if (s.flag) return raw === "true" ? true : raw === "false" ? false : undefined;
    if (s.choices) return s.choices.includes(raw) ? raw : undefined;
    const value = Number(raw);
    if (raw.trim() === "" || !Number.isFinite(value)) return undefined;
    if (s.seed) return Number.isInteger(value) && value >= 0 && value <= MAX_SEED ? value : undefined;
    return s.stops.includes(value) ? value : undefined;
  };

  // --- the settings in the address: ?trainer.lr=0.03&trainer.clip=0 ---------------------
  // Links made before the address held every view's state said #trainer?lr=0.03&clip=0;
  // they still give their run, and the address is rewritten in today's form.
  const address = window.charrnnAddress.view("trainer");
  const fromAddress = (list, defaults) => {
    const parsers = Object.fromEntries(list.map((s) => [s.name, (raw) => parse(s, raw)]));
    const settings = { ...defaults }, ignored = [];
    const asked = location.hash === "#trainer" || address.has();
    const old = window.charrnnAddress.legacy("trainer");
    if (old) {
      for (const [name, raw] of old) {
        const value = parsers[name] ? parsers[name](raw) : undefined;
        if (value === undefined) ignored.push(`${name}=${raw}`);
        else settings[name] = value;
      }
    }
    const given = address.read(parsers);
    Object.assign(settings, given.values);
    ignored.push(...given.ignored);
    if (old) toAddress(list, defaults, settings);
    return { settings, ignored, asked: asked || Boolean(old) };
  };
  const toAddress = (list, defaults, settings) => {
    address.write(Object.fromEntries(list.map((s) => [s.name, settings[s.name]])), defaults);
  };

  // --- the controls: a slider over the stops, a menu, a box, or a number -------------------
  const control = (s) => {
    if (s.stops) {
      return Object.assign(document.createElement("input"), { type: "range", min: "0", max: String(s.stops.length - 1), step: "1" });
    }
    if (s.choices) {
      const select = document.createElement("select");
      for (const c of s.choices) select.append(new Option(c, c));
      return select;
    }
    if (s.flag) return Object.assign(document.createElement("input"), { type: "checkbox" });
    return Object.assign(document.createElement("input"), { type: "number", min: "0", max: String(MAX_SEED), step: "1", inputMode: "numeric" });
  };

  /** One labelled row in ``box`` for each setting; name -> {input, output}. */
  const controls = (box, list) => {
    const made = {};
    for (const s of list) {
      const id = `trainer-${s.name.replace(/_/g, "-")}`;
      const row = document.createElement("div");
      row.className = "trainer-setting";
      const label = Object.assign(document.createElement("label"), { htmlFor: id, textContent: s.label });
      const input = control(s);
      input.id = id;
      row.append(label, input);
      let output = null;
      if (s.stops) {
        output = document.createElement("output");
        output.htmlFor = id;
        row.append(output);
      }
      if (s.note) row.append(Object.assign(document.createElement("span"), { className: "trainer-note", textContent: s.note }));
      row.classList.toggle("trainer-flag", Boolean(s.flag));
      box.append(row);
      made[s.name] = { input, output };
    }
    return made;
  };

  const show = ({ input, output }, s, value) => {
    if (s.stops) {
      const text = shown(s, value);
      input.value = String(s.stops.indexOf(value));
      output.textContent = text;
      input.setAttribute("aria-valuetext", text);
    } else if (s.flag) {
      input.checked = value;
    } else {
      input.value = String(value);
      input.removeAttribute("aria-invalid");
    }
  };
  const read = ({ input }, s) => {
    if (s.stops) return s.stops[Number(input.value)];
    if (s.flag) return input.checked;
    if (s.choices) return input.value;
    return parse(s, input.value);   // the seed: undefined while it is not a whole number in range
  };

  window.charrnnTrainSettings = { make, parse, fromAddress, toAddress, controls, show, read };
})();
