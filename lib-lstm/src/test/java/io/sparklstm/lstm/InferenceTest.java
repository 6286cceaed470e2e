package io.sparklstm.lstm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link LstmStack#infer} (no tape; input projection a chunk of steps at a time, h_prev read in place,
 * c in two alternating buffers) computes what {@link LstmStack#forward} computes with
 * {@code training = false}: outputs and final states, for every kind of layer, variable and zero
 * lengths, with and without an initial state, over one chunk and many.
 */
class InferenceTest {

  static Stream<Arguments> cases() {
    LstmConfig base = LstmConfig.of(3, 5);
    return Stream.of(
        // config, batch, longest, variable lengths (with some 0), initial state
        Arguments.of(base, 4, 7, false, false),
        Arguments.of(base, 4, 7, true, true),
        Arguments.of(base.withNumLayers(2).withBidirectional(true), 5, 9, true, true),
        Arguments.of(base.withNumLayers(3).withProjSize(2), 6, 8, true, false),
        Arguments.of(base.withBidirectional(true).withProjSize(4).withBias(false), 3, 6, true, true),
        Arguments.of(base.withNumLayers(2), 100, 12, true, true),     // 5 steps per chunk: 3 chunks
        Arguments.of(base.withBidirectional(true), 300, 4, false, true),  // 1 step per chunk
        Arguments.of(base.withProjSize(3).withBidirectional(true), 130, 10, true, false)); // 3 steps per chunk
  }

  @ParameterizedTest
  @MethodSource("cases")
  void inferComputesWhatForwardComputes(LstmConfig config, int batch, int longest, boolean variable,
                                        boolean withInit) {
    SplittableRandom r = new SplittableRandom(batch * 31L + longest);
    LstmLayout layout = LstmLayout.of(config, "");
    float[] params = new float[layout.size()];
    LstmInit.initialize(params, layout, 5);
    int[] lengths = new int[batch];
    for (int b = 0; b < batch; b++) {
      lengths[b] = variable ? (b % 7 == 3 ? 0 : 1 + r.nextInt(longest)) : longest;
    }
    lengths[0] = longest;
    Integer[] boxed = Arrays.stream(lengths).boxed().sorted((a, b) -> b - a).toArray(Integer[]::new);
    PackedShape shape = PackedShape.ofSortedLengths(Arrays.stream(boxed).mapToInt(Integer::intValue).toArray());
    float[] x = random(r, shape.rows() * config.inputSize());
    LstmState init = withInit ? LstmState.wrap(config, batch,
        random(r, config.stateRows() * batch * config.outputHiddenSize()),
        random(r, config.stateRows() * batch * config.hiddenSize())) : null;
    LstmStack stack = new LstmStack(config, layout, Kernels.best());

    LstmTape recorded = new LstmTape(config);
    stack.forward(params, shape, x, init, false, null, recorded);
    LstmTape inferred = new LstmTape(config);
    inferred.prepare(PackedShape.ofFixedLength(1, 1), true); // a used tape: stale buffers must not matter
    stack.infer(params, shape, x, init, inferred);

    int n = shape.rows() * config.outputSize();
    assertClose("output", Arrays.copyOf(recorded.output(), n), Arrays.copyOf(inferred.output(), n));
    assertClose("h_n", recorded.finalState().h(), inferred.finalState().h());
    assertClose("c_n", recorded.finalState().c(), inferred.finalState().c());
    assertTrue(inferred.inference.gates.length <= Math.max(512, batch) * 4 * config.hiddenSize(),
        "the gates of one chunk only: " + inferred.inference.gates.length);
    if (config.numLayers() > 2) {
      assertTrue(inferred.layerOutput[2].length < n, "layer outputs alternate between two buffers");
    }
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> stack.backward(params, new float[params.length], inferred, null, null, null, null));
    assertEquals("backward needs forward(), not infer(), before it", e.getMessage());
  }

  /** Equal to float32 round-off (the GEMMs run on other row ranges); identical in practice. */
  private static void assertClose(String what, float[] expected, float[] actual) {
    assertEquals(expected.length, actual.length, what + ": length");
    for (int i = 0; i < expected.length; i++) {
      float tol = 1e-6f * Math.max(1f, Math.abs(expected[i]));
      assertTrue(Math.abs(expected[i] - actual[i]) <= tol,
          what + "[" + i + "]: " + expected[i] + " vs " + actual[i]);
    }
  }

  private static float[] random(SplittableRandom r, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (r.nextDouble() * 2 - 1);
    }
    return a;
  }
}
