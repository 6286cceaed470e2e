package io.sparklstm.lstm;

import static io.sparklstm.testing.Close.assertClose;

import io.sparklstm.blas.Gemm;
import io.sparklstm.tensor.Tensor;
import io.sparklstm.testing.Golden;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every fixture of golden/lstm (written by generate_lstm_golden.py with PyTorch 1.13): output, h_n,
 * c_n and the gradients of every parameter, the input, h_0 and c_0 agree within 1e-5, with the
 * production kernels (native BLAS when it loads, vector cell) and with the pure-Java ones.
 */
class LstmGoldenTest {
  static final double RTOL = 1e-5;

  static Stream<Arguments> cases() {
    List<Arguments> args = new ArrayList<>();
    for (Path p : Golden.cases("lstm")) {
      String name = p.getFileName().toString().replace(".safetensors", "");
      args.add(Arguments.of(name, "native BLAS, vector cell", p));
      args.add(Arguments.of(name, "java BLAS, scalar cell", p));
    }
    return args.stream();
  }

  static LstmConfig config(Golden g) {
    Map<String, Object> m = g.metaJson("lstm");
    return new LstmConfig(((Number) m.get("input_size")).intValue(), ((Number) m.get("hidden_size")).intValue(),
        ((Number) m.get("num_layers")).intValue(), (Boolean) m.get("bias"), (Boolean) m.get("batch_first"),
        ((Number) m.get("dropout")).doubleValue(), (Boolean) m.get("bidirectional"),
        ((Number) m.get("proj_size")).intValue());
  }

  @ParameterizedTest(name = "{0} ({1})")
  @MethodSource("cases")
  void matchesPyTorch(String name, String kernelsName, Path path) {
    Kernels kernels = kernelsName.startsWith("native") ? Kernels.of(Gemm.defaultGemm()) : Kernels.scalarCell(Gemm.javaGemm());
    Golden g = Golden.load(path);
    LstmConfig c = config(g);
    Lstm lstm = Lstm.withParameters(c, new float[LstmLayout.of(c, "").size()], kernels);
    for (LstmLayout.Entry e : lstm.layout().entries()) {
      lstm.setParameter(e.name(), g.tensor(e.name()));
    }
    Tensor input = g.tensor("input");
    int[] lengths = g.has("lengths") ? g.ints("lengths") : null;
    Dropout dropout = null;
    if (c.dropout() > 0) {
      dropout = fixedMasks(g, c, input, lengths);
    }
    LstmResult r = lstm.forward(input, lengths, g.tensorOrNull("h0"), g.tensorOrNull("c0"), dropout != null, dropout);
    check(g, name, "output", r.output());
    check(g, name, "h_n", r.hN());
    check(g, name, "c_n", r.cN());

    LstmGradients grads = r.backward(g.tensor("d_output"), g.tensor("d_h_n"), g.tensor("d_c_n"));
    for (LstmLayout.Entry e : lstm.layout().entries()) {
      check(g, name, "grad." + e.name(), grads.parameter(e.name()));
    }
    check(g, name, "grad.input", grads.input());
    if (g.has("grad.h0")) {
      check(g, name, "grad.h0", grads.h0());
      check(g, name, "grad.c0", grads.c0());
    }
  }

  /** Against PyTorch's float32 result and against the float64 computation of the same case. */
  private static void check(Golden g, String caseName, String tensor, Tensor actual) {
    assertClose(caseName + " " + tensor + " (PyTorch float32)", g.tensor(tensor), actual, RTOL);
    assertClose(caseName + " " + tensor + " (PyTorch float64)", g.tensor("f64." + tensor), actual, RTOL);
  }

  /** The fixture's padded masks, packed into the engine's sorted row order. */
  static Dropout fixedMasks(Golden g, LstmConfig c, Tensor input, int[] lengths) {
    boolean bf = c.batchFirst();
    int steps = input.size(bf ? 1 : 0);
    int batch = input.size(bf ? 0 : 1);
    int[] rowLengths = lengths;
    if (rowLengths == null) {
      rowLengths = new int[batch];
      java.util.Arrays.fill(rowLengths, steps);
    }
    int[] order = Packing.sortOrder(rowLengths);
    PackedShape shape = PackedShape.ofSortedLengths(Packing.sortedLengths(rowLengths, order));
    float[][] masks = new float[c.numLayers()][];
    for (int l = 1; l < c.numLayers(); l++) {
      masks[l] = Packing.pack(g.tensor("mask_l" + l).data(), bf, steps, c.outputSize(), shape, order);
    }
    return Dropout.fixed(masks);
  }
}
