// The eigenvalues of a real square matrix, for the page's trainer: the spectral
// radius of W_hh and its eigenvalue plane, as charrnn/record.py takes them with
// np.linalg.eigvals. The classic route of Numerical Recipes (2nd ed., 11.5-11.6):
// balance the matrix, reduce it to upper Hessenberg form by elimination, then
// find the eigenvalues by the shifted QR algorithm. Indices are 1-based, as in the
// book, so that each line can be checked against it.
//
// Like rnn.js, the module is one function with no free variables, so the trainer's
// Web Worker can be built from its text.
(function install(factory) {
  const api = factory();
  api.factory = factory;
  self.charrnnEigen = api;
})(function charrnnEigen() {
  "use strict";
  const RADIX = 2;
  const sign = (a, b) => (b >= 0 ? Math.abs(a) : -Math.abs(a));

  /** Scale rows and columns by powers of two until their norms are alike: the
   *  eigenvalues do not change, and the rounding errors of what follows shrink. */
  const balance = (a, n) => {
    const sqrdx = RADIX * RADIX;
    let done = false;
    while (!done) {
      done = true;
      for (let i = 1; i <= n; i++) {
        let r = 0, c = 0;
        for (let j = 1; j <= n; j++) {
          if (j !== i) {
            c += Math.abs(a[j][i]);
            r += Math.abs(a[i][j]);
          }
        }
        if (c && r) {
          let g = r / RADIX, f = 1;
          const s = c + r;
          while (c < g) { f *= RADIX; c *= sqrdx; }
          g = r * RADIX;
          while (c > g) { f /= RADIX; c /= sqrdx; }
          if ((c + r) / f < 0.95 * s) {
            done = false;
            g = 1 / f;
            for (let j = 1; j <= n; j++) a[i][j] *= g;
            for (let j = 1; j <= n; j++) a[j][i] *= f;
          }
        }
      }
    }
  };

  /** Upper Hessenberg form by Gaussian elimination with pivoting (elmhes). */
  const hessenberg = (a, n) => {
    for (let m = 2; m < n; m++) {
      let x = 0, i = m;
      for (let j = m; j <= n; j++) {
        if (Math.abs(a[j][m - 1]) > Math.abs(x)) { x = a[j][m - 1]; i = j; }
      }
      if (i !== m) {
        for (let j = m - 1; j <= n; j++) [a[i][j], a[m][j]] = [a[m][j], a[i][j]];
        for (let j = 1; j <= n; j++) [a[j][i], a[j][m]] = [a[j][m], a[j][i]];
      }
      if (x) {
        for (i = m + 1; i <= n; i++) {
          let y = a[i][m - 1];
          if (y !== 0) {
            y /= x;
            a[i][m - 1] = y;
            for (let j = m; j <= n; j++) a[i][j] -= y * a[m][j];
            for (let j = 1; j <= n; j++) a[j][m] += y * a[j][i];
          }
        }
      }
    }
  };

  /** The eigenvalues of an upper Hessenberg matrix by the shifted QR algorithm (hqr);
   *  destroys `a`. Throws after 30 iterations on one eigenvalue without convergence. */
  const hqr = (a, n, wr, wi) => {
    let anorm = 0;
    for (let i = 1; i <= n; i++) for (let j = Math.max(i - 1, 1); j <= n; j++) anorm += Math.abs(a[i][j]);
    let nn = n, t = 0;
    let p = 0, q = 0, r = 0, s = 0, w = 0, x = 0, y = 0, z = 0;
    while (nn >= 1) {
      let its = 0, l;
      do {
        for (l = nn; l >= 2; l--) {
          s = Math.abs(a[l - 1][l - 1]) + Math.abs(a[l][l]);
          if (s === 0) s = anorm;
          if (Math.abs(a[l][l - 1]) + s === s) {
            a[l][l - 1] = 0;
            break;
          }
        }
        x = a[nn][nn];
        if (l === nn) {                       // one root found
          wr[nn] = x + t;
          wi[nn--] = 0;
        } else {
          y = a[nn - 1][nn - 1];
          w = a[nn][nn - 1] * a[nn - 1][nn];
          if (l === nn - 1) {                 // two roots found
            p = 0.5 * (y - x);
            q = p * p + w;
            z = Math.sqrt(Math.abs(q));
            x += t;
            if (q >= 0) {                     // a real pair
              z = p + sign(z, p);
              wr[nn - 1] = wr[nn] = x + z;
              if (z) wr[nn] = x - w / z;
              wi[nn - 1] = wi[nn] = 0;
            } else {                          // a complex pair
              wr[nn - 1] = wr[nn] = x + p;
              wi[nn - 1] = -(wi[nn] = z);
            }
            nn -= 2;
          } else {                            // no roots yet: another QR step
            if (its === 30) throw new Error("the eigenvalues did not converge");
            if (its === 10 || its === 20) {   // an exceptional shift
              t += x;
              for (let i = 1; i <= nn; i++) a[i][i] -= x;
              s = Math.abs(a[nn][nn - 1]) + Math.abs(a[nn - 1][nn - 2]);
              y = x = 0.75 * s;
              w = -0.4375 * s * s;
            }
            ++its;
            let m;
            for (m = nn - 2; m >= l; m--) {   // two small subdiagonal elements in a row
              z = a[m][m];
              r = x - z;
              s = y - z;
              p = (r * s - w) / a[m + 1][m] + a[m][m + 1];
              q = a[m + 1][m + 1] - z - r - s;
              r = a[m + 2][m + 1];
              s = Math.abs(p) + Math.abs(q) + Math.abs(r);
              p /= s;
              q /= s;
              r /= s;
              if (m === l) break;
              const u = Math.abs(a[m][m - 1]) * (Math.abs(q) + Math.abs(r));
              const v = Math.abs(p) * (Math.abs(a[m - 1][m - 1]) + Math.abs(z) + Math.abs(a[m + 1][m + 1]));
              if (u + v === v) break;
            }
            for (let i = m + 2; i <= nn; i++) {
              a[i][i - 2] = 0;
              if (i !== m + 2) a[i][i - 3] = 0;
            }
            for (let k = m; k <= nn - 1; k++) {   // the double QR step on rows l..nn, columns m..nn
              if (k !== m) {
                p = a[k][k - 1];
                q = a[k + 1][k - 1];
                r = 0;
                if (k !== nn - 1) r = a[k + 2][k - 1];
                if ((x = Math.abs(p) + Math.abs(q) + Math.abs(r)) !== 0) {
                  p /= x;
                  q /= x;
                  r /= x;
                }
              }
              if ((s = sign(Math.sqrt(p * p + q * q + r * r), p)) !== 0) {
                if (k === m) {
                  if (l !== m) a[k][k - 1] = -a[k][k - 1];
                } else {
                  a[k][k - 1] = -s * x;
                }
                p += s;
                x = p / s;
                y = q / s;
                z = r / s;
                q /= p;
                r /= p;
                for (let j = k; j <= nn; j++) {
                  p = a[k][j] + q * a[k + 1][j];
                  if (k !== nn - 1) {
                    p += r * a[k + 2][j];
                    a[k + 2][j] -= p * z;
                  }
                  a[k + 1][j] -= p * y;
                  a[k][j] -= p * x;
                }
                const mmin = nn < k + 3 ? nn : k + 3;
                for (let i = l; i <= mmin; i++) {
                  p = x * a[i][k] + y * a[i][k + 1];
                  if (k !== nn - 1) {
                    p += z * a[i][k + 2];
                    a[i][k + 2] -= p * r;
                  }
                  a[i][k + 1] -= p * q;
                  a[i][k] -= p;
                }
              }
            }
          }
        }
      } while (l < nn - 1);
    }
  };

  /** The eigenvalues of the n×n matrix held row-major in `values` (left untouched):
   *  { re, im } (Float64Arrays), largest modulus first, and the spectral radius. */
  const eigenvalues = (values, n) => {
    const a = [new Float64Array(n + 1)];
    for (let i = 0; i < n; i++) {
      const row = new Float64Array(n + 1);
      row.set(values.subarray(i * n, (i + 1) * n), 1);
      a.push(row);
    }
    const wr = new Float64Array(n + 1), wi = new Float64Array(n + 1);
    balance(a, n);
    hessenberg(a, n);
    hqr(a, n, wr, wi);
    const order = Array.from({ length: n }, (_, k) => k + 1)
      .sort((i, j) => Math.hypot(wr[j], wi[j]) - Math.hypot(wr[i], wi[i]));
    const re = Float64Array.from(order, (k) => wr[k]), im = Float64Array.from(order, (k) => wi[k]);
    return { re, im, radius: n ? Math.hypot(re[0], im[0]) : 0 };
  };

  return { eigenvalues };
});
