package io.sparklstm.train.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sparklstm.io.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every schedule's rate per epoch, through {@link RoundRules} at W = 1, against
 * torch.optim.lr_scheduler (generate_schedule_golden.py): StepLR, ExponentialLR, CosineAnnealingLR
 * past T_max, LinearLR warm-up chained by SequentialLR, and ReduceLROnPlateau fed validation losses.
 */
class LrScheduleGoldenTest {
  static final Path FILE = Paths.get("src", "test", "resources", "golden", "schedule", "schedules.json");

  @Test
  @SuppressWarnings("unchecked")
  void matchesPyTorchSchedulers() throws Exception {
    Map<String, Object> golden = (Map<String, Object>) Json.parse(Files.readString(FILE));
    List<Map<String, Object>> cases = (List<Map<String, Object>>) golden.get("cases");
    assertEquals(8, cases.size());
    for (Map<String, Object> c : cases) {
      Map<String, Object> s = (Map<String, Object>) c.get("settings");
      double base = num(c, "base");
      int epochs = (int) num(c, "epochs");
      List<Number> want = (List<Number>) c.get("lr");
      List<Number> losses = (List<Number>) c.get("losses");
      RoundRules rules = new RoundRules(new TrainingRules(LrScaling.NONE, schedule(s, epochs), OuterRule.AVERAGE,
          InnerState.AVERAGE), 1, base);
      for (int e = 0; e < epochs; e++) {
        double w = want.get(e).doubleValue();
        for (int round : new int[] {0, 3}) {
          assertEquals(w, rules.learningRate(e, round, 4), 1e-12 * w, c.get("name") + ", epoch " + (e + 1));
        }
        if (losses != null) {
          rules.endEpoch(losses.get(e).doubleValue());
        }
      }
    }
  }

  private static LrSchedule schedule(Map<String, Object> s, int epochs) {
    LrSchedule.Type type = LrSchedule.Type.valueOf(((String) s.get("type")).toUpperCase());
    Plateau.Settings plateau = type != LrSchedule.Type.PLATEAU ? null : new Plateau.Settings(num(s, "factor"),
        (int) num(s, "patience"), num(s, "threshold"), (int) num(s, "cooldown"), num(s, "min-lr"));
    return new LrSchedule(type, (int) or(s, "step-size", 1), or(s, "gamma", 1), (int) or(s, "t-max", epochs),
        or(s, "eta-min", 0), (int) or(s, "warmup-epochs", 0), or(s, "warmup-start-factor", 1), plateau);
  }

  private static double num(Map<String, Object> m, String key) {
    return ((Number) m.get(key)).doubleValue();
  }

  private static double or(Map<String, Object> m, String key, double fallback) {
    return m.containsKey(key) ? num(m, key) : fallback;
  }
}
