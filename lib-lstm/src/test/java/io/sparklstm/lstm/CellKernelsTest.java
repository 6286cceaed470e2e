package io.sparklstm.lstm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The two cell implementations against each other and against double-precision math, on hidden
 * sizes that are not multiples of the vector length (1, 5, 17, 33 with 4 to 16 lanes), row strides
 * larger than a row, and pre-activations from small to saturating; and which kernels
 * {@link Kernels#best()} picks.
 *
 * <p>Both cells perform the same float operations in the same order ({@link FloatMath}), so their
 * forward and backward results must be bit-identical; each activation must also be within
 * {@link #ACTIVATION_ULPS} ulps of the exact value (computed in double) of its pre-activation, and
 * c, tanh(c) and h must be exactly the float expressions of the cell's own gates. The run prints
 * the largest activation error measured (1.75 ulps when this was written).
 */
class CellKernelsTest {
  /** Largest distance in ulps of an activation from its exact value. */
  static final double ACTIVATION_ULPS = 2.5;

  static final LstmCell SCALAR = LstmCell.scalar();
  private static final double[] WORST = new double[2]; // activation ulps (scalar, vector)

  static IntStream hiddenSizes() {
    return IntStream.of(1, 5, 17, 33);
  }

  static LstmCell vectorCell() {
    Assumptions.assumeTrue(CellChoice.vectorModuleLoaded(), "jdk.incubator.vector is not loaded");
    return new VectorCell();
  }

  /** Pre-activations: mostly N(0, 2^2), some large enough to saturate or overflow exp. */
  static float[] preActivations(SplittableRandom r, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      double u = r.nextDouble();
      x[i] = (float) (u < 0.05 ? (r.nextBoolean() ? 1 : -1) * (10 + 100 * r.nextDouble())
          : u < 0.1 ? 1e-6 * r.nextGaussian() : 2 * r.nextGaussian());
    }
    return x;
  }

  /** One forward call's buffers, with offsets and a row stride for h, so views are exercised. */
  static final class Step {
    final int n;
    final int hidden;
    final int ldh;
    final int off = 3;
    final float[] gates;
    final float[] cPrev;
    final float[] h;
    final float[] c;
    final float[] tanhC;
    final float[] pre;

    Step(SplittableRandom r, int n, int hidden) {
      this.n = n;
      this.hidden = hidden;
      this.ldh = hidden + 2;
      this.pre = preActivations(r, off + n * 4 * hidden);
      this.gates = pre.clone();
      this.cPrev = new float[off + n * hidden];
      for (int i = 0; i < cPrev.length; i++) {
        cPrev[i] = (float) (3 * r.nextGaussian());
      }
      this.h = new float[off + n * ldh];
      java.util.Arrays.fill(h, Float.NaN);
      this.c = new float[off + n * hidden];
      this.tanhC = new float[off + n * hidden];
    }

    void forward(LstmCell cell) {
      cell.forward(h, off, ldh, c, tanhC, off, gates, off, cPrev, off, n, hidden);
    }

    float gate(int r, int g, int j) {
      return gates[off + r * 4 * hidden + g * hidden + j];
    }
  }

  /** |actual - exact| in ulps of the float {@code scale}; scales below 1e-30 count as 1e-30. */
  static double ulps(double actual, double exact, double scale) {
    return Math.abs(actual - exact) / Math.ulp((float) Math.max(Math.abs(scale), 1e-30));
  }

  static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  /** Checks one cell's forward results against exact math of its own intermediates. */
  static void checkForward(String name, Step s, int which) {
    for (int r = 0; r < s.n; r++) {
      for (int j = 0; j < s.hidden; j++) {
        for (int g = 0; g < 4; g++) {
          double x = s.pre[s.off + r * 4 * s.hidden + g * s.hidden + j];
          double exact = g == 2 ? Math.tanh(x) : sigmoid(x);
          double u = ulps(s.gate(r, g, j), exact, exact);
          WORST[which] = Math.max(WORST[which], u);
          if (!(u <= ACTIVATION_ULPS)) {
            fail(name + ": gate " + "ifgo".charAt(g) + " of " + x + " is " + s.gate(r, g, j) + ", exact " + exact);
          }
        }
        float i = s.gate(r, 0, j);
        float f = s.gate(r, 1, j);
        float gg = s.gate(r, 2, j);
        float o = s.gate(r, 3, j);
        int at = s.off + r * s.hidden + j;
        float c = f * s.cPrev[at] + i * gg;
        assertEquals(c, s.c[at], 0f, name + ": c = f * c_prev + i * g in float");
        double t = Math.tanh(s.c[at]);
        double u = ulps(s.tanhC[at], t, t);
        WORST[which] = Math.max(WORST[which], u);
        assertTrue(u <= ACTIVATION_ULPS, name + ": tanh(" + s.c[at] + ") is " + s.tanhC[at] + ", exact " + t);
        assertEquals(o * s.tanhC[at], s.h[s.off + r * s.ldh + j], 0f, name + ": h = o * tanh(c) in float");
      }
      for (int j = s.hidden; j < s.ldh; j++) {
        assertTrue(Float.isNaN(s.h[s.off + r * s.ldh + j]), name + ": h written outside its row");
      }
    }
    for (int k = 0; k < s.off; k++) {
      assertTrue(Float.isNaN(s.h[k]) && s.c[k] == 0 && s.tanhC[k] == 0, name + ": written before the offset");
    }
  }

  @ParameterizedTest(name = "H = {0}")
  @MethodSource("hiddenSizes")
  void forwardWithinFewUlpsOfExactAndBitIdenticalBetweenCells(int hidden) {
    LstmCell vector = vectorCell();
    for (int n : new int[] {1, 3, 7}) {
      Step s = new Step(new SplittableRandom(hidden * 31L + n), n, hidden);
      Step v = new Step(new SplittableRandom(hidden * 31L + n), n, hidden);
      s.forward(SCALAR);
      v.forward(vector);
      checkForward("scalar H=" + hidden, s, 0);
      checkForward("vector H=" + hidden, v, 1);
      // the same float operations lane by lane: identical bits
      assertArrayEquals(bits(s.gates), bits(v.gates), "H=" + hidden + ": gates differ between the cells");
      assertArrayEquals(bits(s.c), bits(v.c), "H=" + hidden + ": c differs between the cells");
      assertArrayEquals(bits(s.tanhC), bits(v.tanhC), "H=" + hidden + ": tanh(c) differs between the cells");
      assertArrayEquals(bits(s.h), bits(v.h), "H=" + hidden + ": h differs between the cells");
    }
  }

  private static int[] bits(float[] a) {
    int[] out = new int[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = Float.floatToRawIntBits(a[i]);
    }
    return out;
  }

  @ParameterizedTest(name = "H = {0}")
  @MethodSource("hiddenSizes")
  void backwardIsBitIdenticalOnTheSameTape(int hidden) {
    LstmCell vector = vectorCell();
    for (int n : new int[] {1, 3, 7}) {
      SplittableRandom r = new SplittableRandom(hidden * 17L + n);
      Step s = new Step(r, n, hidden);
      s.forward(SCALAR);
      int off = s.off;
      int ldDh = hidden + 1;
      float[] dh = new float[off + n * ldDh];
      float[] dc = new float[off + n * hidden];
      for (int i = 0; i < dh.length; i++) {
        dh[i] = (float) r.nextGaussian();
      }
      for (int i = 0; i < dc.length; i++) {
        dc[i] = (float) r.nextGaussian();
      }
      float[] dhLater = new float[off + n * hidden]; // laid out as dc
      for (int i = 0; i < dhLater.length; i++) {
        dhLater[i] = (float) r.nextGaussian();
      }
      float[] dhSum = dh.clone(); // dh + dhLater, added beforehand
      for (int row = 0; row < n; row++) {
        for (int j = 0; j < hidden; j++) {
          dhSum[off + row * ldDh + j] += dhLater[off + row * hidden + j];
        }
      }
      float[] dGatesSum = new float[off + n * 4 * hidden];
      float[] dcSum = dc.clone();
      SCALAR.backward(dGatesSum, off, dcSum, off, dhSum, off, ldDh, null, s.gates, off, s.tanhC, off, s.cPrev, off, n, hidden);
      for (LstmCell cell : new LstmCell[] {SCALAR, vector}) {
        float[] dGates = new float[off + n * 4 * hidden];
        float[] dcOut = dc.clone();
        cell.backward(dGates, off, dcOut, off, dh, off, ldDh, dhLater, s.gates, off, s.tanhC, off, s.cPrev, off, n, hidden);
        assertArrayEquals(dGatesSum, dGates, cell + ": dGates with dhLater H=" + hidden + " n=" + n);
        assertArrayEquals(dcSum, dcOut, cell + ": dc_prev with dhLater H=" + hidden + " n=" + n);
      }
      float[] dGatesS = new float[off + n * 4 * hidden];
      float[] dGatesV = new float[off + n * 4 * hidden];
      float[] dcS = dc.clone();
      float[] dcV = dc.clone();
      SCALAR.backward(dGatesS, off, dcS, off, dh, off, ldDh, null, s.gates, off, s.tanhC, off, s.cPrev, off, n, hidden);
      vector.backward(dGatesV, off, dcV, off, dh, off, ldDh, null, s.gates, off, s.tanhC, off, s.cPrev, off, n, hidden);
      assertArrayEquals(dGatesS, dGatesV, "dGates H=" + hidden + " n=" + n);
      assertArrayEquals(dcS, dcV, "dc_prev H=" + hidden + " n=" + n);
    }
  }

  @Test
  void bestKernelsAreNativeBlasAndTheVectorCell() {
    Kernels best = Kernels.best();
    boolean forcedScalar = Boolean.getBoolean("sparklstm.cell.forceScalar");
    assertEquals(CellChoice.vectorModuleLoaded() && !forcedScalar, best.vectorCell(), best.describe());
    if (CellChoice.vectorModuleLoaded() && !forcedScalar) {
      assertTrue(best.describe().contains("cell vector ("), best.describe());
    }
    Path libblas = Path.of("/usr/lib/x86_64-linux-gnu/libblas.so.3");
    Assumptions.assumeTrue(Files.exists(libblas), "skipped the native-BLAS assertion: " + libblas
        + " does not exist (no system BLAS installed); the pure-Java BLAS is in use");
    Assumptions.assumeFalse(Boolean.getBoolean("sparklstm.blas.forceJava"),
        "skipped the native-BLAS assertion: -Dsparklstm.blas.forceJava=true");
    assertTrue(best.gemm().isNative(), libblas + " exists but Kernels.best() uses " + best.describe());
  }

  @AfterAll
  static void report() {
    System.out.printf("cells: activations within %.2f ulps (scalar) and %.2f ulps (vector) of exact; "
        + "forward and backward bit-identical between the cells%n", WORST[0], WORST[1]);
  }
}
