// Search over sections and notes, offline. The index (data/search.js, written
// at build time) is loaded as a script the first time the box is used, so
// pages that are only read never load it; a script, not a fetch, so it also
// works from file://. Without JavaScript the box stays hidden.
(() => {
  const form = document.querySelector("form.search");
  if (!form) return;
  const input = form.querySelector("input");
  const box = form.querySelector(".search-results");
  const root = document.body.dataset.root || "";
  const LIMIT = 12;

  let loading = null;
  const load = () => loading || (loading = new Promise((resolve) => {
    if (window.charrnnSearch) return resolve(window.charrnnSearch);
    const script = document.createElement("script");
    script.src = root + "data/search.js";
    script.onload = () => resolve(window.charrnnSearch || []);
    script.onerror = () => resolve([]);
    document.head.append(script);
  }));

  const words = (query) => query.toLowerCase().split(/\s+/).filter(Boolean);

  const score = (entry, terms) => {
    const title = entry.title.toLowerCase(), subtitle = entry.subtitle.toLowerCase();
    const body = entry.text.toLowerCase();
    let total = 0;
    for (const term of terms) {
      const times = body.split(term).length - 1;
      const here = (title.includes(term) ? 8 : 0) + (subtitle.includes(term) ? 3 : 0) +
        (times ? 1 + Math.min(times - 1, 4) / 4 : 0);
      if (!here) return 0;
      total += here;
    }
    return total + (entry.kind === "note" ? 0 : 0.5);
  };

  // A piece of the text around the first term, with every term marked.
  const snippet = (entry, terms) => {
    const text = entry.text, lower = text.toLowerCase();
    const at = Math.max(0, terms.map((t) => lower.indexOf(t)).filter((i) => i >= 0).sort((a, b) => a - b)[0] ?? 0);
    const start = Math.max(0, at - 50), end = Math.min(text.length, at + 110);
    const piece = (start ? "…" : "") + text.slice(start, end) + (end < text.length ? "…" : "");
    const out = document.createElement("span");
    out.className = "search-snippet";
    const pattern = new RegExp("(" + terms.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|") + ")", "gi");
    piece.split(pattern).forEach((part, i) => {
      if (i % 2) {
        const mark = document.createElement("mark");
        mark.textContent = part;
        out.append(mark);
      } else if (part) out.append(part);
    });
    return out;
  };

  const close = () => {
    box.hidden = true;
  };

  const render = (entries, query) => {
    const terms = words(query);
    if (!terms.length) return close();
    const found = entries.map((entry) => [score(entry, terms), entry])
      .filter(([s]) => s > 0).sort((a, b) => b[0] - a[0]).slice(0, LIMIT);
    const list = document.createElement("ol");
    for (const [, entry] of found) {
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = root + entry.url;
      const head = document.createElement("span");
      head.className = "search-head";
      head.textContent = (entry.number ? entry.number + " " : "") + entry.title;
      const kind = document.createElement("span");
      kind.className = "search-kind";
      kind.textContent = entry.kind === "note" ? `note, ${entry.subtitle}` : entry.subtitle;
      link.append(head, kind, snippet(entry, terms));
      item.append(link);
      list.append(item);
    }
    const count = document.createElement("p");
    count.className = "search-count";
    count.textContent = found.length ? `${found.length}${found.length === LIMIT ? "+" : ""} found` : "Nothing found";
    box.replaceChildren(count, list);
    box.hidden = false;
  };

  const update = async () => render(await load(), input.value);
  input.addEventListener("focus", load);
  input.addEventListener("click", () => { if (input.value && box.hidden) update(); });
  input.addEventListener("input", update);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const first = box.querySelector("a");
    if (first && !box.hidden) location.href = first.href;
  });

  // Arrows move between the box and the results; Escape closes.
  form.addEventListener("keydown", (event) => {
    const links = [...box.querySelectorAll("a")];
    const at = links.indexOf(document.activeElement);
    if (event.key === "ArrowDown" && links.length && !box.hidden) {
      event.preventDefault();
      links[Math.min(links.length - 1, at + 1)].focus();
    } else if (event.key === "ArrowUp" && at >= 0) {
      event.preventDefault();
      (at === 0 ? input : links[at - 1]).focus();
    } else if (event.key === "Escape") {
      if (box.hidden) return input.blur();
      close();
      input.focus();
    }
  });
  form.addEventListener("focusout", (event) => {
    if (!form.contains(event.relatedTarget)) close();
  });

  form.hidden = false;
})();
