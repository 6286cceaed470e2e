package io.sparklstm.model;

import static io.sparklstm.testing.Close.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sparklstm.lstm.Kernels;
import io.sparklstm.lstm.LstmConfig;
import io.sparklstm.tensor.Tensor;
import io.sparklstm.testing.Golden;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * golden/model fixtures (generate_model_golden.py): loss and every parameter gradient of
 * SequenceModel for both head modes, both losses, no head, and truncated BPTT, within 1e-5 of
 * PyTorch 1.13.
 */
class SequenceModelGoldenTest {

  static Stream<Path> cases() {
    return Golden.cases("model").stream();
  }

  /** The fixture's model architecture. */
  static ModelConfig config(Golden g) {
    Map<String, Object> m = g.metaJson("lstm");
    LstmConfig lstm = new LstmConfig(num(m, "input_size"), num(m, "hidden_size"), num(m, "num_layers"),
        (Boolean) m.get("bias"), false, 0.0, (Boolean) m.get("bidirectional"), num(m, "proj_size"));
    Object head = io.sparklstm.io.Json.parse(g.meta("head"));
    HeadConfig hc = null;
    if (head instanceof Map<?, ?> h) {
      hc = new HeadConfig(((Number) h.get("out_features")).intValue(), HeadMode.parse((String) h.get("mode")));
    }
    return new ModelConfig(lstm, hc);
  }

  private static int num(Map<String, Object> m, String key) {
    return ((Number) m.get(key)).intValue();
  }

  /** The fixture's padded batch as a SequenceBatch, with labels per the head mode and loss. */
  static SequenceBatch batch(Golden g, SequenceModel model, LossType loss) {
    Tensor x = g.tensor("features"); // (B, T, I)
    int[] lengths = g.ints("lengths");
    Tensor labels = g.tensor("labels");
    int b = x.size(0);
    int steps = x.size(1);
    int in = x.size(2);
    int out = model.predictionSize();
    SequenceBatch.Builder builder = SequenceBatch.builder(in);
    for (int r = 0; r < b; r++) {
      float[] seq = Arrays.copyOfRange(x.data(), r * steps * in, (r * steps + lengths[r]) * in);
      float[] lab = labels.data();
      if (model.mode() == HeadMode.LAST) {
        if (loss == LossType.MSE) {
          builder.addWithTarget(seq, Arrays.copyOfRange(lab, r * out, (r + 1) * out));
        } else {
          builder.addWithClass(seq, Math.round(lab[r]));
        }
      } else if (loss == LossType.MSE) {
        builder.addWithStepTargets(seq, Arrays.copyOfRange(lab, r * steps * out, (r * steps + lengths[r]) * out), out);
      } else {
        int[] cls = new int[lengths[r]];
        for (int t = 0; t < cls.length; t++) {
          cls[t] = Math.round(lab[r * steps + t]);
        }
        builder.addWithStepClasses(seq, cls);
      }
    }
    return builder.build();
  }

  static float[] parameters(Golden g, ParameterLayout layout) {
    float[] params = new float[layout.size()];
    for (ParameterLayout.Entry e : layout.entries()) {
      System.arraycopy(g.tensor(e.name()).data(), 0, params, e.offset(), e.size());
    }
    return params;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void lossAndGradientsMatchPyTorch(Path path) {
    Golden g = Golden.load(path);
    String name = g.meta("case");
    SequenceModel model = new SequenceModel(config(g), Kernels.best());
    LossType loss = LossType.parse(g.meta("loss"));
    float[] params = parameters(g, model.layout());
    float[] grads = new float[params.length];
    double l = model.lossAndGradient(params, grads, batch(g, model, loss), loss,
        Integer.parseInt(g.meta("tbptt")), 0, model.newWorkspace());
    float expected = g.tensor("loss").data()[0];
    assertEquals(expected, l, 1e-5 * Math.abs(expected), name + " loss");
    for (ParameterLayout.Entry e : model.layout().entries()) {
      assertClose(name + " grad " + e.name(), g.tensor("grad." + e.name()).data(),
          Arrays.copyOfRange(grads, e.offset(), e.offset() + e.size()), 1e-5);
    }
  }
}
