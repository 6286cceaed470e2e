package io.sparklstm.lstm;

import io.sparklstm.bench.BenchCase;
import io.sparklstm.blas.Gemm;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Benchmark-only: where the time of one forward+backward goes, by phase. Not part of the engine.
 *
 * <p>Replays {@link LstmLayer#forward} and {@link LstmLayer#backward} call for call (same GEMM shapes,
 * same cell calls, same copies) with a timer around each phase, for unidirectional stacks without
 * projection on fixed lengths, and checks that its output and gradients equal {@link LstmStack}'s
 * (to round-off), so the breakdown describes the real code. Usage (what {@code bin/bench-kernels} builds):
 * <pre>
 * OPENBLAS_NUM_THREADS=1 java --add-modules=jdk.incubator.vector -cp ... io.sparklstm.lstm.PhaseProfile \
 *     [seconds] T50_B64_I32_H128_L1 ...
 * </pre>
 * Prints, per case, milliseconds per batch and share of each phase, and the GFLOP/s of each GEMM
 * phase, next to the time of the real {@link LstmStack} on the same case. Every time is this thread's
 * CPU time (so other load on the machine does not inflate a phase); the timers cost about 1 us each,
 * a few per step.
 */
public final class PhaseProfile {
  private enum Phase {
    F_BIAS("fwd: pack [W_ih | b_ih + b_hh]"),
    F_XPROJ("fwd: input projection GEMM [x|1] [W_ih|b]^T"),
    F_COPY("fwd: x, h_prev, c_prev copies"),
    F_REC("fwd: recurrent GEMM h W_hh^T (per step)"),
    F_CELL("fwd: cell pointwise"),
    F_FIN("fwd: final-state copies"),
    B_CELL("bwd: cell pointwise (adds dy, dh_carry)"),
    B_REC("bwd: recurrent GEMM dG W_hh (per step)"),
    B_DW("bwd: weight+bias GEMM dG^T [x|1|h_prev]"),
    B_DWADD("bwd: add it to the gradients"),
    B_DX("bwd: dx GEMM dG W_ih (layers > 0)"),
    B_FILL("bwd: zero dx buffers");

    final String label;

    Phase(String label) {
      this.label = label;
    }
  }

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private final long[] nanos = new long[Phase.values().length];
  private final double[] flops = new double[Phase.values().length];
  private final Gemm gemm;
  private final LstmCell cell;
  private final LstmConfig config;
  private final LstmLayout.Slot[] slots;
  private final int batch;
  private final int steps;
  // per layer: gates (N,4H), c, tanhC, cPrev (N,H), step inputs [x | 1 | h_prev] (N, I+1+H), y (N,H)
  private final float[][] gates;
  private final float[][] c;
  private final float[][] tanhC;
  private final float[][] cPrev;
  private final float[][] stepInputs;
  private final float[][] y;
  private final float[] dG;
  private final float[] dW;
  private final float[] biasedWeights;
  private final float[] dhCarry;
  private final float[] dcCarry;
  private final float[] dLayerA;
  private final float[] dLayerB;
  private final float[] finH;
  private final float[] finC;

  private PhaseProfile(Kernels kernels, LstmConfig config, LstmLayout layout, int batch, int steps) {
    if (config.bidirectional() || config.projSize() > 0 || !config.bias()) {
      throw new IllegalArgumentException("PhaseProfile covers unidirectional stacks with bias, without projection");
    }
    this.gemm = kernels.gemm();
    this.cell = kernels.cell();
    this.config = config;
    this.batch = batch;
    this.steps = steps;
    int layers = config.numLayers();
    int h = config.hiddenSize();
    int n = batch * steps;
    slots = new LstmLayout.Slot[layers];
    gates = new float[layers][n * 4 * h];
    c = new float[layers][n * h];
    tanhC = new float[layers][n * h];
    cPrev = new float[layers][n * h];
    stepInputs = new float[layers][];
    y = new float[layers][n * h];
    for (int l = 0; l < layers; l++) {
      slots[l] = layout.slot(l, 0);
      stepInputs[l] = new float[n * (config.layerInputSize(l) + 1 + h)];
    }
    dG = new float[n * 4 * h];
    dW = new float[4 * h * (Math.max(config.inputSize(), config.outputSize()) + 1 + h)];
    biasedWeights = new float[4 * h * (Math.max(config.inputSize(), config.outputSize()) + 1)];
    dhCarry = new float[batch * h];
    dcCarry = new float[batch * h];
    dLayerA = new float[n * h];
    dLayerB = new float[n * h];
    finH = new float[layers * batch * h];
    finC = new float[layers * batch * h];
  }

  /** This thread's CPU time: phases are not charged for the time other processes held the core. */
  private static long clock() {
    return THREADS.getCurrentThreadCpuTime();
  }

  private long tick(Phase p, long start) {
    long now = clock();
    nanos[p.ordinal()] += now - start;
    return now;
  }

  private void gemmFlops(Phase p, long m, long n, long k) {
    flops[p.ordinal()] += 2.0 * m * n * k;
  }

  /** LstmStack.forward(training) for this restricted case, timed. */
  void forward(float[] params, float[] x) {
    int h = config.hiddenSize();
    int g4 = 4 * h;
    int n = batch * steps;
    for (int l = 0; l < config.numLayers(); l++) {
      LstmLayout.Slot w = slots[l];
      int in = config.layerInputSize(l);
      float[] input = l == 0 ? x : y[l - 1];
      float[] gt = gates[l];
      long t0 = clock();
      int ld = in + 1 + h;
      float[] si = stepInputs[l];
      for (int r = 0; r < n; r++) {
        System.arraycopy(input, r * in, si, r * ld, in);
        si[r * ld + in] = 1f;
      }
      t0 = tick(Phase.F_COPY, t0);
      for (int q = 0; q < g4; q++) {
        System.arraycopy(params, w.weightIh() + q * in, biasedWeights, q * (in + 1), in);
        biasedWeights[q * (in + 1) + in] = params[w.biasIh() + q] + params[w.biasHh() + q];
      }
      t0 = tick(Phase.F_BIAS, t0);
      gemm.gemmNT(n, g4, in + 1, si, 0, ld, biasedWeights, 0, in + 1, 0f, gt, 0, g4);
      tick(Phase.F_XPROJ, t0);
      gemmFlops(Phase.F_XPROJ, n, g4, in + 1);
      for (int t = 0; t < steps; t++) {
        int off = t * batch;
        t0 = clock();
        if (t > 0) {
          int prevOff = (t - 1) * batch;
          for (int r = 0; r < batch; r++) {
            System.arraycopy(y[l], (prevOff + r) * h, si, (off + r) * ld + in + 1, h);
          }
          System.arraycopy(c[l], prevOff * h, cPrev[l], off * h, batch * h);
        } else {
          for (int r = 0; r < batch; r++) {
            Arrays.fill(si, r * ld + in + 1, (r + 1) * ld, 0f);
          }
          Arrays.fill(cPrev[l], 0, batch * h, 0f);
        }
        t0 = tick(Phase.F_COPY, t0);
        gemm.gemmNT(batch, g4, h, si, off * ld + in + 1, ld, params, w.weightHh(), h, 1f, gt, off * g4, g4);
        t0 = tick(Phase.F_REC, t0);
        gemmFlops(Phase.F_REC, batch, g4, h);
        cell.forward(y[l], off * h, h, c[l], tanhC[l], off * h, gt, off * g4, cPrev[l], off * h, batch, h);
        t0 = tick(Phase.F_CELL, t0);
        if (t == steps - 1) {
          for (int r = 0; r < batch; r++) {
            System.arraycopy(y[l], (off + r) * h, finH, (l * batch + r) * h, h);
            System.arraycopy(c[l], (off + r) * h, finC, (l * batch + r) * h, h);
          }
          tick(Phase.F_FIN, t0);
        }
      }
    }
  }

  /** LstmStack.backward for this restricted case (dOutput given, no dFin/dInput/dInit), timed. */
  void backward(float[] params, float[] grads, float[] x, float[] dOutput) {
    int h = config.hiddenSize();
    int g4 = 4 * h;
    int n = batch * steps;
    float[] dy = dOutput;
    for (int l = config.numLayers() - 1; l >= 0; l--) {
      LstmLayout.Slot w = slots[l];
      int in = config.layerInputSize(l);
      float[] dx = null;
      long t0 = clock();
      if (l > 0) {
        dx = dy == dLayerA ? dLayerB : dLayerA;
        Arrays.fill(dx, 0, n * h, 0f);
        t0 = tick(Phase.B_FILL, t0);
      }
      for (int t = steps - 1; t >= 0; t--) {
        int off = t * batch;
        t0 = clock();
        if (t == steps - 1) {
          Arrays.fill(dhCarry, 0, batch * h, 0f);
          Arrays.fill(dcCarry, 0, batch * h, 0f);
        }
        cell.backward(dG, off * g4, dcCarry, 0, dy, off * h, h, dhCarry, gates[l], off * g4, tanhC[l], off * h,
            cPrev[l], off * h, batch, h);
        t0 = tick(Phase.B_CELL, t0);
        gemm.gemm(false, false, batch, h, g4, 1f, dG, off * g4, g4, params, w.weightHh(), h, 0f, dhCarry, 0, h);
        tick(Phase.B_REC, t0);
        gemmFlops(Phase.B_REC, batch, h, g4);
      }
      t0 = clock();
      int ld = in + 1 + h;
      gemm.gemm(true, false, g4, ld, n, 1f, dG, 0, g4, stepInputs[l], 0, ld, 0f, dW, 0, ld);
      t0 = tick(Phase.B_DW, t0);
      gemmFlops(Phase.B_DW, g4, ld, n);
      for (int q = 0; q < g4; q++) {
        for (int j = 0; j < in; j++) {
          grads[w.weightIh() + q * in + j] += dW[q * ld + j];
        }
        grads[w.biasIh() + q] += dW[q * ld + in];
        grads[w.biasHh() + q] += dW[q * ld + in];
        for (int j = 0; j < h; j++) {
          grads[w.weightHh() + q * h + j] += dW[q * ld + in + 1 + j];
        }
      }
      t0 = tick(Phase.B_DWADD, t0);
      if (dx != null) {
        gemm.gemm(false, false, n, in, g4, 1f, dG, 0, g4, params, w.weightIh(), in, 1f, dx, 0, in);
        tick(Phase.B_DX, t0);
        gemmFlops(Phase.B_DX, n, in, g4);
      }
      dy = dx;
    }
  }

  /** Profiles one case for about {@code seconds} after a warm-up, and prints the breakdown. */
  static void profile(String caseId, double seconds) {
    BenchCase bc = BenchCase.parse(caseId);
    if (bc.variableLengths()) {
      throw new IllegalArgumentException("PhaseProfile covers fixed lengths only: " + caseId);
    }
    LstmConfig config = bc.config();
    LstmLayout layout = LstmLayout.of(config, "");
    float[] params = new float[layout.size()];
    LstmInit.initialize(params, layout, 1);
    int b = bc.batch();
    int t = bc.steps();
    int n = b * t;
    float[] x = new float[n * config.inputSize()];
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (random.nextDouble() * 2 - 1);
    }
    float[] dOutput = new float[n * config.hiddenSize()];
    Arrays.fill(dOutput, 1f);
    Kernels kernels = Kernels.best();

    // Warm-up (JIT), then check that the replay computes what the engine computes. Not bit for bit:
    // the vector cell's exp/tanh round differently before C2 compiles them (SVML), and the engine
    // and the replay inline the cell into different callers, compiled at different times.
    LstmStack stack = new LstmStack(config, layout, kernels);
    LstmTape tape = new LstmTape(config);
    PackedShape shape = PackedShape.ofFixedLength(b, t);
    PhaseProfile replay = new PhaseProfile(kernels, config, layout, b, t);
    float[] engineGrads = new float[params.length];
    float[] replayGrads = new float[params.length];
    long warmEnd = clock() + 3_000_000_000L;
    while (clock() < warmEnd) {
      replay.forward(params, x);
      replay.backward(params, replayGrads, x, dOutput);
      stack.forward(params, shape, x, null, true, null, tape);
      stack.backward(params, engineGrads, tape, dOutput, null, null, null);
    }
    Arrays.fill(engineGrads, 0f);
    Arrays.fill(replayGrads, 0f);
    stack.forward(params, shape, x, null, true, null, tape);
    stack.backward(params, engineGrads, tape, dOutput, null, null, null);
    replay.forward(params, x);
    replay.backward(params, replayGrads, x, dOutput);
    float[] top = replay.y[config.numLayers() - 1];
    if (relDiff(tape.output(), top, n * config.hiddenSize()) > 1e-5
        || relDiff(engineGrads, replayGrads, params.length) > 1e-5) {
      throw new IllegalStateException("PhaseProfile no longer replays LstmLayer exactly for " + caseId
          + " (relative difference: output " + relDiff(tape.output(), top, n * config.hiddenSize())
          + ", gradients " + relDiff(engineGrads, replayGrads, params.length) + "); update it to follow the engine");
    }

    PhaseProfile timed = new PhaseProfile(kernels, config, layout, b, t);
    int ops = 0;
    long start = clock();
    while (clock() - start < seconds * 1e9 || ops < 2) {
      timed.forward(params, x);
      timed.backward(params, replayGrads, x, dOutput);
      ops++;
    }
    double replayMs = (clock() - start) / 1e6 / ops;
    int engineOps = 0;
    start = clock();
    while (clock() - start < seconds * 1e9 || engineOps < 2) {
      stack.forward(params, shape, x, null, true, null, tape);
      stack.backward(params, engineGrads, tape, dOutput, null, null, null);
      engineOps++;
    }
    double engineMs = (clock() - start) / 1e6 / engineOps;
    timed.print(caseId, ops, replayMs, engineMs, bc.forwardFlopsPerBatch());
  }

  /** max |a - b| / max |a|: round-off is ~1e-7, a replay that drifted from the engine is ~1. */
  private static double relDiff(float[] a, float[] b, int n) {
    double diff = 0;
    double scale = Float.MIN_NORMAL;
    for (int i = 0; i < n; i++) {
      diff = Math.max(diff, Math.abs(a[i] - b[i]));
      scale = Math.max(scale, Math.abs(a[i]));
    }
    return diff / scale;
  }

  private void print(String caseId, int ops, double replayMs, double engineMs, double forwardFlops) {
    long total = Arrays.stream(nanos).sum();
    System.out.printf(Locale.ROOT, "%n%s: forward+backward %.2f CPU-ms/batch (engine %.2f ms, replay %.2f ms incl."
            + " timers), %.1f GFLOP/s effective, %d batches%n",
        caseId, total / 1e6 / ops, engineMs, replayMs, 3 * forwardFlops / (engineMs * 1e6), ops);
    System.out.printf(Locale.ROOT, "  %-42s %9s %7s %9s%n", "phase", "ms/batch", "share", "GFLOP/s");
    for (Phase p : Phase.values()) {
      long ns = nanos[p.ordinal()];
      if (ns == 0) {
        continue;
      }
      double f = flops[p.ordinal()];
      System.out.printf(Locale.ROOT, "  %-42s %9.3f %6.1f%% %9s%n", p.label, ns / 1e6 / ops, 100.0 * ns / total,
          f > 0 ? String.format(Locale.ROOT, "%.1f", f / ns) : "");
    }
  }

  public static void main(String[] args) {
    double seconds = 5;
    int first = 0;
    if (args.length > 0 && Character.isDigit(args[0].charAt(0))) {
      seconds = Double.parseDouble(args[0]);
      first = 1;
    }
    System.out.println("kernels: " + Kernels.best().describe());
    for (int i = first; i < args.length; i++) {
      profile(args[i], seconds);
    }
  }
}
