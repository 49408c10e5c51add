// Theme: follow the system unless the reader picked one; remember the pick.
// Loaded in <head> so a saved theme applies before the first paint.
(() => {
  const KEY = "walkthrough-theme";
  const root = document.documentElement;
  try {
    const saved = localStorage.getItem(KEY);
    if (saved === "light" || saved === "dark") root.dataset.theme = saved;
  } catch (error) { /* storage disabled: follow the system */ }

  const current = () => root.dataset.theme ||
    (matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light");

  document.addEventListener("DOMContentLoaded", () => {
    const button = document.querySelector(".theme-toggle");
    if (!button) return;
    const label = button.querySelector(".theme-toggle-label");
    const show = () => { label.textContent = current() === "dark" ? "Light theme" : "Dark theme"; };
    button.addEventListener("click", () => {
      root.dataset.theme = current() === "dark" ? "light" : "dark";
      try { localStorage.setItem(KEY, root.dataset.theme); } catch (error) { /* not remembered */ }
      show();
    });
    show();
    button.hidden = false;
  });
})();
