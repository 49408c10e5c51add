// Injected only by `build.py --serve`: reload the page when a rebuild publishes a
// site, and while a preview waits for the rest of the matrix, count its runs.
(() => {
  let seen = null;
  const notice = document.querySelector("[data-retraining]");

  // The sweep counts the runs it had to train; the notice counts the whole matrix.
  const showProgress = async () => {
    const response = await fetch("/__progress", { cache: "no-store" });
    const progress = await response.json();
    if (!progress.of) return;
    const total = Number(notice.dataset.total);
    notice.querySelector("[data-runs-done]").textContent =
      String(total - (progress.of - progress.done));
    notice.querySelector("[data-time-left]").textContent = `, about ${progress.left} left`;
  };

  const poll = async () => {
    try {
      const response = await fetch("/__version", { cache: "no-store" });
      const version = await response.text();
      if (seen !== null && version !== seen) location.reload();
      seen = version;
      if (notice) await showProgress();
    } catch (error) {
      // the server is restarting; try again
    }
    setTimeout(poll, 1000);
  };
  poll();
})();
