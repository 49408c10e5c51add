// charrnn/train.py in the page: truncated BPTT with SGD and momentum, the step
// decay of the learning rate, global-norm clipping, the hidden state carried from
// chunk to chunk and reset at each pass, the validation loss, and the rule that
// stops a run that diverged, with the message charrnn prints. The network's own
// arithmetic is rnn.js; this file is the loop around it. trainworker.js runs it
// in a Web Worker; tests/browser/test_trainer_fidelity.py trains it alongside the
// Python from the same weights and text and compares every step.
//
// One function with no free variables, like rnn.js, so the Worker can be built
// from its text; it is handed the rnn module.
(function install(factory) {
  const api = factory(self.charrnnRnn);
  api.factory = factory;
  self.charrnnTrainer = api;
})(function charrnnTrainer(rnn) {
  "use strict";

  // train.py's constants (test_trainer_page.py checks that they still agree).
  const VAL_CONTEXT = 200;          // characters before the validation text read first
  const DIVERGENCE_WINDOW = 100;    // steps whose mean loss the divergence rule reads
  const FAR_ABOVE_UNIFORM = 2;      // ... and how many times ln V it may not exceed

  // --- numbers as Python writes them, for charrnn's own messages --------------------
  /** repr() of a Python float: shortest round trip, exponent below 1e-4 and from 1e16. */
  const pyFloat = (x) => {
    if (!Number.isFinite(x)) return Number.isNaN(x) ? "nan" : x > 0 ? "inf" : "-inf";
    if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
    const [mantissa, exp] = x.toExponential().split("e");
    const e = Number(exp);
    if (e < -4 || e >= 16) return `${mantissa}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
    const digits = mantissa.replace("-", "").replace(".", "");
    const sign = x < 0 ? "-" : "";
    if (e < 0) return `${sign}0.${"0".repeat(-e - 1)}${digits}`;
    const whole = digits.padEnd(e + 1, "0");
    const rest = digits.slice(e + 1);
    return `${sign}${whole.slice(0, e + 1)}.${rest || "0"}`;
  };
  /** Python's format(x, ".{p}g"): p significant digits, trailing zeros dropped,
   *  exponent notation below 1e-4 and from 10^p. */
  const pyG = (x, p) => {
    if (!Number.isFinite(x)) return Number.isNaN(x) ? "nan" : x > 0 ? "inf" : "-inf";
    if (x === 0) return "0";
    const [mantissa, exp] = x.toExponential(p - 1).split("e");
    const e = Number(exp);
    const trim = (s) => (s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s);
    if (e < -4 || e >= p) return `${trim(mantissa)}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
    return trim(x.toFixed(Math.max(0, p - 1 - e)));
  };
  /** format(n, ","): thousands separated by commas. */
  const thousands = (n) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");

  /** Console.diverged's sentence, word for word. */
  const divergedMessage = (step, reason, cfg) =>
    `training diverged at step ${thousands(step)}: ${reason}. ` +
    `Try a smaller learning rate (now --lr ${pyFloat(cfg.lr)}) or a tighter clip (now --clip ${pyFloat(cfg.clip)}). ` +
    "Everything recorded up to then is kept.";

  // --- the data (charrnn/data.py) -------------------------------------------------------
  /** Python's round() of a float: halves go to the even neighbour. */
  const roundHalfEven = (x) => {
    const floor = Math.floor(x), diff = x - floor;
    return diff > 0.5 ? floor + 1 : diff < 0.5 ? floor : floor % 2 === 0 ? floor : floor + 1;
  };

  /** The text as indices into the vocabulary, split as data.split splits it, with the
   *  validation text joined after the VAL_CONTEXT characters that precede it: the
   *  validation pass reads those first (train.validation_loss). */
  const prepare = (text, vocab, valFraction) => {
    const index = new Map(vocab.map((ch, i) => [ch, i]));
    const chars = Array.from(text);
    const data = new Int32Array(chars.length);
    chars.forEach((ch, pos) => {
      if (!index.has(ch)) throw new Error(`character ${JSON.stringify(ch)} at position ${pos} is not in the vocabulary`);
      data[pos] = index.get(ch);
    });
    const cut = roundHalfEven(data.length * (1 - valFraction));
    const train = data.subarray(0, cut), val = data.subarray(cut);
    const context = train.subarray(Math.max(0, train.length - VAL_CONTEXT));
    const joined = new Int32Array(context.length + val.length);
    joined.set(context);
    joined.set(val, context.length);
    return { vocab, train, joined, contextLength: context.length, valLength: val.length };
  };

  // --- initialisation (CharRNN._initialise, from the page's own seeded generator) ----------
  /** Uniform weights in ±sqrt(6 / (fan_in + fan_out)), as torch.nn.init.xavier_uniform_. */
  const xavier = (w, rows, cols, random) => {
    const bound = Math.sqrt(6 / (rows + cols));
    for (let k = 0; k < w.length; k++) w[k] = (2 * random() - 1) * bound;
  };
  /** Standard normal numbers by the Box-Muller transform. */
  const normals = (random) => () => {
    const u = 1 - random(), v = random();   // u in (0, 1]: its log is finite
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  /** An orthogonal matrix, as torch.nn.init.orthogonal_ makes one: the Q of a normal
   *  matrix's QR decomposition with R's diagonal positive, here by Gram-Schmidt on
   *  its columns, done twice so the columns are orthogonal to the last digits. All
   *  its singular values are 1, so its spectral radius is exactly 1. */
  const orthogonal = (w, n, normal) => {
    const cols = Array.from({ length: n }, () => Float64Array.from({ length: n }, normal));
    for (let c = 0; c < n; c++) {
      const v = cols[c];
      for (let pass = 0; pass < 2; pass++) {
        for (let b = 0; b < c; b++) {
          let d = 0;
          for (let i = 0; i < n; i++) d += cols[b][i] * v[i];
          for (let i = 0; i < n; i++) v[i] -= d * cols[b][i];
        }
      }
      let norm = 0;
      for (let i = 0; i < n; i++) norm += v[i] * v[i];
      norm = Math.sqrt(norm);
      for (let i = 0; i < n; i++) v[i] /= norm;
    }
    for (let i = 0; i < n; i++) for (let c = 0; c < n; c++) w[i * n + c] = cols[c][i];
  };
  const INIT_METHODS = ["orthogonal", "xavier", "random"];

  /** Fill the network's weights as model.py does, in its order: Xavier-uniform W_xh
   *  and W_hy, then W_hh by `method`; the biases stay zero. */
  const initialise = (net, method, seed) => {
    if (!INIT_METHODS.includes(method)) throw new Error(`unknown init method ${method}; choose one of ${INIT_METHODS.join(", ")}`);
    const random = rnn.generator(seed), normal = normals(random), { V, H } = net;
    xavier(net.W_xh, H, V, random);
    xavier(net.W_hy, V, H, random);
    if (method === "orthogonal") orthogonal(net.W_hh, H, normal);
    else if (method === "xavier") xavier(net.W_hh, H, H, random);
    else for (let k = 0; k < net.W_hh.length; k++) net.W_hh[k] = 0.01 * normal();
  };

  // --- the loop (charrnn/train.py) ---------------------------------------------------------
  /** Step decay: lr * rate^(step // every), constant between the steps. */
  const learningRate = (step, cfg) => cfg.lr * cfg.lr_decay ** Math.floor(step / cfg.lr_decay_every);

  /** v <- mu v - lr g;  theta <- theta + v, in place. */
  const sgdMomentum = (net, grads, velocity, lr, momentum) => {
    for (const name of net.names) {
      const theta = net[name], g = grads[name], v = velocity[name];
      for (let k = 0; k < theta.length; k++) {
        v[k] = v[k] * momentum - lr * g[k];
        theta[k] += v[k];
      }
    }
  };

  /** Mean nats/char over the validation text, read as one sequence after its context. */
  const validationLoss = (net, data, ws) => {
    const { joined, contextLength: c, valLength: n } = data;
    let h = new Float64Array(net.H);
    if (c > 1) {
      rnn.forward(net, joined, 0, c - 1, h, ws);
      h = ws.hs.slice((c - 1) * net.H, c * net.H);
    }
    return rnn.forward(net, joined, c - 1, n, h, ws) / n;
  };

  /** A training run: `cfg` holds TrainConfig's fields, `data` is prepare()'s, and
   *  `weights` (optional) the initial parameters by name; else they are drawn from
   *  the seed. `options.wasm` false keeps to the JavaScript products (rnn.arena).
   *  step() trains one step and says what happened. */
  class Run {
    constructor(cfg, data, weights = null, options = {}) {
      this.cfg = { ...cfg };
      this.data = data;
      const V = data.vocab.length, H = cfg.hidden_size, valT = Math.max(data.contextLength, data.valLength);
      // the network, its gradients and velocities, and the two workspaces, in one arena
      const doubles = 3 * rnn.parameterCount(V, H) + rnn.workspaceSize(V, H, cfg.seq_len) + rnn.workspaceSize(V, H, valT);
      const arena = rnn.arena(doubles, { wasm: options.wasm !== false });
      this.net = rnn.network({ vocabSize: V, hiddenSize: H, activation: cfg.activation }, weights || {}, arena);
      if (!weights) initialise(this.net, cfg.init, cfg.seed);
      this.grads = rnn.zerosLike(this.net);
      this.velocity = rnn.zerosLike(this.net);
      this.ws = rnn.workspace(this.net, cfg.seq_len);
      this.valWs = rnn.workspace(this.net, valT);
      this.uniform = Math.log(V);   // what a uniform guess pays per character
      this.chunksPerPass = Math.max(0, Math.ceil((data.train.length - cfg.seq_len) / cfg.seq_len));
      if (!this.chunksPerPass || data.valLength < 2) throw new Error(`the corpus is too short for seq_len ${cfg.seq_len}`);
      this.h = new Float64Array(H);   // the state carried into the next chunk
      this.chunk = 0;
      this.step = 0;                  // steps done
      this.losses = [];               // per step, nats/char
      this.clipped = [];              // per step, 1 when the gradient was clipped
      this.diverged = null;           // { step, reason, message } once stopped
    }

    get finished() { return Boolean(this.diverged) || this.step >= this.cfg.steps; }

    /** Settings that may change between steps (the optimiser's): from the next step on. */
    update(settings) {
      for (const name of ["lr", "momentum", "lr_decay", "lr_decay_every", "clip", "freeze_whh", "steps", "stop_val"]) {
        if (name in settings) this.cfg[name] = settings[name];
      }
    }

    /** One step of train(): forward, the divergence check, backward, clipping, the
     *  update, validation at its interval, and the not-learning rule. Returns
     *  { step, loss, clipped, norm, lr, val } (val: the validation loss or null). */
    trainStep() {
      const { cfg, net, data, ws } = this, T = cfg.seq_len, step = this.step + 1;
      if (this.chunk === this.chunksPerPass) {   // a new pass over the corpus starts from zeros
        this.chunk = 0;
        this.h.fill(0);
      }
      const start = this.chunk * T;
      const loss = rnn.forward(net, data.train, start, T, this.h, ws) / T;
      // The state carried on is the chunk's last, computed before the update.
      this.h.set(ws.hs.subarray(T * net.H, (T + 1) * net.H));
      this.chunk += 1;
      if (!Number.isFinite(loss)) {   // nothing to learn from: stop before the update
        return this.stop(step, `the loss became ${pyFloat(loss)}`);
      }
      rnn.backward(net, data.train, start, T, ws, this.grads, cfg.freeze_whh);
      const clip = rnn.clipGradients(this.grads, cfg.clip);
      const lr = learningRate(step, cfg);
      this.step = step;
      this.losses.push(loss);
      this.clipped.push(clip.clipped ? 1 : 0);
      sgdMomentum(net, this.grads, this.velocity, lr, cfg.momentum);
      let val = null;
      if (step % cfg.val_every === 0 || step === cfg.steps) val = validationLoss(net, data, this.valWs);
      const record = { step, loss, clipped: clip.clipped, norm: clip.total, lr, val };
      const reason = this.notLearning(step);
      if (reason) this.stop(step, reason);
      return record;
    }

    /** train.not_learning: the mean loss of the last steps, far above a uniform guess's. */
    notLearning(step) {
      if (step % DIVERGENCE_WINDOW !== 0 && step !== this.cfg.steps) return null;
      const recent = this.losses.slice(Math.max(0, this.step - DIVERGENCE_WINDOW));
      const mean = recent.reduce((a, b) => a + b, 0) / recent.length;
      if (!(mean > FAR_ABOVE_UNIFORM * this.uniform)) return null;
      return `the mean loss of the last ${Math.min(step, DIVERGENCE_WINDOW)} steps, ${pyG(mean, 4)} ` +
        `nats/char, is over ${FAR_ABOVE_UNIFORM} times the ${this.uniform.toFixed(2)} of a uniform guess`;
    }

    stop(step, reason) {
      this.diverged = { step, reason, message: divergedMessage(step, reason, this.cfg) };
      return null;
    }

    /** The parameters by name (copies). */
    weights() {
      return Object.fromEntries(this.net.names.map((name) => [name, this.net[name].slice()]));
    }
  }

  /** A short sample of the network's writing after `prefix`, at temperature 1. */
  const sampleText = (net, vocab, prefix, length, seed) => {
    const index = new Map(vocab.map((ch, i) => [ch, i]));
    const indices = Array.from(prefix, (ch) => index.get(ch));
    return rnn.sample(net, indices, length, 1, seed).map((i) => vocab[i]).join("");
  };

  return {
    VAL_CONTEXT, DIVERGENCE_WINDOW, FAR_ABOVE_UNIFORM, INIT_METHODS, pyFloat, pyG, roundHalfEven,
    prepare, initialise, learningRate, validationLoss, sampleText, Run,
  };
});
