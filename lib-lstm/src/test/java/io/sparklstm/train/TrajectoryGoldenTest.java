package io.sparklstm.train;

import static io.sparklstm.testing.Close.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sparklstm.io.Json;
import io.sparklstm.lstm.LstmConfig;
import io.sparklstm.model.HeadConfig;
import io.sparklstm.model.HeadMode;
import io.sparklstm.model.LossType;
import io.sparklstm.model.ModelConfig;
import io.sparklstm.model.ParameterLayout;
import io.sparklstm.model.SequenceBatch;
import io.sparklstm.model.SequenceModel;
import io.sparklstm.tensor.Tensor;
import io.sparklstm.testing.Close;
import io.sparklstm.testing.Golden;
import io.sparklstm.train.optim.Optimizer;
import io.sparklstm.train.optim.OptimizerConfig;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * golden/trajectory fixtures (generate_trajectory_golden.py): 5 training steps of a SequenceModel
 * under PyTorch 1.13 (SGD with momentum, nesterov and weight decay; Adam with weight decay; AdamW;
 * each with and without clip_grad_norm_; both losses and head modes, no head, truncated BPTT;
 * variable lengths), replayed with {@link Trainer#step}: every step's loss and the parameters after
 * every step agree within 1e-5 ({@link Close}). The run prints the worst errors measured.
 */
class TrajectoryGoldenTest {
  static final double RTOL = 1e-5;
  private static double worstLoss;
  private static double worstParams;

  static Stream<Arguments> cases() {
    return Golden.cases("trajectory").stream()
        .map(p -> Arguments.of(p.getFileName().toString().replace(".safetensors", ""), p));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void trainerFollowsPyTorch(String name, Path path) {
    Golden g = Golden.load(path);
    SequenceModel model = new SequenceModel(config(g));
    LossType loss = LossType.parse(g.meta("loss"));
    Optimizer optimizer = OptimizerConfig.fromMap(g.metaJson("optimizer")).build();
    String clip = g.meta("clip-grad-norm");
    Trainer trainer = new Trainer(model, loss, optimizer, clip == null ? 0 : Double.parseDouble(clip),
        Integer.parseInt(g.meta("tbptt")));
    ParameterLayout layout = model.layout();
    TrainingState state = new TrainingState(flat(g, "params.0.", layout), optimizer.init(layout.size()));
    int steps = Integer.parseInt(g.meta("steps"));
    for (int k = 1; k <= steps; k++) {
      double l = trainer.step(state, batch(g, "batch." + k + ".", model, loss), k);
      float expected = g.tensor("loss." + k).data()[0];
      assertEquals(expected, l, RTOL * Math.abs(expected), name + " step " + k + " loss");
      worstLoss = Math.max(worstLoss, Math.abs(l - expected) / Math.abs(expected));
      for (ParameterLayout.Entry e : layout.entries()) {
        float[] want = g.tensor("params." + k + "." + e.name()).data();
        float[] got = Arrays.copyOfRange(state.parameters(), e.offset(), e.offset() + e.size());
        assertClose(name + " step " + k + " " + e.name(), want, got, RTOL);
        worstParams = Math.max(worstParams, Close.relativeError(want, got));
      }
    }
  }

  @AfterAll
  static void report() {
    System.out.printf("trajectory golden: worst relative error loss %.3g, parameters %.3g (5 steps per case)%n",
        worstLoss, worstParams);
  }

  static ModelConfig config(Golden g) {
    Map<String, Object> m = g.metaJson("lstm");
    LstmConfig lstm = new LstmConfig(num(m, "input_size"), num(m, "hidden_size"), num(m, "num_layers"),
        (Boolean) m.get("bias"), false, 0.0, (Boolean) m.get("bidirectional"), num(m, "proj_size"));
    HeadConfig head = null;
    if (Json.parse(g.meta("head")) instanceof Map<?, ?> h) {
      head = new HeadConfig(((Number) h.get("out_features")).intValue(), HeadMode.parse((String) h.get("mode")));
    }
    return new ModelConfig(lstm, head);
  }

  private static int num(Map<String, Object> m, String key) {
    return ((Number) m.get(key)).intValue();
  }

  /** The tensors {@code prefix + name} of every layout entry, as one flat buffer. */
  static float[] flat(Golden g, String prefix, ParameterLayout layout) {
    float[] out = new float[layout.size()];
    for (ParameterLayout.Entry e : layout.entries()) {
      System.arraycopy(g.tensor(prefix + e.name()).data(), 0, out, e.offset(), e.size());
    }
    return out;
  }

  /** A padded fixture batch ({@code features} (B, T, I), {@code lengths}, {@code labels}) as a SequenceBatch. */
  static SequenceBatch batch(Golden g, String prefix, SequenceModel model, LossType loss) {
    Tensor x = g.tensor(prefix + "features");
    int[] lengths = g.ints(prefix + "lengths");
    float[] lab = g.tensor(prefix + "labels").data();
    int steps = x.size(1);
    int in = x.size(2);
    int out = model.predictionSize();
    SequenceBatch.Builder builder = SequenceBatch.builder(in);
    for (int r = 0; r < x.size(0); r++) {
      float[] seq = Arrays.copyOfRange(x.data(), r * steps * in, (r * steps + lengths[r]) * in);
      LabeledSequence row;
      if (model.mode() == HeadMode.LAST) {
        row = loss == LossType.MSE
            ? new LabeledSequence(r, seq, Arrays.copyOfRange(lab, r * out, (r + 1) * out), null)
            : new LabeledSequence(r, seq, null, new int[] {Math.round(lab[r])});
      } else if (loss == LossType.MSE) {
        row = new LabeledSequence(r, seq, Arrays.copyOfRange(lab, r * steps * out, (r * steps + lengths[r]) * out),
            null);
      } else {
        int[] cls = new int[lengths[r]];
        for (int t = 0; t < cls.length; t++) {
          cls[t] = Math.round(lab[r * steps + t]);
        }
        row = new LabeledSequence(r, seq, null, cls);
      }
      row.addTo(builder, model.mode(), loss, out);
    }
    return builder.build();
  }
}
