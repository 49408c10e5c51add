;; The three products the forward and backward passes are made of (rnn.js), in
;; WebAssembly with two-lane float64 SIMD: the page's trainer spends three
;; quarters of its time in them, and scalar JavaScript cannot keep up with NumPy.
;; Each is the JavaScript kernel of the same name in rnn.js, which stays as the
;; reference and the fallback; tests/test_kernels.py holds both to NumPy.
;;
;; Matrices are float64, row-major, in the memory the page hands in. Every
;; pointer is a byte address. A row is read two numbers at a time, so within a
;; sum the terms are added in a different order than NumPy's: the results agree
;; to rounding, not bit for bit, as NumPy's own BLAS agrees with itself.
;;
;; scripts/build_kernels.py compiles this file into kernels.js.
(module
  (import "env" "memory" (memory 1))

  ;; The loops are written out in full. A small helper function (a load, a
  ;; multiply-add) called inside them made the kernels slower than the JavaScript
  ;; they replace: not every engine inlines a WebAssembly call.
  ;; Each multiply-add is a multiply then an add, both rounded: no fused form.

  ;; out[r] = sum_j W[r, j] x[j] for the rows x cols matrix W.
  ;; Four rows at a time: one load of x serves four multiply-adds.
  (func (export "matVec")
    (param $W i32) (param $rows i32) (param $cols i32) (param $x i32) (param $out i32)
    (local $stride i32) (local $even i32) (local $r i32) (local $k i32)
    (local $a i32) (local $b i32) (local $c i32) (local $d i32)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128) (local $v v128)
    (local $t0 f64) (local $t1 f64) (local $t2 f64) (local $t3 f64) (local $xv f64)
    (local.set $stride (i32.shl (local.get $cols) (i32.const 3)))
    (local.set $even (i32.shl (i32.and (local.get $cols) (i32.const -2)) (i32.const 3)))
    (block $done4
      (loop $rows4
        (br_if $done4 (i32.gt_u (i32.add (local.get $r) (i32.const 4)) (local.get $rows)))
        (local.set $a (i32.add (local.get $W) (i32.mul (local.get $r) (local.get $stride))))
        (local.set $b (i32.add (local.get $a) (local.get $stride)))
        (local.set $c (i32.add (local.get $b) (local.get $stride)))
        (local.set $d (i32.add (local.get $c) (local.get $stride)))
        (local.set $s0 (v128.const f64x2 0 0))
        (local.set $s1 (v128.const f64x2 0 0))
        (local.set $s2 (v128.const f64x2 0 0))
        (local.set $s3 (v128.const f64x2 0 0))
        (local.set $k (i32.const 0))
        (block $pairs_done
          (loop $pairs
            (br_if $pairs_done (i32.ge_u (local.get $k) (local.get $even)))
            (local.set $v (v128.load align=8 (i32.add (local.get $x) (local.get $k))))
            (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (v128.load align=8 (i32.add (local.get $a) (local.get $k))) (local.get $v))))
            (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (v128.load align=8 (i32.add (local.get $b) (local.get $k))) (local.get $v))))
            (local.set $s2 (f64x2.add (local.get $s2) (f64x2.mul (v128.load align=8 (i32.add (local.get $c) (local.get $k))) (local.get $v))))
            (local.set $s3 (f64x2.add (local.get $s3) (f64x2.mul (v128.load align=8 (i32.add (local.get $d) (local.get $k))) (local.get $v))))
            (local.set $k (i32.add (local.get $k) (i32.const 16)))
            (br $pairs)))
        (local.set $t0 (f64.add (f64x2.extract_lane 0 (local.get $s0)) (f64x2.extract_lane 1 (local.get $s0))))
        (local.set $t1 (f64.add (f64x2.extract_lane 0 (local.get $s1)) (f64x2.extract_lane 1 (local.get $s1))))
        (local.set $t2 (f64.add (f64x2.extract_lane 0 (local.get $s2)) (f64x2.extract_lane 1 (local.get $s2))))
        (local.set $t3 (f64.add (f64x2.extract_lane 0 (local.get $s3)) (f64x2.extract_lane 1 (local.get $s3))))
        (if (i32.lt_u (local.get $k) (local.get $stride))   ;; an odd number of columns
          (then
            (local.set $xv (f64.load (i32.add (local.get $x) (local.get $k))))
            (local.set $t0 (f64.add (local.get $t0) (f64.mul (f64.load (i32.add (local.get $a) (local.get $k))) (local.get $xv))))
            (local.set $t1 (f64.add (local.get $t1) (f64.mul (f64.load (i32.add (local.get $b) (local.get $k))) (local.get $xv))))
            (local.set $t2 (f64.add (local.get $t2) (f64.mul (f64.load (i32.add (local.get $c) (local.get $k))) (local.get $xv))))
            (local.set $t3 (f64.add (local.get $t3) (f64.mul (f64.load (i32.add (local.get $d) (local.get $k))) (local.get $xv))))))
        (local.set $a (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 3))))
        (f64.store offset=0 (local.get $a) (local.get $t0))
        (f64.store offset=8 (local.get $a) (local.get $t1))
        (f64.store offset=16 (local.get $a) (local.get $t2))
        (f64.store offset=24 (local.get $a) (local.get $t3))
        (local.set $r (i32.add (local.get $r) (i32.const 4)))
        (br $rows4)))
    ;; the last rows, one at a time
    (block $done
      (loop $rows1
        (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $a (i32.add (local.get $W) (i32.mul (local.get $r) (local.get $stride))))
        (local.set $s0 (v128.const f64x2 0 0))
        (local.set $k (i32.const 0))
        (block $pairs_done
          (loop $pairs
            (br_if $pairs_done (i32.ge_u (local.get $k) (local.get $even)))
            (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (v128.load align=8 (i32.add (local.get $a) (local.get $k))) (v128.load align=8 (i32.add (local.get $x) (local.get $k))))))
            (local.set $k (i32.add (local.get $k) (i32.const 16)))
            (br $pairs)))
        (local.set $t0 (f64.add (f64x2.extract_lane 0 (local.get $s0)) (f64x2.extract_lane 1 (local.get $s0))))
        (if (i32.lt_u (local.get $k) (local.get $stride))
          (then
            (local.set $t0 (f64.add (local.get $t0) (f64.mul (f64.load (i32.add (local.get $a) (local.get $k)))
                                                             (f64.load (i32.add (local.get $x) (local.get $k))))))))
        (f64.store (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 3))) (local.get $t0))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows1))))

  ;; out[j] += sum_r g[r] W[r, j]: the transpose of W times g, added on.
  ;; Four rows of W at a time, two columns per instruction.
  (func (export "addTransposedMatVec")
    (param $W i32) (param $rows i32) (param $cols i32) (param $g i32) (param $out i32)
    (local $stride i32) (local $even i32) (local $r i32) (local $k i32) (local $o i32)
    (local $a i32) (local $b i32) (local $c i32) (local $d i32)
    (local $g0 v128) (local $g1 v128) (local $g2 v128) (local $g3 v128) (local $s v128)
    (local.set $stride (i32.shl (local.get $cols) (i32.const 3)))
    (local.set $even (i32.shl (i32.and (local.get $cols) (i32.const -2)) (i32.const 3)))
    (block $done4
      (loop $rows4
        (br_if $done4 (i32.gt_u (i32.add (local.get $r) (i32.const 4)) (local.get $rows)))
        (local.set $a (i32.add (local.get $W) (i32.mul (local.get $r) (local.get $stride))))
        (local.set $b (i32.add (local.get $a) (local.get $stride)))
        (local.set $c (i32.add (local.get $b) (local.get $stride)))
        (local.set $d (i32.add (local.get $c) (local.get $stride)))
        (local.set $o (i32.add (local.get $g) (i32.shl (local.get $r) (i32.const 3))))
        (local.set $g0 (f64x2.splat (f64.load (local.get $o))))
        (local.set $g1 (f64x2.splat (f64.load (i32.add (local.get $o) (i32.const 8)))))
        (local.set $g2 (f64x2.splat (f64.load (i32.add (local.get $o) (i32.const 16)))))
        (local.set $g3 (f64x2.splat (f64.load (i32.add (local.get $o) (i32.const 24)))))
        (local.set $k (i32.const 0))
        (block $pairs_done
          (loop $pairs
            (br_if $pairs_done (i32.ge_u (local.get $k) (local.get $even)))
            (local.set $s (f64x2.mul (local.get $g0) (v128.load align=8 (i32.add (local.get $a) (local.get $k)))))
            (local.set $s (f64x2.add (local.get $s) (f64x2.mul (local.get $g1) (v128.load align=8 (i32.add (local.get $b) (local.get $k))))))
            (local.set $s (f64x2.add (local.get $s) (f64x2.mul (local.get $g2) (v128.load align=8 (i32.add (local.get $c) (local.get $k))))))
            (local.set $s (f64x2.add (local.get $s) (f64x2.mul (local.get $g3) (v128.load align=8 (i32.add (local.get $d) (local.get $k))))))
            (local.set $o (i32.add (local.get $out) (local.get $k)))
            (v128.store align=8 (local.get $o) (f64x2.add (v128.load align=8 (local.get $o)) (local.get $s)))
            (local.set $k (i32.add (local.get $k) (i32.const 16)))
            (br $pairs)))
        (if (i32.lt_u (local.get $k) (local.get $stride))   ;; an odd number of columns
          (then
            (local.set $s (f64x2.mul (local.get $g0) (f64x2.splat (f64.load (i32.add (local.get $a) (local.get $k))))))
            (local.set $s (f64x2.add (local.get $s) (f64x2.mul (local.get $g1) (f64x2.splat (f64.load (i32.add (local.get $b) (local.get $k)))))))
            (local.set $s (f64x2.add (local.get $s) (f64x2.mul (local.get $g2) (f64x2.splat (f64.load (i32.add (local.get $c) (local.get $k)))))))
            (local.set $s (f64x2.add (local.get $s) (f64x2.mul (local.get $g3) (f64x2.splat (f64.load (i32.add (local.get $d) (local.get $k)))))))
            (local.set $o (i32.add (local.get $out) (local.get $k)))
            (f64.store (local.get $o) (f64.add (f64.load (local.get $o)) (f64x2.extract_lane 0 (local.get $s))))))
        (local.set $r (i32.add (local.get $r) (i32.const 4)))
        (br $rows4)))
    (block $done
      (loop $rows1
        (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $a (i32.add (local.get $W) (i32.mul (local.get $r) (local.get $stride))))
        (local.set $g0 (f64x2.splat (f64.load (i32.add (local.get $g) (i32.shl (local.get $r) (i32.const 3))))))
        (local.set $k (i32.const 0))
        (block $pairs_done
          (loop $pairs
            (br_if $pairs_done (i32.ge_u (local.get $k) (local.get $even)))
            (local.set $o (i32.add (local.get $out) (local.get $k)))
            (v128.store align=8 (local.get $o)
              (f64x2.add (v128.load align=8 (local.get $o)) (f64x2.mul (local.get $g0) (v128.load align=8 (i32.add (local.get $a) (local.get $k))))))
            (local.set $k (i32.add (local.get $k) (i32.const 16)))
            (br $pairs)))
        (if (i32.lt_u (local.get $k) (local.get $stride))
          (then
            (local.set $o (i32.add (local.get $out) (local.get $k)))
            (f64.store (local.get $o)
              (f64.add (f64.load (local.get $o))
                       (f64.mul (f64x2.extract_lane 0 (local.get $g0)) (f64.load (i32.add (local.get $a) (local.get $k))))))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows1))))

  ;; G[r, j] += sum_t A[t, r] B[t, j] over t < T, for A of T x rows and B of T x cols:
  ;; the sum over time of the outer products that every weight gradient is.
  ;; Four time steps at a time, so each row of G is loaded and stored once per four.
  (func (export "addOuterProducts")
    (param $G i32) (param $rows i32) (param $cols i32) (param $A i32) (param $B i32) (param $T i32)
    (local $stride i32) (local $even i32) (local $t i32) (local $r i32) (local $k i32) (local $o i32)
    (local $a i32) (local $arow i32) (local $b0 i32) (local $b1 i32) (local $b2 i32) (local $b3 i32)
    (local $g0 v128) (local $g1 v128) (local $g2 v128) (local $g3 v128) (local $s v128)
    (local.set $stride (i32.shl (local.get $cols) (i32.const 3)))
    (local.set $even (i32.shl (i32.and (local.get $cols) (i32.const -2)) (i32.const 3)))
    (local.set $arow (i32.shl (local.get $rows) (i32.const 3)))
    (block $done4
      (loop $times4
        (br_if $done4 (i32.gt_u (i32.add (local.get $t) (i32.const 4)) (local.get $T)))
        (local.set $a (i32.add (local.get $A) (i32.mul (local.get $t) (local.get $arow))))
        (local.set $b0 (i32.add (local.get $B) (i32.mul (local.get $t) (local.get $stride))))
        (local.set $b1 (i32.add (local.get $b0) (local.get $stride)))
        (local.set $b2 (i32.add (local.get $b1) (local.get $stride)))
        (local.set $b3 (i32.add (local.get $b2) (local.get $stride)))
        (local.set $r (i32.const 0))
        (block $rows_done
          (loop $rows
            (br_if $rows_done (i32.ge_u (local.get $r) (local.get $rows)))
            (local.set $o (i32.add (local.get $a) (i32.shl (local.get $r) (i32.const 3))))
            (local.set $g0 (f64x2.splat (f64.load (local.get $o))))
            (local.set $g1 (f64x2.splat (f64.load (i32.add (local.get $o) (local.get $arow)))))
            (local.set $g2 (f64x2.splat (f64.load (i32.add (local.get $o) (i32.shl (local.get $arow) (i32.const 1))))))
            (local.set $g3 (f64x2.splat (f64.load (i32.add (local.get $o) (i32.mul (local.get $arow) (i32.const 3))))))
            (local.set $o (i32.add (local.get $G) (i32.mul (local.get $r) (local.get $stride))))
            (local.set $k (i32.const 0))
            (block $pairs_done
              (loop $pairs
                (br_if $pairs_done (i32.ge_u (local.get $k) (local.get $even)))
                (local.set $s (f64x2.mul (local.get $g0) (v128.load align=8 (i32.add (local.get $b0) (local.get $k)))))
                (local.set $s (f64x2.add (local.get $s) (f64x2.mul (local.get $g1) (v128.load align=8 (i32.add (local.get $b1) (local.get $k))))))
                (local.set $s (f64x2.add (local.get $s) (f64x2.mul (local.get $g2) (v128.load align=8 (i32.add (local.get $b2) (local.get $k))))))
                (local.set $s (f64x2.add (local.get $s) (f64x2.mul (local.get $g3) (v128.load align=8 (i32.add (local.get $b3) (local.get $k))))))
                (v128.store align=8 (i32.add (local.get $o) (local.get $k))
                  (f64x2.add (v128.load align=8 (i32.add (local.get $o) (local.get $k))) (local.get $s)))
                (local.set $k (i32.add (local.get $k) (i32.const 16)))
                (br $pairs)))
            (if (i32.lt_u (local.get $k) (local.get $stride))   ;; an odd number of columns
              (then
                (local.set $s (f64x2.mul (local.get $g0) (f64x2.splat (f64.load (i32.add (local.get $b0) (local.get $k))))))
                (local.set $s (f64x2.add (local.get $s) (f64x2.mul (local.get $g1) (f64x2.splat (f64.load (i32.add (local.get $b1) (local.get $k)))))))
                (local.set $s (f64x2.add (local.get $s) (f64x2.mul (local.get $g2) (f64x2.splat (f64.load (i32.add (local.get $b2) (local.get $k)))))))
                (local.set $s (f64x2.add (local.get $s) (f64x2.mul (local.get $g3) (f64x2.splat (f64.load (i32.add (local.get $b3) (local.get $k)))))))
                (local.set $o (i32.add (local.get $o) (local.get $k)))
                (f64.store (local.get $o) (f64.add (f64.load (local.get $o)) (f64x2.extract_lane 0 (local.get $s))))))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $rows)))
        (local.set $t (i32.add (local.get $t) (i32.const 4)))
        (br $times4)))
    ;; the last time steps, one at a time
    (block $done
      (loop $times1
        (br_if $done (i32.ge_u (local.get $t) (local.get $T)))
        (local.set $a (i32.add (local.get $A) (i32.mul (local.get $t) (local.get $arow))))
        (local.set $b0 (i32.add (local.get $B) (i32.mul (local.get $t) (local.get $stride))))
        (local.set $r (i32.const 0))
        (block $rows_done
          (loop $rows
            (br_if $rows_done (i32.ge_u (local.get $r) (local.get $rows)))
            (local.set $g0 (f64x2.splat (f64.load (i32.add (local.get $a) (i32.shl (local.get $r) (i32.const 3))))))
            (local.set $o (i32.add (local.get $G) (i32.mul (local.get $r) (local.get $stride))))
            (local.set $k (i32.const 0))
            (block $pairs_done
              (loop $pairs
                (br_if $pairs_done (i32.ge_u (local.get $k) (local.get $even)))
                (v128.store align=8 (i32.add (local.get $o) (local.get $k))
                  (f64x2.add (v128.load align=8 (i32.add (local.get $o) (local.get $k))) (f64x2.mul (local.get $g0) (v128.load align=8 (i32.add (local.get $b0) (local.get $k))))))
                (local.set $k (i32.add (local.get $k) (i32.const 16)))
                (br $pairs)))
            (if (i32.lt_u (local.get $k) (local.get $stride))
              (then
                (local.set $o (i32.add (local.get $o) (local.get $k)))
                (f64.store (local.get $o)
                  (f64.add (f64.load (local.get $o))
                           (f64.mul (f64x2.extract_lane 0 (local.get $g0)) (f64.load (i32.add (local.get $b0) (local.get $k))))))))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $rows)))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $times1))))
)
