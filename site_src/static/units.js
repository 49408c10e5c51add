// The hidden-unit picker: the validation excerpt coloured by one unit's
// activation, as in Karpathy's char-RNN figures. data/units.js (written by
// walkthrough/exports.py from analysis.json["units"]) holds every unit's
// activation after each character, in the trained and the untrained network,
// as whole hundredths; the colour's strength is |h| (units.css picks the hue).
// The unit and the network shown are kept in the page's address (address.js:
// ?units.unit=12&units.network=untrained), so a link shows the same colours.
(() => {
  const data = window.charrnnUnits;
  if (!data) return;
  const address = window.charrnnAddress.view("units");
  const H = data.hiddenSize;
  const MAX_ALPHA = 0.75;   // as the static chart: text keeps its contrast in both themes
  const signed = (kind) => kind !== "categorical";   // eta has no sign
  const number = (hundredths, kind) => {
    const text = Math.abs(hundredths / 100).toFixed(2);
    if (!signed(kind)) return text;
    return (hundredths < 0 ? "\u2212" : "+") + text;
  };
  const symbol = { binary: "r", ordinal: "\u03c1", categorical: "\u03b7" };

  for (const box of document.querySelectorAll("[data-units]")) {
    const select = box.querySelector("[data-units-unit]");
    const radios = [...box.querySelectorAll("[data-units-network]")];
    const text = box.querySelector("[data-units-text]");
    const stats = box.querySelector("[data-units-stats]");
    const best = box.querySelector("[data-units-best]");
    const now = box.querySelector("[data-units-now]");
    const addressNote = box.querySelector("[data-units-address]");

    // the units, each named by the facts it is the best trained unit for
    const bestFor = new Map();
    for (const f of data.features) {
      bestFor.set(f.bestUnit, [...(bestFor.get(f.bestUnit) || []), f.label]);
    }
    select.replaceChildren(...Array.from({ length: H }, (_, k) => {
      const option = document.createElement("option");
      option.value = String(k + 1);
      const facts = bestFor.get(k + 1);
      option.textContent = `unit ${k + 1}` + (facts ? ` \u2014 best for ${facts.join(", ")}` : "");
      return option;
    }));

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
    const spans = Array.from(data.text, (ch) => {
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
      const activations = data[network][unit - 1];
      spans.forEach((span, t) => {
        const h = activations[t] / 100;
        span.className = h < 0 ? "neg" : "pos";
        span.style.setProperty("--a", (Math.abs(h) * MAX_ALPHA).toFixed(3));
        span.title = `unit ${unit} after \u201c${data.text[t] === " " ? "space" : data.text[t]}\u201d: ` +
          `h = ${h < 0 ? "\u2212" : "+"}${Math.abs(h).toFixed(2)}`;
      });
      const facts = bestFor.get(unit);
      now.textContent = `Unit ${unit} of the ${network} network` +
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
      box.dataset.network = network;
      address.write({ unit, network }, defaults);
    };

    select.addEventListener("change", update);
    for (const radio of radios) radio.addEventListener("change", update);

    // --- the start: the first learned fact's best unit, or what the address asks for ---
    const first = data.features.find((f) => f.verdict === "learned") || data.features[0];
    const defaults = { unit: first.bestUnit, network: "trained" };
    const asked = address.read({
      unit: (raw) => (/^\d+$/.test(raw) && Number(raw) >= 1 && Number(raw) <= H ? Number(raw) : undefined),
      network: (raw) => (radios.some((r) => r.value === raw) ? raw : undefined),
    });
    const { unit = defaults.unit, network = defaults.network } = asked.values;
    select.value = String(unit);
    for (const radio of radios) radio.checked = radio.value === network;
    addressNote.textContent = window.charrnnAddress.ignoredSentence(asked.ignored);
    addressNote.hidden = !asked.ignored.length;
    update();
    box.hidden = false;
  }
})();
