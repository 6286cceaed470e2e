package io.sparklstm.lstm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklstm.tensor.Tensor;
import io.sparklstm.testing.GradCheck;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.DoubleSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Central-difference gradient checks of {@link LstmResult#backward} for every option of
 * {@code nn.LSTM}: 1 to 3 layers, bias on/off, batch_first, bidirectional, proj_size, unbatched
 * input, variable lengths in any order, given and default (h_0, c_0), and dropout between layers in
 * training (seeded masks, {@link Dropout#seeded}) and in eval mode.
 *
 * <p>The objective is a fixed random linear functional of everything the module returns,
 * <pre>
 * f = sum(W_out * output) + sum(W_h * h_n) + sum(W_c * c_n)      accumulated in double
 * </pre>
 * whose gradient with respect to (output, h_n, c_n) is (W_out, W_h, W_c), so
 * {@code backward(W_out, W_h, W_c)} must give df/d(every parameter, input, h_0, c_0). Every element
 * of every parameter, of the input (including padding past a row's length, whose gradient is 0),
 * of h_0 and of c_0 is perturbed; with a default state, the h_0/c_0 gradient is checked at explicit
 * zeros. Sizes are tiny (I=2, H=3, T=4, B=3) so that all elements are checked.
 *
 * <p>The engine is float32: perturbations are exact and the derivative is a 6-point central stencil
 * with h = 2^-4, accumulated in double; see {@link GradCheck} for why, for the error measure and for
 * the errors measured with other steps. Measured worst error per case: 7.5e-5 to 3.6e-4, worst
 * 3.6e-4 (unbatched_bidir_proj_default_state); the tolerance is {@link #TOL}. The run prints the
 * worst error of every case. Run time about 3 s.
 */
class LstmGradientCheckTest {
  /** Tolerance on {@link GradCheck#error}: about five times the worst measured error. */
  static final double TOL = 2e-3;
  private static final Map<String, Double> WORST = new TreeMap<>();

  /** One configuration to check: T=4, B=3, all rows full length, default state, eval mode unless changed. */
  record Case(String name, LstmConfig config, int steps, int batch, boolean unbatched, int[] lengths,
              boolean givenState, boolean training) {
    static Case of(String name, LstmConfig config) {
      return new Case(name, config, 4, 3, false, null, false, false);
    }

    Case withLengths(int... l) {
      return new Case(name, config, steps, batch, unbatched, l, givenState, training);
    }

    Case withState() {
      return new Case(name, config, steps, batch, unbatched, lengths, true, training);
    }

    Case asUnbatched() {
      return new Case(name, config, steps, 1, true, lengths, givenState, training);
    }

    Case inTraining() {
      return new Case(name, config, steps, batch, unbatched, lengths, givenState, true);
    }

    Case withSize(int t, int b) {
      return new Case(name, config, t, b, unbatched, lengths, givenState, training);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  static LstmConfig cfg(int layers) {
    return LstmConfig.of(2, 3).withNumLayers(layers);
  }

  static Stream<Case> cases() {
    return Stream.of(
        Case.of("layers1_default_state", cfg(1)),
        Case.of("layers2_state", cfg(2)).withState(),
        Case.of("layers3_nobias_state", cfg(3).withBias(false)).withState(),
        Case.of("layers2_batchfirst_varlen", cfg(2).withBatchFirst(true)).withLengths(2, 4, 1).withState(),
        Case.of("bidir_varlen_default_state", cfg(1).withBidirectional(true)).withLengths(3, 1, 4),
        Case.of("bidir_layers2_varlen_state", cfg(2).withBidirectional(true)).withLengths(4, 2, 3).withState(),
        Case.of("proj_state", cfg(1).withProjSize(2)).withState(),
        Case.of("proj_bidir_layers2_batchfirst_varlen",
            cfg(2).withProjSize(2).withBidirectional(true).withBatchFirst(true)).withLengths(1, 4, 3).withState(),
        Case.of("proj1_layers3_nobias_varlen_default_state", cfg(3).withProjSize(1).withBias(false))
            .withLengths(3, 3, 4),
        Case.of("unbatched_layers2_state", cfg(2)).asUnbatched().withState(),
        Case.of("unbatched_bidir_proj_default_state", cfg(1).withBidirectional(true).withProjSize(2)).asUnbatched(),
        Case.of("dropout_layers3_bidir_varlen_state", cfg(3).withBidirectional(true).withDropout(0.5))
            .withLengths(2, 4, 3).withState().inTraining(),
        Case.of("dropout_proj_layers2_batchfirst", cfg(2).withProjSize(2).withDropout(0.3).withBatchFirst(true))
            .withState().inTraining(),
        Case.of("dropout_eval_mode_layers2", cfg(2).withDropout(0.5)).withLengths(4, 1, 2).withState(),
        Case.of("one_step_one_row", cfg(2).withBidirectional(true)).withSize(1, 1).withState());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void backwardMatchesCentralDifferences(Case k) {
    LstmConfig c = k.config();
    SplittableRandom random = new SplittableRandom(k.name().hashCode());
    LstmLayout layout = LstmLayout.of(c, "");
    float[] params = GradCheck.uniform(random, layout.size(), 1 / Math.sqrt(c.hiddenSize()));
    Lstm lstm = Lstm.withParameters(c, params);
    int rows = c.stateRows();
    int[] inShape = k.unbatched() ? new int[] {k.steps(), c.inputSize()}
        : c.batchFirst() ? new int[] {k.batch(), k.steps(), c.inputSize()}
        : new int[] {k.steps(), k.batch(), c.inputSize()};
    int[] hShape = k.unbatched() ? new int[] {rows, c.outputHiddenSize()}
        : new int[] {rows, k.batch(), c.outputHiddenSize()};
    int[] cShape = k.unbatched() ? new int[] {rows, c.hiddenSize()} : new int[] {rows, k.batch(), c.hiddenSize()};
    Tensor x = Tensor.of(GradCheck.uniform(random, numel(inShape), 1.0), inShape);
    // a default state is zeros; its gradient is checked at explicit zeros
    Tensor h0 = Tensor.of(k.givenState() ? GradCheck.uniform(random, numel(hShape), 0.5) : new float[numel(hShape)],
        hShape);
    Tensor c0 = Tensor.of(k.givenState() ? GradCheck.uniform(random, numel(cShape), 0.5) : new float[numel(cShape)],
        cShape);
    Dropout dropout = k.training() ? Dropout.seeded(k.name().length()) : null;

    LstmResult r0 = lstm.forward(x, k.lengths(), k.givenState() ? h0 : null, k.givenState() ? c0 : null,
        k.training(), dropout);
    Tensor wOut = Tensor.of(GradCheck.uniform(random, r0.output().numel(), 1.0), r0.output().shape());
    Tensor wH = Tensor.of(GradCheck.uniform(random, r0.hN().numel(), 1.0), r0.hN().shape());
    Tensor wC = Tensor.of(GradCheck.uniform(random, r0.cN().numel(), 1.0), r0.cN().shape());
    LstmGradients g = r0.backward(wOut, wH, wC);

    DoubleSupplier f = () -> objective(lstm.forward(x, k.lengths(), k.givenState() ? h0 : null,
        k.givenState() ? c0 : null, k.training(), dropout), wOut, wH, wC);
    DoubleSupplier fState = () -> objective(lstm.forward(x, k.lengths(), h0, c0, k.training(), dropout), wOut, wH, wC);

    GradCheck.Comparison cmp = new GradCheck.Comparison();
    for (LstmLayout.Entry e : layout.entries()) {
      cmp.add(e.name(), GradCheck.gradient(params, e.offset(), e.offset() + e.size(), f), g.parameters(), e.offset());
    }
    cmp.add("input", GradCheck.gradient(x.data(), f), g.input().data(), 0);
    cmp.add("h_0", GradCheck.gradient(h0.data(), fState), g.h0().data(), 0);
    cmp.add("c_0", GradCheck.gradient(c0.data(), fState), g.c0().data(), 0);
    double worst = cmp.worst();
    List<String> failures = cmp.failures(TOL);
    synchronized (WORST) {
      WORST.put(k.name(), worst);
    }
    assertTrue(failures.isEmpty(), k.name() + ": " + String.join("; ", failures));
  }

  /** sum(W_out * output) + sum(W_h * h_n) + sum(W_c * c_n), in double. */
  static double objective(LstmResult r, Tensor wOut, Tensor wH, Tensor wC) {
    return dot(r.output(), wOut) + dot(r.hN(), wH) + dot(r.cN(), wC);
  }

  static double dot(Tensor a, Tensor b) {
    double s = 0;
    for (int i = 0; i < a.numel(); i++) {
      s += (double) a.data()[i] * b.data()[i];
    }
    return s;
  }

  private static int numel(int[] shape) {
    return Arrays.stream(shape).reduce(1, (a, b) -> a * b);
  }

  @AfterAll
  static void report() {
    StringBuilder sb = new StringBuilder("LSTM gradient check, worst error per case:");
    WORST.forEach((name, e) -> sb.append(String.format(" %s %.2g,", name, e)));
    System.out.println(sb.substring(0, sb.length() - 1));
  }
}
