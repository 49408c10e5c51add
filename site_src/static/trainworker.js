// The page's trainer runs in a Web Worker, so the page never freezes while it
// trains. A page opened from file:// may not start a worker from a script's URL,
// so spawn() builds the worker's source from the text of the modules it needs
// (rnn.js with kernels.js's WebAssembly, eigen.js, trainer.js and the loop below,
// each one self-contained function) and starts it from a Blob.
//
// The protocol, page -> worker:
//   { type: "reset", config, text, vocab, weights?, wasm? }  a new run (weights: the initial
//                             parameters by name, else drawn from config.seed; wasm: false
//                             keeps to the JavaScript products, for the fidelity test)
//   { type: "run", until? }     train until paused, finished, diverged or at step `until`
//   { type: "pause" }
//   { type: "update", settings }  optimiser settings, from the next step (Run.update)
//   { type: "weights" }         ask for the current parameters
// worker -> page:
//   { type: "progress", step, losses, clipped, val, radius, eigen, sample, stepsPerSecond,
//     kernels, status, message, reached, asked }  what is new since the last one; status is "running",
//                             "paused", "finished" or "diverged" (message: charrnn's words);
//                             reached: the step whose validation loss met config.stop_val;
//                             asked: how many "run" messages came before it;
//                             kernels: "WebAssembly" or "JavaScript", what computes the products
//   { type: "weights", step, weights }
//   { type: "error", message }
(function install(factory) {
  /** A new worker running the trainer; it needs the other modules loaded in the page. */
  const spawn = () => {
    const source = [
      `const rnn = (${self.charrnnRnn.factory})(${JSON.stringify(self.charrnnKernels || "")});`,
      `const eigen = (${self.charrnnEigen.factory})();`,
      `const trainer = (${self.charrnnTrainer.factory})(rnn);`,
      `(${factory})(rnn, trainer, eigen);`,
    ].join("\n");
    const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
    const worker = new Worker(url);
    URL.revokeObjectURL(url);   // the worker has its copy
    return worker;
  };

  /** Train one run to its end in a worker of its own and resolve with everything
   *  it recorded: { losses, clipped, val, radius, weights, step, status, message, kernels }.
   *  The fidelity test drives the trainer through this. */
  const trainToEnd = ({ config, text, vocab, weights = null, wasm = true }) => new Promise((resolve, reject) => {
    const worker = spawn();
    const record = { losses: [], clipped: [], val: [], radius: [], samples: [] };
    worker.onerror = (event) => { worker.terminate(); reject(new Error(event.message)); };
    worker.onmessage = ({ data }) => {
      if (data.type === "error") { worker.terminate(); reject(new Error(data.message)); return; }
      if (data.type === "weights") {
        worker.terminate();
        resolve({ ...record, step: data.step, weights: data.weights });
        return;
      }
      record.losses.push(...data.losses);
      record.clipped.push(...data.clipped);
      record.val.push(...data.val);
      record.radius.push(...data.radius);
      if (data.sample) record.samples.push(data.sample);
      record.kernels = data.kernels;
      if (data.status === "finished" || data.status === "diverged") {
        Object.assign(record, { status: data.status, message: data.message });
        worker.postMessage({ type: "weights" });
      }
    };
    worker.postMessage({ type: "reset", config, text, vocab, weights, wasm });
    worker.postMessage({ type: "run" });
  });

  self.charrnnTrainerWorker = { factory, spawn, trainToEnd };
})(function charrnnTrainerWorker(rnn, trainer, eigen) {
  "use strict";
  const SLICE_MS = 50;          // train this long between two reports to the page
  const RADIUS_EVERY = 250;     // steps between two eigendecompositions of W_hh
  const SAMPLE_PREFIX = "the ", SAMPLE_LENGTH = 120;

  // asked: how many "run" messages this run has had, so the page can tell a report
  // that answers its last request from one that was on its way before it
  let run = null, running = false, until = Infinity, pending = null, asked = 0;
  const fresh = () => ({ losses: [], clipped: [], val: [], radius: [], eigen: null, sample: null, reached: null });

  const spectrum = () => {
    const { re, im, radius } = eigen.eigenvalues(run.net.W_hh, run.net.H);
    pending.radius.push([run.step, radius]);
    pending.eigen = { step: run.step, re: Array.from(re), im: Array.from(im) };
  };
  const sample = () => {
    // seeded by the run's seed and the step, so the same run writes the same samples
    const seed = (Math.imul(run.cfg.seed >>> 0, 2654435761) ^ run.step) >>> 0;
    pending.sample = { step: run.step, text: trainer.sampleText(run.net, run.data.vocab, SAMPLE_PREFIX, SAMPLE_LENGTH, seed) };
  };

  const status = () => (run.diverged ? "diverged" : run.finished ? "finished" : running ? "running" : "paused");
  let rate = { steps: 0, ms: 0 };   // over the run's training time so far, pauses left out
  const report = () => {
    self.postMessage({
      type: "progress", step: run.step, ...pending, status: status(), asked, kernels: run.net.arena.name,
      message: run.diverged ? run.diverged.message : "",
      stepsPerSecond: rate.ms > 0 ? (1000 * rate.steps) / rate.ms : 0,
    });
    pending = fresh();
  };

  // A zero-delay turn of the event loop between slices, so that "pause" and
  // "update" are read while the run goes on (setTimeout would wait 4 ms each time).
  const channel = new MessageChannel();
  channel.port1.onmessage = () => slice();
  const slice = () => {
    if (!running || !run) return;
    const started = performance.now(), first = run.step;
    while (running && !run.finished && run.step < until && performance.now() - started < SLICE_MS) {
      const record = run.trainStep();
      if (!record) break;   // diverged: stopped before the update
      pending.losses.push(record.loss);
      pending.clipped.push(record.clipped ? 1 : 0);
      if (record.val !== null) {
        pending.val.push([record.step, record.val]);
        sample();
        // the page's own stopping condition: a validation loss the reader asked for
        if (run.cfg.stop_val > 0 && record.val <= run.cfg.stop_val) {
          running = false;
          pending.reached = record.step;
        }
      }
      if (record.step % RADIUS_EVERY === 0) spectrum();
    }
    rate = { steps: rate.steps + run.step - first, ms: rate.ms + performance.now() - started };
    if (run.finished || run.step >= until || !running) {
      running = false;
      if (!pending.radius.length || pending.radius[pending.radius.length - 1][0] !== run.step) spectrum();
      if (!pending.sample || pending.sample.step !== run.step) sample();
    }
    report();
    if (running) channel.port2.postMessage(null);
  };

  const handlers = {
    reset({ config, text, vocab, weights, wasm }) {
      running = false;
      run = new trainer.Run(config, trainer.prepare(text, vocab, config.val_fraction), weights, { wasm });
      pending = fresh();
      rate = { steps: 0, ms: 0 };
      asked = 0;
      spectrum();   // the initial weights: step 0
      sample();
      report();
    },
    run({ until: last = Infinity }) {
      asked += 1;
      until = last;
      if (run && !running && !run.finished) {
        running = true;
        channel.port2.postMessage(null);
      }
    },
    pause() {
      if (!running) return;
      running = false;
      report();
    },
    update({ settings }) { if (run) run.update(settings); },
    weights() {
      const weights = run ? run.weights() : {};
      self.postMessage({ type: "weights", step: run ? run.step : 0, weights });
    },
  };

  self.onmessage = ({ data }) => {
    try {
      handlers[data.type](data);
    } catch (error) {
      running = false;
      self.postMessage({ type: "error", message: String(error && error.message || error) });
    }
  };
});
