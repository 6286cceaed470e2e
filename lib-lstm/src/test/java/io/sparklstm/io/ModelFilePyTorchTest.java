package io.sparklstm.io;

import static io.sparklstm.testing.Close.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sparklstm.lstm.Lstm;
import io.sparklstm.lstm.LstmConfig;
import io.sparklstm.lstm.LstmResult;
import io.sparklstm.model.HeadConfig;
import io.sparklstm.model.HeadMode;
import io.sparklstm.model.ModelConfig;
import io.sparklstm.model.ParameterLayout;
import io.sparklstm.tensor.Tensor;
import io.sparklstm.testing.Golden;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Model files written by PyTorch (generate_model_files.py, Hugging Face safetensors layout) load
 * with the right architecture and parameters, and our LSTM and head then give PyTorch's outputs.
 */
class ModelFilePyTorchTest {
  static final double RTOL = 1e-5;

  /** Each case: the architecture ModelFile must find, and the head mode the caller passes. */
  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("seq_meta", HeadMode.EVERY_STEP, new ModelConfig(   // mode from the metadata wins
            new LstmConfig(3, 6, 2, true, true, 0.25, true, 2), new HeadConfig(3, HeadMode.LAST))),
        Arguments.of("seq_format_only", HeadMode.EVERY_STEP, new ModelConfig(
            new LstmConfig(4, 5, 2, false, false, 0, false, 0), new HeadConfig(2, HeadMode.EVERY_STEP))),
        Arguments.of("seq_no_metadata", HeadMode.LAST, new ModelConfig(
            new LstmConfig(2, 7, 3, true, false, 0, true, 4), new HeadConfig(1, HeadMode.LAST))),
        Arguments.of("bare_lstm", HeadMode.LAST, new ModelConfig(
            new LstmConfig(3, 8, 2, true, false, 0, true, 3), null)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void loadsAndReproducesPyTorch(String name, HeadMode callerMode, ModelConfig expected) throws Exception {
    Path dir = Golden.dir("modelfile");
    LoadedModel m = ModelFile.load(dir.resolve(name + ".model.safetensors"), callerMode);
    Golden g = Golden.load(dir.resolve(name + ".expected.safetensors"));
    assertEquals(expected, m.config());

    // Every parameter, bit for bit, where the layout says.
    ParameterLayout layout = ParameterLayout.of(m.config());
    String prefix = name.equals("bare_lstm") ? "" : "lstm.";
    for (ParameterLayout.Entry e : layout.entries()) {
      String stateName = e.name().startsWith("lstm.") ? prefix + e.name().substring(5) : e.name();
      float[] actual = Arrays.copyOfRange(m.parameters(), e.offset(), e.offset() + e.size());
      assertArrayEquals(g.tensor("param." + stateName).data(), actual, 0f, e.name());
    }

    // The LSTM tensors come first in the layout: they are the nn.LSTM's own buffer.
    LstmConfig lstm = m.config().lstm();
    Lstm module = Lstm.withParameters(lstm, Arrays.copyOf(m.parameters(), layout.lstmSize()));
    LstmResult r = module.forward(g.tensor("input"));
    assertClose(name + " output", g.tensor("output"), r.output(), RTOL);
    assertClose(name + " h_n", g.tensor("h_n"), r.hN(), RTOL);
    assertClose(name + " c_n", g.tensor("c_n"), r.cN(), RTOL);
    if (m.config().hasHead()) {
      Tensor features = m.config().head().mode() == HeadMode.LAST ? topLayerLast(r.hN(), lstm) : r.output();
      assertClose(name + " head output", g.tensor("head_output"), linear(features, m.parameters(), layout), RTOL);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void loadsWithTheAgreeingTrainingConfig(String name, HeadMode callerMode, ModelConfig expected) throws Exception {
    Path file = Golden.dir("modelfile").resolve(name + ".model.safetensors");
    assertEquals(expected, ModelFile.load(file, expected).config());
    Map<String, Object> given = Map.of("model.lstm.hidden-size", expected.lstm().hiddenSize());
    assertEquals(expected, ModelFile.load(file, given, callerMode).config());
  }

  /** h_n's top layer with directions concatenated [forward | backward]: (B, D*H_out). */
  static Tensor topLayerLast(Tensor hN, LstmConfig c) {
    int d = c.directions();
    int b = hN.size(1);
    int h = c.outputHiddenSize();
    float[] out = new float[b * d * h];
    for (int dir = 0; dir < d; dir++) {
      int row = (c.numLayers() - 1) * d + dir;
      for (int i = 0; i < b; i++) {
        System.arraycopy(hN.data(), (row * b + i) * h, out, (i * d + dir) * h, h);
      }
    }
    return Tensor.of(out, b, d * h);
  }

  /** nn.Linear on the last dimension: y = x W^T + b, W (out, in) at head.weight. */
  static Tensor linear(Tensor x, float[] params, ParameterLayout layout) {
    int[] shape = x.shape();
    int in = shape[shape.length - 1];
    int out = layout.find("head.bias").size();
    int rows = x.data().length / in;
    float[] y = new float[rows * out];
    for (int r = 0; r < rows; r++) {
      for (int o = 0; o < out; o++) {
        double s = params[layout.headBias() + o];
        for (int i = 0; i < in; i++) {
          s += (double) x.data()[r * in + i] * params[layout.headWeight() + o * in + i];
        }
        y[r * out + o] = (float) s;
      }
    }
    int[] yShape = shape.clone();
    yShape[yShape.length - 1] = out;
    return Tensor.of(y, yShape);
  }
}
