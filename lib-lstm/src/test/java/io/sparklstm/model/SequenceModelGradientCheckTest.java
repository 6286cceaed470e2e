package io.sparklstm.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklstm.blas.Gemm;
import io.sparklstm.lstm.Dropout;
import io.sparklstm.lstm.Kernels;
import io.sparklstm.lstm.Lstm;
import io.sparklstm.lstm.LstmConfig;
import io.sparklstm.lstm.LstmResult;
import io.sparklstm.tensor.Tensor;
import io.sparklstm.testing.GradCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.DoubleSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Central-difference gradient checks of {@link SequenceModel#lossAndGradient}: both head modes, both
 * losses, no head, no bias, projections, bidirectional, variable lengths in any order, dropout in
 * training (masks seeded from the dropout seed), and truncated BPTT; every element of every
 * parameter (LSTM and head) on tiny sizes (I=2, H=3, T=5, B=4).
 *
 * <p>Full BPTT: the objective is the model's own loss, as {@code lossAndGradient} returns it (summed
 * in double from float32 predictions), perturbed parameter by parameter; see {@link GradCheck} for
 * the stencil and step.
 *
 * <p>Truncated BPTT (chunks of k steps, each starting from the previous chunk's final state, not
 * differentiated) is not the gradient of the loss as a function of the parameters, so it is checked
 * against the function it is the gradient of: the sum over chunks of each chunk's loss with the
 * chunk's initial state frozen at its value in the unperturbed run. That function is evaluated by
 * an independent reference ({@link Reference}) built on the public {@link Lstm} API (explicit h_0,
 * c_0 per chunk) with the head and the losses written out in double; its value at the unperturbed
 * parameters must equal the model's loss (which also checks the reference).
 *
 * <p>Measured worst error per case (the run prints them): 6e-6 to 5.3e-4, worst 5.3e-4
 * (nohead_mse_layers2); the tolerance is {@link #TOL}. Cases whose chunks are one step long
 * (tbptt1_...) have no recurrence inside a chunk and are checked mostly through the frozen states;
 * their errors are far smaller (2e-7). A 1% error planted in the cell's dc_prev makes every case with
 * a recurrence fail with errors of 2.6e-3 to 4e-2. Run time about 9 s.
 */
class SequenceModelGradientCheckTest {
  /** Tolerance on {@link GradCheck#error}: about four times the worst measured error. */
  static final double TOL = 2e-3;
  static final long DROPOUT_SEED = 17;
  private static final Map<String, Double> WORST = new TreeMap<>();

  /**
   * A model, a loss and a batch: caller-order lengths; tbptt 0 = full BPTT.
   */
  record Case(String name, ModelConfig config, LossType loss, int tbptt, int[] lengths) {
    @Override
    public String toString() {
      return name;
    }
  }

  static LstmConfig lstm(int layers) {
    return LstmConfig.of(2, 3).withNumLayers(layers);
  }

  static ModelConfig model(LstmConfig lstm, int out, HeadMode mode) {
    return new ModelConfig(lstm, out == 0 ? null : new HeadConfig(out, mode));
  }

  static Stream<Case> cases() {
    HeadMode last = HeadMode.LAST;
    HeadMode every = HeadMode.EVERY_STEP;
    LossType mse = LossType.MSE;
    LossType ce = LossType.CROSS_ENTROPY;
    int[] varlen = {4, 2, 5, 3};
    int[] full = {5, 5, 5, 5};
    return Stream.of(
        new Case("last_mse_bidir_layers2", model(lstm(2).withBidirectional(true), 2, last), mse, 0, varlen),
        new Case("last_ce_proj", model(lstm(1).withProjSize(2), 3, last), ce, 0, varlen),
        new Case("last_mse_full_length", model(lstm(1), 2, last), mse, 0, full),
        new Case("every_mse_layers2", model(lstm(2), 2, every), mse, 0, varlen),
        new Case("every_ce_bidir_proj", model(lstm(1).withBidirectional(true).withProjSize(1), 3, every), ce, 0,
            varlen),
        new Case("every_mse_out1_nobias", model(lstm(1).withBias(false), 1, every), mse, 0, new int[] {1, 5, 2, 5}),
        new Case("nohead_mse_layers2", model(lstm(2), 0, last), mse, 0, varlen),
        new Case("nohead_ce_bidir", model(lstm(1).withBidirectional(true), 0, last), ce, 0, varlen),
        new Case("dropout_layers3_last_ce", model(lstm(3).withDropout(0.4), 3, last), ce, 0, varlen),
        new Case("dropout_bidir_layers2_every_mse", model(lstm(2).withBidirectional(true).withDropout(0.5), 2, every),
            mse, 0, varlen),
        new Case("tbptt2_last_mse_layers2", model(lstm(2), 2, last), mse, 2, varlen),
        new Case("tbptt3_every_ce_proj", model(lstm(1).withProjSize(2), 3, every), ce, 3, varlen),
        new Case("tbptt1_every_mse_layers3_nobias", model(lstm(3).withBias(false), 1, every), mse, 1, varlen),
        new Case("tbptt2_dropout_layers2_every_mse", model(lstm(2).withDropout(0.5), 2, every), mse, 2, varlen),
        new Case("tbptt2_nohead_last_ce", model(lstm(1), 0, last), ce, 2, varlen),
        new Case("tbptt4_last_ce_proj_layers2", model(lstm(2).withProjSize(1), 2, last), ce, 4, varlen),
        new Case("tbptt3_last_mse_full_length", model(lstm(1), 2, last), mse, 3, full));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void gradientMatchesCentralDifferences(Case k) {
    Data d = Data.random(k, new SplittableRandom(k.name().hashCode()));
    SequenceModel model = new SequenceModel(k.config());
    ParameterLayout layout = model.layout();
    float[] params = GradCheck.uniform(new SplittableRandom(k.name().length()), layout.size(),
        1 / Math.sqrt(k.config().lstm().hiddenSize()));
    SequenceBatch batch = d.batch();
    SequenceModel.Workspace ws = model.newWorkspace();
    float[] grads = new float[params.length];
    double loss = model.lossAndGradient(params, grads, batch, k.loss(), k.tbptt(), DROPOUT_SEED, ws);

    Reference ref = new Reference(k, d, batch, layout);
    float[][][] frozen = new float[2][][];
    double refLoss = ref.objective(params, frozen, true);
    assertEquals(refLoss, loss, 1e-5 * Math.abs(refLoss), k.name() + ": loss vs the reference");

    float[] scratch = new float[params.length];
    DoubleSupplier f = k.tbptt() == 0
        ? () -> model.lossAndGradient(params, scratch, batch, k.loss(), 0, DROPOUT_SEED, ws)
        : () -> ref.objective(params, frozen, false);
    GradCheck.Comparison cmp = new GradCheck.Comparison();
    for (ParameterLayout.Entry e : layout.entries()) {
      cmp.add(e.name(), GradCheck.gradient(params, e.offset(), e.offset() + e.size(), f), grads, e.offset());
    }
    double worst = cmp.worst();
    List<String> failures = cmp.failures(TOL);
    synchronized (WORST) {
      WORST.put(k.name(), worst);
    }
    assertTrue(failures.isEmpty(), k.name() + ": " + String.join("; ", failures));
  }

  /** With k &gt;= T, truncated BPTT is full BPTT: the same loss and gradient, bit for bit. */
  @Test
  void truncationAtOrBeyondTheLongestSequenceIsFullBptt() {
    Case k = new Case("tbptt_ge_T", model(lstm(2).withDropout(0.3), 2, HeadMode.EVERY_STEP), LossType.MSE, 0,
        new int[] {4, 2, 5, 3});
    SequenceBatch batch = Data.random(k, new SplittableRandom(5)).batch();
    // kernels whose bits do not depend on JIT compilation (see JitDeterminismTest), for a bitwise comparison
    SequenceModel model = new SequenceModel(k.config(), Kernels.scalarCell(Gemm.javaGemm()));
    float[] params = GradCheck.uniform(new SplittableRandom(6), model.layout().size(), 0.5);
    float[] full = new float[params.length];
    double lossFull = model.lossAndGradient(params, full, batch, k.loss(), 0, DROPOUT_SEED, model.newWorkspace());
    for (int tbptt : new int[] {5, 6, 100}) {
      float[] g = new float[params.length];
      double l = model.lossAndGradient(params, g, batch, k.loss(), tbptt, DROPOUT_SEED, model.newWorkspace());
      assertEquals(lossFull, l, 0.0, "loss with tbptt " + tbptt);
      assertArrayEquals(full, g, "gradient with tbptt " + tbptt);
    }
  }

  /** A batch in caller order: features (T_b, I) and labels per row, and the SequenceBatch built from them. */
  record Data(Case k, float[][] features, float[][] targets, int[][] classes, int outputSize) {

    static Data random(Case k, SplittableRandom random) {
      ModelConfig c = k.config();
      int out = c.hasHead() ? c.head().outputSize() : c.lstm().outputSize();
      boolean every = c.hasHead() && c.head().mode() == HeadMode.EVERY_STEP;
      int b = k.lengths().length;
      float[][] x = new float[b][];
      float[][] t = new float[b][];
      int[][] cls = new int[b][];
      for (int r = 0; r < b; r++) {
        int len = k.lengths()[r];
        x[r] = GradCheck.uniform(random, len * c.lstm().inputSize(), 1.0);
        int labels = every ? len : 1;
        if (k.loss() == LossType.MSE) {
          t[r] = GradCheck.uniform(random, labels * out, 1.0);
        } else {
          cls[r] = new int[labels];
          for (int i = 0; i < labels; i++) {
            cls[r][i] = random.nextInt(out);
          }
        }
      }
      return new Data(k, x, t, cls, out);
    }

    boolean everyStep() {
      return k.config().hasHead() && k.config().head().mode() == HeadMode.EVERY_STEP;
    }

    SequenceBatch batch() {
      SequenceBatch.Builder builder = SequenceBatch.builder(k.config().lstm().inputSize());
      for (int r = 0; r < features.length; r++) {
        if (k.loss() == LossType.MSE) {
          if (everyStep()) {
            builder.addWithStepTargets(features[r], targets[r], outputSize);
          } else {
            builder.addWithTarget(features[r], targets[r]);
          }
        } else if (everyStep()) {
          builder.addWithStepClasses(features[r], classes[r]);
        } else {
          builder.addWithClass(features[r], classes[r][0]);
        }
      }
      return builder.build();
    }
  }

  /**
   * The model's loss rebuilt from the public Lstm API, head and losses in double, chunk by chunk
   * (one chunk without truncation). Each chunk runs the rows still going, in the batch's sorted
   * order, from the state the previous chunk left; with {@code record} the chunk start states are
   * stored in {@code frozen} ({h per chunk, c per chunk}), otherwise they are read from it.
   */
  static final class Reference {
    private final Case k;
    private final Data d;
    private final int[] sortedRows;
    private final ParameterLayout layout;
    private final LstmConfig lstm;
    private final long count;

    Reference(Case k, Data d, SequenceBatch batch, ParameterLayout layout) {
      this.k = k;
      this.d = d;
      this.sortedRows = batch.order();
      this.layout = layout;
      this.lstm = k.config().lstm().withBatchFirst(true);
      long valid = 0;
      for (int len : k.lengths()) {
        valid += d.everyStep() ? len : 1;
      }
      this.count = valid * (k.loss() == LossType.MSE ? d.outputSize() : 1);
    }

    double objective(float[] params, float[][][] frozen, boolean record) {
      int steps = java.util.Arrays.stream(k.lengths()).max().getAsInt();
      int chunk = k.tbptt() > 0 ? Math.min(k.tbptt(), steps) : steps;
      int chunks = (steps + chunk - 1) / chunk;
      int b = k.lengths().length;
      int rows = lstm.stateRows();
      int hOut = lstm.outputHiddenSize();
      int hid = lstm.hiddenSize();
      if (record) {
        frozen[0] = new float[chunks][];
        frozen[1] = new float[chunks][];
        frozen[0][0] = new float[rows * b * hOut];
        frozen[1][0] = new float[rows * b * hid];
      }
      Lstm module = Lstm.withParameters(lstm, java.util.Arrays.copyOf(params, layout.lstmSize()));
      double total = 0;
      for (int ci = 0; ci < chunks; ci++) {
        int start = ci * chunk;
        int end = Math.min(steps, start + chunk);
        List<Integer> active = new ArrayList<>();
        for (int r : sortedRows) {
          if (k.lengths()[r] > start) {
            active.add(r);
          }
        }
        int n = active.size();
        int in = lstm.inputSize();
        float[] x = new float[n * (end - start) * in];
        int[] len = new int[n];
        float[] h0 = new float[rows * n * hOut];
        float[] c0 = new float[rows * n * hid];
        for (int a = 0; a < n; a++) {
          int r = active.get(a);
          len[a] = Math.min(k.lengths()[r], end) - start;
          System.arraycopy(d.features()[r], start * in, x, a * (end - start) * in, len[a] * in);
          for (int s = 0; s < rows; s++) {
            System.arraycopy(frozen[0][ci], (s * b + r) * hOut, h0, (s * n + a) * hOut, hOut);
            System.arraycopy(frozen[1][ci], (s * b + r) * hid, c0, (s * n + a) * hid, hid);
          }
        }
        // SequenceModel seeds chunk ci's dropout masks with dropoutSeed * 1_000_003 + ci; the active
        // rows in sorted order pack exactly as the model's chunk does, so the masks are the same
        LstmResult res = module.forward(Tensor.of(x, n, end - start, in), len, Tensor.of(h0, rows, n, hOut),
            Tensor.of(c0, rows, n, hid), true, Dropout.seeded(DROPOUT_SEED * 1_000_003L + ci));
        if (record && ci + 1 < chunks) {
          float[] h = frozen[0][ci].clone();
          float[] c = frozen[1][ci].clone();
          for (int a = 0; a < n; a++) {
            int r = active.get(a);
            for (int s = 0; s < rows; s++) {
              System.arraycopy(res.hN().data(), (s * n + a) * hOut, h, (s * b + r) * hOut, hOut);
              System.arraycopy(res.cN().data(), (s * n + a) * hid, c, (s * b + r) * hid, hid);
            }
          }
          frozen[0][ci + 1] = h;
          frozen[1][ci + 1] = c;
        }
        int width = lstm.outputSize();
        double[] z = new double[width];
        for (int a = 0; a < n; a++) {
          int r = active.get(a);
          if (d.everyStep()) {
            for (int t = 0; t < len[a]; t++) {
              for (int j = 0; j < width; j++) {
                z[j] = res.output().data()[(a * (end - start) + t) * width + j];
              }
              total += term(params, z, r, start + t) / count;
            }
          } else if (k.lengths()[r] <= end) {
            int dirs = lstm.directions();
            for (int dir = 0; dir < dirs; dir++) {
              int s = (lstm.numLayers() - 1) * dirs + dir;
              for (int j = 0; j < hOut; j++) {
                z[dir * hOut + j] = res.hN().data()[(s * n + a) * hOut + j];
              }
            }
            total += term(params, z, r, 0) / count;
          }
        }
      }
      return total;
    }

    /** The loss term of caller row r at label index t (step, or 0 for last), head applied in double. */
    private double term(float[] params, double[] z, int r, int t) {
      int out = d.outputSize();
      double[] y = z;
      if (k.config().hasHead()) {
        y = new double[out];
        for (int o = 0; o < out; o++) {
          double s = params[layout.headBias() + o];
          for (int j = 0; j < z.length; j++) {
            s += params[layout.headWeight() + o * z.length + j] * z[j];
          }
          y[o] = s;
        }
      }
      if (k.loss() == LossType.MSE) {
        double s = 0;
        for (int o = 0; o < out; o++) {
          double diff = y[o] - d.targets()[r][t * out + o];
          s += diff * diff;
        }
        return s;
      }
      double max = Double.NEGATIVE_INFINITY;
      for (double v : y) {
        max = Math.max(max, v);
      }
      double sum = 0;
      for (double v : y) {
        sum += Math.exp(v - max);
      }
      return max + Math.log(sum) - y[d.classes()[r][t]];
    }
  }

  @AfterAll
  static void report() {
    StringBuilder sb = new StringBuilder("SequenceModel gradient check, worst error per case:");
    WORST.forEach((name, e) -> sb.append(String.format(" %s %.2g,", name, e)));
    System.out.println(sb.substring(0, sb.length() - 1));
  }
}
