package io.sparklstm.blas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every GEMM implementation ({@link Gemm#javaGemm()}, and the native one when libblas.so.3 loads)
 * against a naive triple loop in double and against each other: random shapes including 0 and 1,
 * all four transpose combinations, offsets, leading dimensions larger than a row, several alpha and
 * beta values (beta = 0 must not read C: NaNs there are overwritten), and nothing outside the C view
 * written. Then the shape checks: out-of-range views fail with an IllegalArgumentException that
 * names the matrix.
 *
 * <p>Tolerance: an element of C may differ from the exact result by
 * {@code (k + 2) * 2^-23 * (|alpha| sum_l |a_il b_lj| + |beta c_ij|)}, the classic bound for a float
 * dot product of k terms; both implementations stay well inside it.
 */
class GemmTest {
  private static final int[] SIZES = {0, 1, 2, 3, 5, 8, 17, 33, 64};
  private static final float[] ALPHAS = {1f, 0f, -0.5f, 2.25f};
  private static final float[] BETAS = {0f, 1f, -1f, 0.5f};

  static Stream<String> implementations() {
    return Gemm.nativeOrNull() != null ? Stream.of("java", "native") : Stream.of("java");
  }

  static Gemm gemm(String name) {
    return name.equals("native") ? Gemm.nativeOrNull() : Gemm.javaGemm();
  }

  /** One random problem: shapes, flags, views into padded arrays, scalars. */
  record Problem(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                 float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {

    static Problem random(SplittableRandom r) {
      boolean ta = r.nextBoolean();
      boolean tb = r.nextBoolean();
      int m = SIZES[r.nextInt(SIZES.length)];
      int n = SIZES[r.nextInt(SIZES.length)];
      int k = SIZES[r.nextInt(SIZES.length)];
      int aRows = ta ? k : m;
      int aCols = ta ? m : k;
      int bRows = tb ? n : k;
      int bCols = tb ? k : n;
      int lda = Math.max(1, aCols) + r.nextInt(4);
      int ldb = Math.max(1, bCols) + r.nextInt(4);
      int ldc = Math.max(1, n) + r.nextInt(4);
      int aOff = r.nextInt(6);
      int bOff = r.nextInt(6);
      int cOff = r.nextInt(6);
      float beta = BETAS[r.nextInt(BETAS.length)];
      float[] c = filled(r, cOff + Math.max(0, m - 1) * ldc + n + r.nextInt(4));
      if (beta == 0f) {
        java.util.Arrays.fill(c, Float.NaN); // BLAS does not read C when beta = 0
      }
      return new Problem(ta, tb, m, n, k, ALPHAS[r.nextInt(ALPHAS.length)],
          filled(r, aOff + Math.max(0, aRows - 1) * lda + aCols + r.nextInt(4)), aOff, lda,
          filled(r, bOff + Math.max(0, bRows - 1) * ldb + bCols + r.nextInt(4)), bOff, ldb, beta, c, cOff, ldc);
    }

    float a(int i, int l) {
      return transA ? a[aOff + l * lda + i] : a[aOff + i * lda + l];
    }

    float b(int l, int j) {
      return transB ? b[bOff + j * ldb + l] : b[bOff + l * ldb + j];
    }

    boolean inC(int index) {
      int rel = index - cOff;
      return rel >= 0 && rel / ldc < m && rel % ldc < n;
    }

    /** Runs {@code g} on a copy of C and returns it. */
    float[] run(Gemm g) {
      float[] out = c.clone();
      g.gemm(transA, transB, m, n, k, alpha, a.clone(), aOff, lda, b.clone(), bOff, ldb, beta, out, cOff, ldc);
      return out;
    }

    /** The exact result (row-major m x n) and its error bound, in double. */
    double[][] exactAndBound() {
      double[] exact = new double[m * n];
      double[] bound = new double[m * n];
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          double sum = 0;
          double abs = 0;
          for (int l = 0; l < k; l++) {
            double p = (double) a(i, l) * b(l, j);
            sum += p;
            abs += Math.abs(p);
          }
          double c0 = beta == 0f ? 0 : c[cOff + i * ldc + j];
          exact[i * n + j] = alpha * sum + beta * c0;
          bound[i * n + j] = (k + 2) * 0x1p-23 * (Math.abs(alpha) * abs + Math.abs(beta * c0)) + Float.MIN_NORMAL;
        }
      }
      return new double[][] {exact, bound};
    }

    /** Checks {@code out} against the double triple loop; returns the largest error in units of the bound. */
    double check(String what, float[] out) {
      for (int idx = 0; idx < c.length; idx++) {
        if (!inC(idx) && Float.floatToRawIntBits(out[idx]) != Float.floatToRawIntBits(c[idx])) {
          fail(what + ": element " + idx + " outside the C view was written: " + this);
        }
      }
      double[][] eb = exactAndBound();
      double worst = 0;
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          double got = out[cOff + i * ldc + j];
          double err = Math.abs(got - eb[0][i * n + j]) / eb[1][i * n + j];
          if (!(err <= 1)) {
            fail(String.format("%s: C[%d,%d] = %s, exact %s (bound %.3g) in %s", what, i, j, got, eb[0][i * n + j],
                eb[1][i * n + j], this));
          }
          worst = Math.max(worst, err);
        }
      }
      return worst;
    }

    @Override
    public String toString() {
      return String.format("gemm(transA=%s, transB=%s, m=%d, n=%d, k=%d, alpha=%s, aOff=%d, lda=%d, bOff=%d, ldb=%d, "
          + "beta=%s, cOff=%d, ldc=%d)", transA, transB, m, n, k, alpha, aOff, lda, bOff, ldb, beta, cOff, ldc);
    }
  }

  private static float[] filled(SplittableRandom r, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) (2 * r.nextDouble() - 1);
    }
    return x;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("implementations")
  void matchesTheTripleLoopInDouble(String impl) {
    Gemm g = gemm(impl);
    assertEquals(impl.equals("native"), g.isNative());
    SplittableRandom r = new SplittableRandom(20240607);
    int[] combos = new int[4];
    double worst = 0;
    for (int t = 0; t < 1500; t++) {
      Problem p = Problem.random(r);
      combos[(p.transA() ? 2 : 0) + (p.transB() ? 1 : 0)]++;
      worst = Math.max(worst, p.check(impl, p.run(g)));
    }
    for (int combo : combos) {
      assertTrue(combo > 300, "every transpose combination is exercised");
    }
    System.out.printf("GEMM %s (%s): 1500 random problems, worst error %.2f of the float dot-product bound%n",
        impl, g.implementationName(), worst);
  }

  /** The two implementations agree with each other as closely as each agrees with the exact result. */
  @Test
  void nativeAndJavaAgree() {
    Gemm nat = Gemm.nativeOrNull();
    if (nat == null) {
      System.out.println("GemmTest: native BLAS (libblas.so.3) not loadable; only the Java implementation was tested");
      return;
    }
    Gemm java = Gemm.javaGemm();
    SplittableRandom r = new SplittableRandom(7);
    long identical = 0;
    long total = 0;
    for (int t = 0; t < 300; t++) {
      Problem p = Problem.random(r);
      float[] x = p.run(nat);
      float[] y = p.run(java);
      double[] bound = p.exactAndBound()[1];
      for (int i = 0; i < p.m(); i++) {
        for (int j = 0; j < p.n(); j++) {
          int at = p.cOff() + i * p.ldc() + j;
          if (!(Math.abs(x[at] - y[at]) <= 2 * bound[i * p.n() + j])) {
            fail("native " + x[at] + " vs java " + y[at] + " at C[" + i + "," + j + "] in " + p);
          }
          identical += x[at] == y[at] ? 1 : 0;
          total++;
        }
      }
    }
    System.out.printf("GEMM native vs java: %d of %d elements identical, the rest within the bound%n", identical,
        total);
  }

  @Test
  void gemmNtIsATimesBTransposedPlusBetaC() {
    // C (2x2) = A (2x3) W^T, W (2x3) stored like a PyTorch weight (out, in)
    float[] a = {1, 2, 3, 4, 5, 6};
    float[] w = {1, 0, -1, 0.5f, 0.5f, 0.5f};
    float[] c = {10, 20, 30, 40};
    Gemm.javaGemm().gemmNT(2, 2, 3, a, 0, 3, w, 0, 3, 1f, c, 0, 2);
    assertArrayEquals(new float[] {10 - 2, 20 + 3, 30 - 2, 40 + 7.5f}, c);
  }

  @Test
  void kZeroScalesCByBetaAndBetaZeroClearsNaN() {
    for (String impl : implementations().toList()) {
      float[] c = {1, 2, Float.NaN, 4};
      gemm(impl).gemm(false, false, 2, 2, 0, 1f, new float[0], 0, 1, new float[0], 0, 2, 0.5f, c, 0, 2);
      assertArrayEquals(new float[] {0.5f, 1, Float.NaN, 2}, c, impl);
      float[] d = {Float.NaN, 1, 2, Float.NaN};
      gemm(impl).gemm(false, false, 2, 2, 0, 1f, new float[0], 0, 1, new float[0], 0, 2, 0f, d, 0, 2);
      assertArrayEquals(new float[4], d, impl);
    }
  }

  @Test
  void emptyProductsTouchNothing() {
    for (String impl : implementations().toList()) {
      float[] c = {Float.NaN, 7};
      gemm(impl).gemm(false, false, 0, 2, 3, 1f, new float[0], 0, 3, new float[6], 0, 2, 0f, c, 0, 2);
      gemm(impl).gemm(true, true, 2, 0, 3, 1f, new float[6], 0, 2, new float[0], 0, 3, 0f, c, 0, 1);
      assertTrue(Float.isNaN(c[0]) && c[1] == 7, impl);
    }
  }

  /** Out-of-range views and sizes: an IllegalArgumentException naming the matrix, before any BLAS call. */
  @Test
  void shapeChecksRejectOutOfRangeViews() {
    Gemm g = Gemm.javaGemm();
    float[] a = new float[6]; // (2, 3)
    float[] b = new float[12]; // (3, 4)
    float[] c = new float[8]; // (2, 4)
    g.gemm(false, false, 2, 4, 3, 1f, a, 0, 3, b, 0, 4, 0f, c, 0, 4); // fits exactly

    expectError(() -> g.gemm(false, false, -1, 4, 3, 1f, a, 0, 3, b, 0, 4, 0f, c, 0, 4), "negative size");
    expectError(() -> g.gemm(false, false, 2, 4, -3, 1f, a, 0, 3, b, 0, 4, 0f, c, 0, 4), "negative size");
    expectError(() -> g.gemm(false, false, 2, 4, 3, 1f, a, 1, 3, b, 0, 4, 0f, c, 0, 4), "A (2x3");
    expectError(() -> g.gemm(false, false, 2, 4, 3, 1f, a, -1, 3, b, 0, 4, 0f, c, 0, 4), "A (2x3");
    expectError(() -> g.gemm(false, false, 2, 4, 3, 1f, a, 0, 2, b, 0, 4, 0f, c, 0, 4),
        "leading dimension of A is 2");
    expectError(() -> g.gemm(false, false, 2, 4, 3, 1f, a, 0, 4, b, 0, 4, 0f, c, 0, 4), "A (2x3, ld 4");
    expectError(() -> g.gemm(false, false, 2, 4, 3, 1f, a, 0, 3, b, 1, 4, 0f, c, 0, 4), "B (3x4");
    expectError(() -> g.gemm(false, false, 2, 4, 3, 1f, a, 0, 3, b, 0, 3, 0f, c, 0, 4),
        "leading dimension of B is 3");
    expectError(() -> g.gemm(false, false, 2, 4, 3, 1f, a, 0, 3, b, 0, 4, 0f, c, 1, 4), "C (2x4");
    expectError(() -> g.gemm(false, false, 2, 4, 3, 1f, a, 0, 3, b, 0, 4, 0f, c, 0, 5), "C (2x4, ld 5");
    expectError(() -> g.gemm(false, false, 2, 4, 3, 1f, a, 0, 3, b, 0, 4, 0f, new float[7], 0, 4),
        "needs 8 elements but the array has 7");
    // transposed: A stored (K, M) = (3, 2), B stored (N, K) = (4, 3)
    g.gemm(true, true, 2, 4, 3, 1f, a, 0, 2, b, 0, 3, 0f, c, 0, 4);
    expectError(() -> g.gemm(true, false, 2, 4, 3, 1f, a, 0, 3, b, 0, 4, 0f, c, 0, 4), "A (3x2, ld 3");
    expectError(() -> g.gemm(false, true, 2, 4, 3, 1f, a, 0, 3, b, 0, 4, 0f, c, 0, 4), "B (4x3, ld 4");
    expectError(() -> g.gemm(true, true, 2, 4, 3, 1f, a, 0, 1, b, 0, 3, 0f, c, 0, 4),
        "leading dimension of A is 1 but a row has 2 columns");
    expectError(() -> g.gemmNT(2, 4, 3, a, 0, 3, b, 1, 3, 0f, c, 0, 4), "B (4x3");
  }

  private static void expectError(Runnable call, String fragment) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run, fragment);
    assertTrue(e.getMessage().contains(fragment),
        "message \"" + e.getMessage() + "\" should contain \"" + fragment + "\"");
    assertTrue(e.getMessage().startsWith("gemm: "), e.getMessage());
  }

  @Test
  void defaultIsNativeExactlyWhenNativeLoads() {
    Gemm d = Gemm.defaultGemm();
    boolean forcedJava = Boolean.getBoolean("sparklstm.blas.forceJava");
    assertEquals(Gemm.nativeOrNull() != null && !forcedJava, d.isNative(), d.description());
    assertTrue(d.description().startsWith(d.implementationName()), d.description());
  }
}
