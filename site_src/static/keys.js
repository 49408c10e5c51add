// Keys: j / k next and previous note, n / p next and previous section,
// t switches the theme, / goes to the search box, ? lists the keys.
// Ignored while typing or with a modifier held (Shift aside, for "?").
(() => {
  const focusNote = (step) => {
    const notes = [...document.querySelectorAll(".note")];
    if (!notes.length) return;
    let index = notes.findIndex((note) => note.contains(document.activeElement));
    if (index < 0) {
      // start from the first note below the top of the window
      const below = notes.findIndex((note) => note.getBoundingClientRect().top > 0);
      index = step > 0 ? (below < 0 ? notes.length : below) - 1 : (below < 0 ? notes.length : below);
    }
    const next = notes[Math.min(notes.length - 1, Math.max(0, index + step))];
    next.querySelector(".note-lines").focus({ preventScroll: true });
    next.scrollIntoView({ block: "center", behavior: "smooth" });
  };

  const follow = (rel) => {
    const link = document.querySelector(`link[rel="${rel}"]`);
    if (link) location.href = link.href;
  };

  const search = () => {
    const input = document.querySelector(".search:not([hidden]) input");
    if (!input) return false;
    input.focus();
    input.select();
    return true;
  };

  const help = () => {
    const dialog = document.getElementById("keys-help");
    if (!dialog || dialog.open || typeof dialog.showModal !== "function") return false;
    dialog.showModal();
    return true;
  };

  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.target instanceof Element &&
        event.target.closest("input, textarea, select, [contenteditable], dialog")) return;
    const actions = {
      j: () => focusNote(1),
      k: () => focusNote(-1),
      n: () => follow("next"),
      p: () => follow("prev"),
      t: () => document.querySelector(".theme-toggle")?.click(),
      "/": search,
      "?": help,
    };
    if (actions[event.key] && actions[event.key]() !== false) event.preventDefault();
  });
})();
