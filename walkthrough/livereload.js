// Injected only by `build.py --serve`: reload the page when a rebuild finishes.
(() => {
  let seen = null;
  const poll = async () => {
    try {
      const response = await fetch("/__version", { cache: "no-store" });
      const version = await response.text();
      if (seen !== null && version !== seen) location.reload();
      seen = version;
    } catch (error) {
      // the server is restarting; try again
    }
    setTimeout(poll, 1000);
  };
  poll();
})();
