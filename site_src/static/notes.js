// Notes and code, linked both ways. Hovering, focusing or tapping a note (or
// opening its permalink) highlights the code lines it explains. A code line
// that a note explains leads back to it: click or tap it, or Tab to the first
// line of a note and press Enter, and the note scrolls into view with focus.
// Without JavaScript the notes still sit beside their lines; this only adds
// the links.
(() => {
  const notes = [...document.querySelectorAll(".note")];
  if (!notes.length) return;
  const active = new Set();

  const span = (note) => [Number(note.dataset.first), Number(note.dataset.last)];
  const linesOf = (note) => {
    const [first, last] = span(note), lines = [];
    for (let n = first; n <= last; n++) {
      const line = document.getElementById("L" + n);
      if (line) lines.push(line);
    }
    return lines;
  };

  // The note that explains line n: the narrowest one covering it.
  const noteOf = (n) => {
    let best = null;
    for (const note of notes) {
      const [first, last] = span(note);
      if (first <= n && n <= last &&
          (!best || last - first < span(best)[1] - span(best)[0])) best = note;
    }
    return best;
  };

  const refresh = () => {
    const pinned = notes.find((note) => "#" + note.id === location.hash);
    const shown = new Set([...active, pinned].filter(Boolean));
    for (const line of document.querySelectorAll(".line.hl")) line.classList.remove("hl");
    for (const note of notes) note.classList.toggle("active", shown.has(note));
    for (const note of shown) for (const line of linesOf(note)) line.classList.add("hl");
  };

  for (const note of notes) {
    note.tabIndex = -1;   // focusable by script and by a tap, not a Tab stop of its own
    const on = () => { active.add(note); refresh(); };
    const off = () => { active.delete(note); refresh(); };
    note.addEventListener("mouseenter", on);
    note.addEventListener("mouseleave", () => { if (!note.contains(document.activeElement)) off(); });
    note.addEventListener("focusin", on);
    note.addEventListener("focusout", (event) => { if (!note.contains(event.relatedTarget)) off(); });
  }

  const goTo = (note) => {
    note.focus({ preventScroll: true });
    note.scrollIntoView({ block: "nearest", behavior: matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth" });
  };

  // Code -> note. The first line of each note is a Tab stop (Enter follows it);
  // every noted line follows it on click or tap.
  for (const note of notes) {
    const first = document.getElementById("L" + note.dataset.first);
    if (!first || first.hasAttribute("tabindex")) continue;
    first.tabIndex = 0;
    first.setAttribute("role", "link");
    first.title = `Line ${note.dataset.first}: go to its note (Enter)`;
  }
  for (const line of document.querySelectorAll(".line.noted")) {
    const note = noteOf(Number(line.dataset.n));
    if (!note) continue;
    line.addEventListener("click", () => {
      const selection = getSelection();
      if (selection && !selection.isCollapsed) return;   // selecting code to copy it
      goTo(note);
    });
    line.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        goTo(note);
      }
    });
    line.addEventListener("mouseenter", () => { active.add(note); refresh(); });
    line.addEventListener("mouseleave", () => {
      if (!note.contains(document.activeElement)) { active.delete(note); refresh(); }
    });
    line.addEventListener("focus", () => { active.add(note); refresh(); });
    line.addEventListener("blur", () => {
      if (!note.contains(document.activeElement)) { active.delete(note); refresh(); }
    });
  }

  addEventListener("hashchange", refresh);
  refresh();
})();
