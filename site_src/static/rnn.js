// The network's arithmetic, written once for every script that runs it: CharRNN
// of charrnn/model.py (step, forward, backward, clip_gradients) and the sampling of
// charrnn/sample.py, in float64, on flat row-major Float64Arrays. livemodel.js
// runs step() on the trained weights; trainer.js runs forward() and backward() in
// a Web Worker to train new ones. The browser tests hold both to NumPy.
//
// The module is one function with no free variables, so that a Web Worker can be
// built from its own text: a page opened from file:// may not start a worker from
// a script's URL, but it may from a Blob (trainworker.js builds one from
// charrnnRnn.factory). Call sites pass everything in; nothing here touches the page.
// Its one argument is kernels.js's WebAssembly, as base64 (see arena below).
(function install(factory) {
  const api = factory(self.charrnnKernels || "");
  api.factory = factory;
  self.charrnnRnn = api;
})(function charrnnRnn(kernelsBase64) {
  "use strict";

  // --- activations --------------------------------------------------------------
  // As in model.py, each derivative is written in terms of the activation's output
  // h = f(a), which the forward pass has stored. A code, not a function, is kept in
  // the network, so the hot loops below make no call they cannot inline.
  const ACTIVATIONS = ["tanh", "relu", "sigmoid"];
  const TANH = 0, RELU = 1;
  const activate = (code, a) => (code === TANH ? Math.tanh(a)
    : code === RELU ? Math.max(a, 0)
      : 0.5 * (1 + Math.tanh(0.5 * a)));   // sigmoid, as model.py writes it: no overflow in exp
  const slope = (code, h) => (code === TANH ? 1 - h * h : code === RELU ? (h > 0 ? 1 : 0) : h * (1 - h));

  // --- the parameters ---------------------------------------------------------------
  /** The parameters' names in model.py's order (named_parameters), the embedding first. */
  const paramNames = (embeddingDim) =>
    (embeddingDim ? ["embedding"] : []).concat(["W_xh", "W_hh", "W_hy", "b_h", "b_y"]);

  /** Each parameter's shape, as the run format records it. */
  const shapes = (V, H, E = 0) => {
    const s = { W_xh: [H, E || V], W_hh: [H, H], W_hy: [V, H], b_h: [H], b_y: [V] };
    return E ? { embedding: [V, E], ...s } : s;
  };

  /** A parameter given as nested lists (JSON) or any array, as a flat Float64Array. */
  const flat = (value) => (value instanceof Float64Array ? value
    : Float64Array.from(Array.isArray(value) && Array.isArray(value[0]) ? value.flat() : value));

  /** How many numbers the parameters hold. */
  const parameterCount = (V, H, E = 0) =>
    Object.values(shapes(V, H, E)).reduce((total, shape) => total + shape.reduce((a, b) => a * b, 1), 0);

  /** A network: its sizes, its activation's code and its parameters (each flat, row-major),
   *  copied into `arena` (below). `params` maps names to nested lists or flat arrays;
   *  missing ones start at zero. */
  const network = ({ vocabSize: V, hiddenSize: H, embeddingDim: E = 0, activation = "tanh" }, params = {},
                   arena = plainArena) => {
    const act = ACTIVATIONS.indexOf(activation);
    if (act < 0) throw new Error(`unknown activation ${activation}; choose one of ${ACTIVATIONS.join(", ")}`);
    const net = { V, H, E, D: E || V, act, activation, names: paramNames(E), shapes: shapes(V, H, E), arena };
    for (const name of net.names) {
      const size = net.shapes[name].reduce((a, b) => a * b, 1);
      net[name] = arena.alloc(size);
      if (params[name] === undefined) continue;
      const given = flat(params[name]);
      if (given.length !== size) throw new Error(`${name} holds ${given.length} numbers, not ${size}`);
      net[name].set(given);
    }
    return net;
  };

  /** Zeroed arrays shaped like the network's parameters (gradients, velocities). */
  const zerosLike = (net) => Object.fromEntries(net.names.map((name) => [name, net.arena.alloc(net[name].length)]));

  // --- one step, for sampling (CharRNN.step) ----------------------------------------------
  /** Read one character (its index) from state h; returns [new state, next-character
   *  probabilities], both new Float64Arrays. Takes an embedding when the network has one. */
  const step = (net, index, h) => {
    const { V, H, E, D, act, W_xh, W_hh, W_hy, b_h, b_y } = net;
    const next = new Float64Array(H);
    for (let r = 0; r < H; r++) {
      let drive = 0;
      if (E) {
        for (let e = 0; e < E; e++) drive += W_xh[r * D + e] * net.embedding[index * E + e];
      } else {
        drive = W_xh[r * D + index];   // W_xh times a one-hot vector is one column
      }
      let recur = 0;
      for (let j = 0; j < H; j++) recur += W_hh[r * H + j] * h[j];
      next[r] = activate(act, drive + recur + b_h[r]);
    }
    const logits = new Float64Array(V);
    for (let k = 0; k < V; k++) {
      let y = 0;
      for (let j = 0; j < H; j++) y += W_hy[k * H + j] * next[j];
      logits[k] = y + b_y[k];
    }
    return [next, softmax(logits)];
  };

  /** softmax of model.py: subtract the maximum, so exp never overflows. */
  const softmax = (logits) => {
    let max = -Infinity;
    for (const y of logits) if (y > max) max = y;
    const z = logits.map((y) => Math.exp(y - max));
    let total = 0;
    for (const v of z) total += v;
    return z.map((v) => v / total);
  };

  // --- the three products the passes are made of ----------------------------------------
  // Each takes four rows (or four time steps) at once: one load of the shared vector
  // then serves four multiply-adds, which roughly halves the time of the plain loop.
  // kernels.wat holds the same three in WebAssembly, two numbers per instruction;
  // these are the reference, and what runs where WebAssembly cannot.

  /** out[o + r] = sum_j W[r, j] x[xo + j] for the `rows` × `cols` matrix W. */
  const matVec = (W, rows, cols, x, xo, out, o) => {
    let r = 0;
    for (; r + 4 <= rows; r += 4) {
      const a = r * cols, b = a + cols, c = b + cols, d = c + cols;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let j = 0; j < cols; j++) {
        const v = x[xo + j];
        s0 += W[a + j] * v;
        s1 += W[b + j] * v;
        s2 += W[c + j] * v;
        s3 += W[d + j] * v;
      }
      out[o + r] = s0;
      out[o + r + 1] = s1;
      out[o + r + 2] = s2;
      out[o + r + 3] = s3;
    }
    for (; r < rows; r++) {
      let s = 0;
      for (let j = 0; j < cols; j++) s += W[r * cols + j] * x[xo + j];
      out[o + r] = s;
    }
  };

  /** out[o + j] += sum_r g[go + r] W[r, j]: the transpose of W times g, added on. */
  const addTransposedMatVec = (W, rows, cols, g, go, out, o) => {
    let r = 0;
    for (; r + 4 <= rows; r += 4) {
      const a = r * cols, b = a + cols, c = b + cols, d = c + cols;
      const g0 = g[go + r], g1 = g[go + r + 1], g2 = g[go + r + 2], g3 = g[go + r + 3];
      for (let j = 0; j < cols; j++) out[o + j] += g0 * W[a + j] + g1 * W[b + j] + g2 * W[c + j] + g3 * W[d + j];
    }
    for (; r < rows; r++) {
      const a = r * cols, g0 = g[go + r];
      for (let j = 0; j < cols; j++) out[o + j] += g0 * W[a + j];
    }
  };

  /** G[r, j] += sum_t A[ao + t*rows + r] B[bo + t*cols + j] over t < T: the sum over
   *  time of the outer products that every weight gradient is. */
  const addOuterProducts = (G, rows, cols, A, ao, B, bo, T) => {
    let t = 0;
    for (; t + 4 <= T; t += 4) {
      const a = ao + t * rows, b = bo + t * cols;
      for (let r = 0; r < rows; r++) {
        const g0 = A[a + r], g1 = A[a + rows + r], g2 = A[a + 2 * rows + r], g3 = A[a + 3 * rows + r];
        const row = r * cols;
        for (let j = 0; j < cols; j++) {
          G[row + j] += g0 * B[b + j] + g1 * B[b + cols + j] + g2 * B[b + 2 * cols + j] + g3 * B[b + 3 * cols + j];
        }
      }
    }
    for (; t < T; t++) {
      const a = ao + t * rows, b = bo + t * cols;
      for (let r = 0; r < rows; r++) {
        const g0 = A[a + r], row = r * cols;
        for (let j = 0; j < cols; j++) G[row + j] += g0 * B[b + j];
      }
    }
  };

  // --- where the numbers live -------------------------------------------------------------
  // An arena hands out the Float64Arrays a network computes on, and the products that
  // work on them. The plain one uses ordinary arrays and the JavaScript products. The
  // WebAssembly one carves the arrays out of one WebAssembly memory, so the kernels
  // read the network's own numbers where they lie: no copy in or out. Its size is
  // fixed when it is made, because growing a memory would detach every array in it.
  const plainArena = {
    name: "JavaScript", alloc: (n) => new Float64Array(n),
    kernels: { matVec, addTransposedMatVec, addOuterProducts },
  };

  let compiled;   // the kernels' WebAssembly.Module, compiled once; null if it cannot be
  const kernelModule = () => {
    if (compiled !== undefined) return compiled;
    compiled = null;
    try {
      if (kernelsBase64 && typeof WebAssembly === "object") {
        const bytes = Uint8Array.from(atob(kernelsBase64), (c) => c.charCodeAt(0));
        compiled = new WebAssembly.Module(bytes);   // throws where SIMD is not supported
      }
    } catch {
      compiled = null;
    }
    return compiled;
  };

  /** An arena of `doubles` numbers in WebAssembly memory, or null when this browser
   *  cannot run the kernels. */
  const wasmArena = (doubles) => {
    const module = kernelModule();
    if (!module) return null;
    const pages = Math.max(1, Math.ceil((8 * doubles) / 65536));
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    const k = new WebAssembly.Instance(module, { env: { memory } }).exports;
    const { buffer } = memory;
    let used = 0;
    const alloc = (n) => {
      if (used + n > doubles) throw new Error(`the arena holds ${doubles} numbers; ${used + n} were asked for`);
      const array = new Float64Array(buffer, 8 * used, n);
      used += n;
      return array;
    };
    // A byte address in the memory; an array from elsewhere would be read as garbage.
    const at = (array, offset = 0) => {
      if (array.buffer !== buffer) throw new Error("a kernel was given an array from outside its arena");
      return array.byteOffset + 8 * offset;
    };
    const kernels = {
      matVec: (W, rows, cols, x, xo, out, o) => k.matVec(at(W), rows, cols, at(x, xo), at(out, o)),
      addTransposedMatVec: (W, rows, cols, g, go, out, o) =>
        k.addTransposedMatVec(at(W), rows, cols, at(g, go), at(out, o)),
      addOuterProducts: (G, rows, cols, A, ao, B, bo, T) =>
        k.addOuterProducts(at(G), rows, cols, at(A, ao), at(B, bo), T),
    };
    return { name: "WebAssembly", alloc, kernels };
  };

  /** Room for `doubles` numbers: in WebAssembly memory when the browser can run the
   *  kernels and `wasm` is not false, else in plain arrays. */
  const arena = (doubles, { wasm = true } = {}) => (wasm && wasmArena(doubles)) || plainArena;

  // --- forward and backward over a chunk (CharRNN.forward, CharRNN.backward) -------------
  /** How many numbers workspace() takes from the arena. */
  const workspaceSize = (V, H, T) => (T + 1) * H + T * V + 2 * T * H;

  /** Room for a chunk of up to `T` positions: the hidden states, the predicted
   *  distributions and the backward pass's per-position factors. */
  const workspace = (net, T) => ({
    T, hs: net.arena.alloc((T + 1) * net.H), probs: net.arena.alloc(T * net.V),
    dh: net.arena.alloc(T * net.H), da: net.arena.alloc(T * net.H),
  });

  /** The forward pass over positions start..start+T-1 of `data` (character indices;
   *  the target of each is the next one), from hidden state h0, for a network with
   *  one-hot input. Fills ws.hs (hs[0] = h0) and ws.probs; returns the summed
   *  cross-entropy in nats. */
  const forward = (net, data, start, T, h0, ws) => {
    const { V, H, act, W_xh, W_hh, W_hy, b_h, b_y } = net;
    const { matVec } = net.arena.kernels;
    const { hs, probs } = ws;
    hs.set(h0.subarray(0, H), 0);
    // Only the recurrence is sequential: h_t needs h_{t-1}.
    for (let t = 0; t < T; t++) {
      const x = data[start + t], cur = (t + 1) * H;
      matVec(W_hh, H, H, hs, t * H, hs, cur);
      // drive = W_xh x + b_h, where W_xh times a one-hot x is one column
      for (let r = 0; r < H; r++) hs[cur + r] = activate(act, W_xh[r * V + x] + b_h[r] + hs[cur + r]);
    }
    // The output layer, and log_softmax as model.py writes it: shift by the maximum,
    // then subtract the log of the sum; probs = exp(log p).
    let loss = 0;
    for (let t = 0; t < T; t++) {
      const out = t * V;
      matVec(W_hy, V, H, hs, (t + 1) * H, probs, out);
      let max = -Infinity;
      for (let k = 0; k < V; k++) {
        const y = (probs[out + k] += b_y[k]);
        if (y > max) max = y;
      }
      let total = 0;
      for (let k = 0; k < V; k++) total += Math.exp(probs[out + k] - max);
      const lse = Math.log(total);
      loss -= probs[out + data[start + t + 1]] - max - lse;   // the target's log p, before it turns into p
      for (let k = 0; k < V; k++) probs[out + k] = Math.exp(probs[out + k] - max - lse);
    }
    return loss;
  };

  /** Gradients of the summed loss of the last forward() over the same positions,
   *  into `grads` (arrays shaped like the parameters, overwritten). W_hh's stays zero
   *  when it is frozen. The softmax-cross-entropy gradient p - onehot(y) is written
   *  over ws.probs: call it once per forward. */
  const backward = (net, data, start, T, ws, grads, freezeWhh = false) => {
    const { V, H, act, W_hh, W_hy } = net;
    const { addTransposedMatVec, addOuterProducts } = net.arena.kernels;
    const { hs, probs: dy, dh, da } = ws;
    for (const name of net.names) grads[name].fill(0);
    const { W_xh: gxh, W_hh: ghh, W_hy: ghy, b_h: gbh, b_y: gby } = grads;
    // dlogits = p - onehot(target); dh[t] starts as what h_t receives from its output.
    dh.fill(0, 0, T * H);
    for (let t = 0; t < T; t++) {
      dy[t * V + data[start + t + 1]] -= 1;
      addTransposedMatVec(W_hy, V, H, dy, t * V, dh, t * H);
    }
    // Back through time: through the activation, then through W_hh into h_{t-1},
    // whose gradient is complete once the loop reaches it.
    for (let t = T - 1; t >= 0; t--) {
      const d = t * H, h = d + H;
      for (let r = 0; r < H; r++) da[d + r] = dh[d + r] * slope(act, hs[h + r]);
      if (t > 0) addTransposedMatVec(W_hh, H, H, da, d, dh, d - H);
    }
    // Each weight gradient is a sum over time of outer products; with one-hot
    // inputs, W_xh's picks one column per position.
    if (!freezeWhh) addOuterProducts(ghh, H, H, da, 0, hs, 0, T);
    addOuterProducts(ghy, V, H, dy, 0, hs, H, T);
    for (let t = 0; t < T; t++) {
      const d = t * H, out = t * V, x = data[start + t];
      for (let r = 0; r < H; r++) {
        gxh[r * V + x] += da[d + r];
        gbh[r] += da[d + r];
      }
      for (let k = 0; k < V; k++) gby[k] += dy[out + k];
    }
  };

  /** Global-norm clipping, in place (clip_gradients): when the norm of all the
   *  gradients taken as one vector exceeds maxNorm, scale them all by one factor.
   *  maxNorm <= 0 disables it. Returns { total, clipped, ratio, norms }. */
  const clipGradients = (grads, maxNorm) => {
    const norms = {};
    let squares = 0;
    for (const [name, g] of Object.entries(grads)) {
      let s = 0;
      for (let k = 0; k < g.length; k++) s += g[k] * g[k];
      norms[name] = Math.sqrt(s);
      squares += norms[name] * norms[name];
    }
    const total = Math.sqrt(squares);
    const clipped = maxNorm > 0 && total > maxNorm;
    const ratio = clipped ? maxNorm / total : 1;
    if (clipped) for (const g of Object.values(grads)) for (let k = 0; k < g.length; k++) g[k] *= ratio;
    return { total, clipped, ratio, norms };
  };

  // --- sampling (charrnn/sample.py) -------------------------------------------------------
  /** mulberry32: a small seeded generator of uniform numbers in [0, 1). */
  const generator = (seed) => {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  };

  /** Read `indices` from a zero state: [h, probs] after the last one (warm_up). */
  const warmUp = (net, indices) => {
    if (!indices.length) throw new Error("the seed text must contain at least one character");
    let h = new Float64Array(net.H), probs = null;
    for (const i of indices) [h, probs] = step(net, i, h);
    return [h, probs];
  };

  /** The distribution sharpened (temperature < 1) or flattened (> 1), from log p. */
  const withTemperature = (probs, temperature) => {
    const logp = Array.from(probs, (p) => Math.log(Math.max(p, 1e-300)) / temperature);
    const max = Math.max(...logp);
    const p = logp.map((l) => Math.exp(l - max));
    let total = 0;
    for (const v of p) total += v;
    return p.map((v) => v / total);
  };

  /** `length` character indices drawn after the prefix's indices, at `temperature`,
   *  from a generator seeded with `seed`. */
  const sample = (net, indices, length, temperature, seed) => {
    if (!(temperature > 0)) throw new Error(`temperature must be > 0, got ${temperature}`);
    const random = generator(seed);
    let [h, probs] = warmUp(net, indices);
    const out = [];
    for (let n = 0; n < length; n++) {
      const p = withTemperature(probs, temperature);
      const u = random();
      let index = net.V - 1, cumulative = 0;
      for (let k = 0; k < net.V; k++) {
        cumulative += p[k];
        if (u < cumulative) { index = k; break; }
      }
      out.push(index);
      [h, probs] = step(net, index, h);
    }
    return out;
  };

  return {
    ACTIVATIONS, paramNames, shapes, parameterCount, network, zerosLike, step, softmax, arena,
    workspaceSize, workspace, forward, backward, clipGradients, generator, warmUp, withTemperature, sample,
  };
});
