// The views' state in the page's address, so that a link shows what its sender
// saw: the scrubber's step and run, the unit picked, the live model's text,
// temperature and seed, the trainer's settings. Every view reads and writes its
// state here and nowhere else.
//
// The state lives in the query string, each view under keys of its own name and
// a dot (?live.seed=3&scrub.step=250), so no view can read another's values. The
// hash is left to what it already does: a section's anchors and the notes'
// permalinks (#L12, #note-id), which a click in the page replaces.
//
// history.replaceState changes the address without adding to the history (a
// dragged slider must not fill the Back button), and Chromium allows it from
// file:// as long as only the query and the hash change. Changes are gathered
// for a moment, so typing or dragging rewrites the address once, not at every
// key or pixel; they are written at once when the page is left.
(() => {
  const DELAY_MS = 300;
  let pending = new Map(), timer = null;   // key -> value, or null to drop the key

  const flush = () => {
    clearTimeout(timer);
    timer = null;
    if (!pending.size) return;
    const query = new URLSearchParams(location.search);
    for (const [key, value] of pending) {
      if (value === null) query.delete(key);
      else query.set(key, value);
    }
    pending = new Map();
    const search = query.toString();
    const url = location.href.split(/[?#]/)[0] + (search ? `?${search}` : "") + location.hash;
    if (url === location.href) return;   // a view wrote back what it read: nothing to do
    try {
      history.replaceState(history.state, "", url);
    } catch (error) {
      // A browser that refuses (some do from file://): the views still work, a link
      // to the page just does not carry them.
    }
  };
  addEventListener("pagehide", flush);

  /** The part of the address that belongs to the view called `name`. */
  const view = (name) => {
    const own = (key) => key.startsWith(`${name}.`);
    return {
      /** Whether the address holds any value of this view. */
      has: () => [...new URLSearchParams(location.search).keys()].some(own),

      /** This view's values, each read by its parser (raw text -> value, or undefined
       *  when the text is not a value the view can show). A key with no parser, or a
       *  value its parser refuses, is not taken: it is listed in `ignored`, so the
       *  view can say so, and the view shows its default instead. */
      read(parsers) {
        const values = {}, ignored = [];
        for (const [key, raw] of new URLSearchParams(location.search)) {
          if (!own(key)) continue;
          const field = key.slice(name.length + 1);
          const value = Object.hasOwn(parsers, field) ? parsers[field](raw) : undefined;
          if (value === undefined) ignored.push(`${key}=${raw}`);
          else values[field] = value;
        }
        return { values, ignored };
      },

      /** Put `values` in the address. A value equal to its default in `defaults`, or
       *  null, leaves the address: a link holds only what the reader changed. */
      write(values, defaults = {}) {
        for (const [field, value] of Object.entries(values)) {
          const kept = value !== null && value !== undefined && value !== defaults[field];
          pending.set(`${name}.${field}`, kept ? String(value) : null);
        }
        clearTimeout(timer);
        timer = setTimeout(flush, DELAY_MS);
      },
    };
  };

  /** The values of an address in the form that came before this one, #name?a=1&b=2,
   *  as URLSearchParams, or null; the hash is cut back to #name (the anchor it
   *  always also was), so the values then live only where write() puts them. */
  const legacy = (name) => {
    const hash = decodeURIComponent(location.hash.slice(1));
    if (!hash.startsWith(`${name}?`)) return null;
    try {
      history.replaceState(history.state, "", location.href.split("#")[0] + `#${name}`);
    } catch (error) { /* as in flush */ }
    return new URLSearchParams(hash.slice(name.length + 1));
  };

  /** The sentence a view shows for the values of the address it did not take. */
  const ignoredSentence = (ignored) => (ignored.length
    ? `The link asked for ${ignored.join(", ")}: not a value this view has, so it shows its own instead.`
    : "");

  window.charrnnAddress = { view, legacy, ignoredSentence, flush };
})();
