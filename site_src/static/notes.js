// Notes: hovering or focusing a note, or opening its permalink, highlights
// the code lines it explains. Without JavaScript the notes still sit beside
// their lines; this only adds the highlight.
(() => {
  const notes = [...document.querySelectorAll(".note")];
  const active = new Set();

  const linesOf = (note) => {
    const lines = [];
    for (let n = Number(note.dataset.first); n <= Number(note.dataset.last); n++) {
      const line = document.getElementById("L" + n);
      if (line) lines.push(line);
    }
    return lines;
  };

  const refresh = () => {
    const pinned = notes.find((note) => "#" + note.id === location.hash);
    const shown = new Set([...active, pinned].filter(Boolean));
    for (const line of document.querySelectorAll(".line.hl")) line.classList.remove("hl");
    for (const note of shown) for (const line of linesOf(note)) line.classList.add("hl");
  };

  for (const note of notes) {
    const on = () => { active.add(note); refresh(); };
    const off = () => { active.delete(note); refresh(); };
    note.addEventListener("mouseenter", on);
    note.addEventListener("mouseleave", () => { if (!note.contains(document.activeElement)) off(); });
    note.addEventListener("focusin", on);
    note.addEventListener("focusout", off);
  }
  addEventListener("hashchange", refresh);
  refresh();
})();
