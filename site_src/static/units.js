// The hidden-unit picker: the validation excerpt coloured by one unit's
// activation, as in Karpathy's char-RNN figures. data/units.js (written by
// walkthrough/exports.py from analysis.json["units"]) holds every unit's
// activation after each character, in the trained and the untrained network,
// as whole hundredths; the colour's strength is |h| (units.css picks the hue).
// The unit and the network shown are kept in the page's address (address.js:
// ?units.unit=12&units.network=untrained), so a link shows the same colours.
//
// The reader's own network, trained in section 20 and kept by the browser
// (handoff.js), can colour the same excerpt: it reads the characters the
// analysis read before the excerpt (data.context), then the excerpt, with
// rnn.js's step. The facts' statistics and best units were measured by the
// build on the recorded run over the whole validation text; they are not
// computed for the reader's run, so the page hides them while it shows it.
(() => {
  const data = window.charrnnUnits;
  if (!data) return;
  const address = window.charrnnAddress.view("units");
  const MAX_ALPHA = 0.75;   // as the static chart: text keeps its contrast in both themes
  const signed = (kind) => kind !== "categorical";   // eta has no sign
  const number = (hundredths, kind) => {
    const text = Math.abs(hundredths / 100).toFixed(2);
    if (!signed(kind)) return text;
    return (hundredths < 0 ? "\u2212" : "+") + text;
  };
  const symbol = { binary: "r", ordinal: "\u03c1", categorical: "\u03b7" };
  const chars = Array.from(data.text);

  /** Every unit's activation after each character of the excerpt, in `run`'s network
   *  (a run of handoff.js): rows[k][t] is unit k + 1 after character t. */
  const activationsOf = (run) => {
    const rnn = window.charrnnRnn, index = new Map(run.vocab.map((ch, i) => [ch, i]));
    let h = new Float64Array(run.net.H);
    for (const ch of data.context) [h] = rnn.step(run.net, index.get(ch), h);
    const rows = Array.from({ length: run.net.H }, () => new Float64Array(chars.length));
    chars.forEach((ch, t) => {
      [h] = rnn.step(run.net, index.get(ch), h);
      h.forEach((v, k) => { rows[k][t] = v; });
    });
    return rows;
  };

  for (const box of document.querySelectorAll("[data-units]")) {
    const select = box.querySelector("[data-units-unit]");
    const radios = [...box.querySelectorAll("[data-units-network]")];
    const networkChoice = box.querySelector(".units-network");
    const text = box.querySelector("[data-units-text]");
    const stats = box.querySelector("[data-units-stats]");
    const best = box.querySelector("[data-units-best]");
    const now = box.querySelector("[data-units-now]");
    const addressNote = box.querySelector("[data-units-address]");
    const recordedOnly = [...box.querySelectorAll("[data-units-recorded]")];
    const recordedNote = box.querySelector("[data-units-recorded-note]");
    let yours = null;   // { run, rows } while the reader's network is shown

    // the units, each named by the facts it is the best trained unit for (of the recorded run)
    const bestFor = new Map();
    for (const f of data.features) {
      bestFor.set(f.bestUnit, [...(bestFor.get(f.bestUnit) || []), f.label]);
    }
    const listUnits = () => {
      const H = yours ? yours.run.hiddenSize : data.hiddenSize;
      select.replaceChildren(...Array.from({ length: H }, (_, k) => {
        const option = document.createElement("option");
        option.value = String(k + 1);
        const facts = yours ? null : bestFor.get(k + 1);
        option.textContent = `unit ${k + 1}` + (facts ? ` \u2014 best for ${facts.join(", ")}` : "");
        return option;
      }));
    };
    listUnits();

    // one button per fact: jump to its best unit
    best.replaceChildren(...data.features.map((f) => {
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.unit = String(f.bestUnit);
      button.textContent = `${f.label} (unit ${f.bestUnit})`;
      button.addEventListener("click", () => {
        select.value = button.dataset.unit;
        update();
      });
      return button;
    }));

    // one span per character of the excerpt
    const spans = chars.map((ch) => {
      const span = document.createElement("span");
      span.textContent = ch;
      return span;
    });
    text.replaceChildren(...spans);

    const rows = data.features.map((f) => {
      const row = document.createElement("tr");
      const name = document.createElement("th");
      name.scope = "row";
      name.textContent = `${f.label} (${symbol[f.kind]})`;
      const trained = document.createElement("td");
      const untrained = document.createElement("td");
      row.append(name, trained, untrained);
      return { f, row, trained, untrained };
    });
    stats.replaceChildren(...rows.map((r) => r.row));

    const update = () => {
      const unit = Number(select.value);
      const network = radios.find((r) => r.checked)?.value || "trained";
      const activations = yours ? yours.rows[unit - 1] : data[network][unit - 1].map((v) => v / 100);
      spans.forEach((span, t) => {
        const h = activations[t];
        span.className = h < 0 ? "neg" : "pos";
        // a ReLU unit can pass 1: the colour stops at its strongest
        span.style.setProperty("--a", (Math.min(1, Math.abs(h)) * MAX_ALPHA).toFixed(3));
        span.title = `unit ${unit} after \u201c${chars[t] === " " ? "space" : chars[t]}\u201d: ` +
          `h = ${h < 0 ? "\u2212" : "+"}${Math.abs(h).toFixed(2)}`;
      });
      const facts = yours ? null : bestFor.get(unit);
      now.textContent = yours ? `Unit ${unit} of your network (${window.charrnnHandoff.summary(yours.run)})`
        : `Unit ${unit} of the ${network} network` +
          (facts ? ` (the trained network's best unit for ${facts.join(", ")})` : "");
      for (const { f, row, trained, untrained } of rows) {
        trained.textContent = number(f.trained[unit - 1], f.kind);
        untrained.textContent = number(f.untrained[unit - 1], f.kind);
        row.classList.toggle("units-is-best", f.bestUnit === unit);
      }
      for (const button of best.querySelectorAll("button")) {
        button.setAttribute("aria-pressed", String(Number(button.dataset.unit) === unit));
      }
      box.dataset.unit = String(unit);
      box.dataset.network = yours ? "yours" : network;
      address.write({ unit, network }, defaults);
    };

    select.addEventListener("change", update);
    for (const radio of radios) radio.addEventListener("change", update);

    // --- the weights: the recorded run's, or the reader's from section 20 ----------------
    /** Show `run`'s network (null: the recorded one), at the same unit if it has it. */
    const show = (run) => {
      const unit = Number(select.value);
      yours = run ? { run, rows: activationsOf(run) } : null;
      listUnits();
      select.value = String(unit <= select.options.length ? unit : 1);
      networkChoice.hidden = Boolean(yours);   // trained or untrained: of the recorded run
      for (const part of recordedOnly) part.hidden = Boolean(yours);
      recordedNote.hidden = !yours;
    };

    // --- the start: the first learned fact's best unit, or what the address asks for ---
    const first = data.features.find((f) => f.verdict === "learned") || data.features[0];
    const defaults = { unit: first.bestUnit, network: "trained" };
    const canRunYours = typeof data.context === "string" && Boolean(window.charrnnHandoff && window.charrnnRnn);
    const asked = address.read({
      unit: (raw) => (/^\d+$/.test(raw) && Number(raw) >= 1 ? Number(raw) : undefined),
      network: (raw) => (radios.some((r) => r.value === raw) ? raw : undefined),
      ...(canRunYours ? { weights: (raw) => (raw === "yours" || raw === "recorded" ? raw : undefined) } : {}),
    });
    const { unit = defaults.unit, network = defaults.network } = asked.values;
    for (const radio of radios) radio.checked = radio.value === network;
    if (canRunYours) {
      const weights = window.charrnnHandoff.choice(box, {
        reads: data.context + data.text, asked: asked.values.weights, address,
        change: (run) => { show(run); update(); },
      });
      if (weights.run()) show(weights.run());
    }
    if (unit <= select.options.length) {
      select.value = String(unit);
    } else {   // more units than the network shown has
      asked.ignored.push(`units.unit=${unit}`);
      select.value = String(yours ? 1 : defaults.unit);
    }
    addressNote.textContent = window.charrnnAddress.ignoredSentence(asked.ignored);
    addressNote.hidden = !asked.ignored.length;
    update();
    box.hidden = false;
  }
})();
