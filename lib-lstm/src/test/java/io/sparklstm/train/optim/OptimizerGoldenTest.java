package io.sparklstm.train.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sparklstm.io.Json;
import io.sparklstm.lstm.LstmConfig;
import io.sparklstm.model.HeadConfig;
import io.sparklstm.model.HeadMode;
import io.sparklstm.model.ModelConfig;
import io.sparklstm.model.ParameterLayout;
import io.sparklstm.testing.Close;
import io.sparklstm.testing.Golden;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every fixture of golden/optim (written by generate_optim_golden.py with PyTorch 1.13): replays the
 * stored gradients through GradClip and the optimizer built from the fixture's settings, and checks
 * the total norm, the clipped gradients and the parameters after every step, and the final state
 * (step count and every buffer), tensor by tensor within 1e-5.
 */
class OptimizerGoldenTest {
  static final double RTOL = 1e-5;

  // worst relative errors over all cases, and how many parameter floats came out bit-identical
  private static double worstParam;
  private static double worstNorm;
  private static double worstState;
  private static long exactParams;
  private static long allParams;

  static Stream<Arguments> cases() {
    return Golden.cases("optim").stream()
        .map(p -> Arguments.of(p.getFileName().toString().replace(".safetensors", ""), p));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void matchesPyTorch(String name, Path path) {
    Golden g = Golden.load(path);
    ParameterLayout layout = ParameterLayout.of(modelConfig(g.metaJson("model")));
    Optimizer optimizer = OptimizerConfig.fromMap(g.metaJson("optimizer")).build();
    assertEquals(Json.parse(g.meta("buffers")), optimizer.bufferNames(), name + ": state buffers");
    String clip = g.meta("clip-grad-norm");

    float[] params = flat(g, "params.0.", layout);
    OptimizerState state = g.has("state.0.step") ? state(g, 0, layout, optimizer) : optimizer.init(layout.size());
    int steps = Integer.parseInt(g.meta("steps"));
    for (int k = 1; k <= steps; k++) {
      float[] grads = flat(g, "grads." + k + ".", layout);
      if (clip != null) {
        float norm = GradClip.clipGradNorm(grads, layout, Double.parseDouble(clip));
        float expected = g.tensor("norm." + k).data()[0];
        if (Float.isFinite(expected)) {
          Close.assertClose(name + " step " + k + " total norm", new float[] {expected}, new float[] {norm}, RTOL);
          worstNorm = Math.max(worstNorm, Close.relativeError(new float[] {expected}, new float[] {norm}));
        } else {
          assertEquals(expected, norm, name + " step " + k + " total norm");
        }
        compare(name + " step " + k + " clipped grad", g, "clipped." + k + ".", layout, grads, 0);
      }
      optimizer.step(params, grads, state);
      worstParam = Math.max(worstParam, compare(name + " step " + k + " param", g, "params." + k + ".", layout,
          params, 0));
      float[] expected = flat(g, "params." + k + ".", layout);
      for (int i = 0; i < params.length; i++) {
        exactParams += Float.floatToIntBits(params[i]) == Float.floatToIntBits(expected[i]) ? 1 : 0;
      }
      allParams += params.length;
    }

    OptimizerState expected = state(g, steps, layout, optimizer);
    assertEquals(expected.step(), state.step(), name + ": step count");
    for (int b = 0; b < optimizer.bufferCount(); b++) {
      String buffer = optimizer.bufferNames().get(b);
      worstState = Math.max(worstState, compare(name + " final " + buffer, g, "state." + steps + "." + buffer + ".",
          layout, state.buffers(), state.offset(b)));
    }
  }

  @AfterAll
  static void report() {
    System.out.printf("optimizer golden: worst relative error params %.3g, total norm %.3g, final state %.3g;"
        + " %d of %d parameter values bit-identical to PyTorch%n", worstParam, worstNorm, worstState, exactParams,
        allParams);
  }

  /** Compares every tensor {@code prefix + name} with its slice of {@code actual}; returns the worst error. */
  private static double compare(String what, Golden g, String prefix, ParameterLayout layout, float[] actual,
      int base) {
    double worst = 0;
    for (ParameterLayout.Entry e : layout.entries()) {
      float[] expected = g.tensor(prefix + e.name()).data();
      int from = base + e.offset();
      float[] slice = Arrays.copyOfRange(actual, from, from + e.size());
      Close.assertClose(what + " " + e.name(), expected, slice, RTOL);
      worst = Math.max(worst, Close.relativeError(expected, slice));
    }
    return worst;
  }

  /** The tensors {@code prefix + name} of every layout entry, as one flat buffer. */
  private static float[] flat(Golden g, String prefix, ParameterLayout layout) {
    float[] out = new float[layout.size()];
    for (ParameterLayout.Entry e : layout.entries()) {
      float[] t = g.tensor(prefix + e.name()).data();
      assertEquals(e.size(), t.length, prefix + e.name() + ": size");
      System.arraycopy(t, 0, out, e.offset(), e.size());
    }
    return out;
  }

  /** The optimizer state stored as {@code state.<k>.step} and {@code state.<k>.<buffer>.<name>}. */
  private static OptimizerState state(Golden g, int k, ParameterLayout layout, Optimizer optimizer) {
    OptimizerState s = optimizer.init(layout.size());
    s.setStep(g.tensor("state." + k + ".step").data()[0]);
    for (int b = 0; b < optimizer.bufferCount(); b++) {
      float[] buf = flat(g, "state." + k + "." + optimizer.bufferNames().get(b) + ".", layout);
      System.arraycopy(buf, 0, s.buffers(), s.offset(b), buf.length);
    }
    return s;
  }

  @SuppressWarnings("unchecked")
  private static ModelConfig modelConfig(Map<String, Object> m) {
    Map<String, Object> l = (Map<String, Object>) m.get("lstm");
    LstmConfig lstm = new LstmConfig(((Number) l.get("input_size")).intValue(),
        ((Number) l.get("hidden_size")).intValue(), ((Number) l.get("num_layers")).intValue(), (Boolean) l.get("bias"),
        (Boolean) l.get("batch_first"), ((Number) l.get("dropout")).doubleValue(), (Boolean) l.get("bidirectional"),
        ((Number) l.get("proj_size")).intValue());
    Map<String, Object> h = (Map<String, Object>) m.get("head");
    HeadConfig head = new HeadConfig(((Number) h.get("out_features")).intValue(), HeadMode.parse((String) h.get("mode")));
    return new ModelConfig(lstm, head);
  }
}
