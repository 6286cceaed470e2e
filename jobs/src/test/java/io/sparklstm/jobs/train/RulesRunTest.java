package io.sparklstm.jobs.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklstm.io.Json;
import io.sparklstm.io.LoadedModel;
import io.sparklstm.io.ModelFile;
import io.sparklstm.jobs.TestSpark;
import io.sparklstm.model.HeadMode;
import io.sparklstm.train.rules.EarlyStopping;
import io.sparklstm.train.rules.InnerState;
import io.sparklstm.train.rules.LrScaling;
import io.sparklstm.train.rules.LrSchedule;
import io.sparklstm.train.rules.OuterRule;
import io.sparklstm.train.rules.Plateau;
import io.sparklstm.train.rules.TrainingRules;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The driver's rules through a whole run: their state (outer momentum, each shard's optimizer
 * state, the plateau scheduler, early stopping, the best model) survives a checkpoint, so a resumed
 * run ends with the same model bytes; the rate, best epoch and early stop appear in the metrics.
 */
class RulesRunTest {
  static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = TestSpark.session();
  }

  @Test
  void resumedRunWithEveryRuleEndsWithTheSameModel(@TempDir Path tmp) throws Exception {
    TrainingRules rules = new TrainingRules(new LrScaling(LrScaling.Kind.SQRT, 1.5),
        new LrSchedule(LrSchedule.Type.PLATEAU, 1, 1, 1, 0, 0, 1, new Plateau.Settings(0.5, 0, 0.5, 0, 0)),
        new OuterRule(OuterRule.Type.BMUF, 0.5, 1, true, 1), InnerState.KEEP);
    EpochRules.Settings settings = new EpochRules.Settings(rules, new EarlyStopping.Settings(3, 0), true);
    byte[] whole = train(tmp.resolve("whole"), settings, 4, false);
    train(tmp.resolve("resumed"), settings, 2, false);
    byte[] resumed = train(tmp.resolve("resumed"), settings, 4, true);
    assertArrayEquals(whole, resumed, "the resumed model differs from the uninterrupted one");

    List<Map<?, ?>> lines = metrics(tmp.resolve("whole"));
    assertEquals(4, lines.size());
    double first = ((Number) lines.get(0).get("learning_rate")).doubleValue();
    double last = ((Number) lines.get(0).get("learning_rate_last_round")).doubleValue();
    assertEquals(0.01, first, 1e-15);
    assertEquals(0.01 * (1 + (Math.sqrt(2) - 1) / 3), last, 1e-12); // round 2 of 2: half an epoch of 1.5
    double third = ((Number) lines.get(2).get("learning_rate")).doubleValue();
    assertTrue(third <= 0.01 * Math.sqrt(2) * 0.5 + 1e-15, "the plateau schedule never reduced: " + third);
    assertEquals(lines, metrics(tmp.resolve("resumed")));
  }

  /**
   * One worker (31 rows: 11 batches of 3, k = 3) trains each epoch in one round under rules that do
   * nothing per round, resumes from a checkpoint to the same bytes, and says so in the metrics; with
   * reset-first-moment, which acts per round, it keeps its 4 rounds.
   */
  @Test
  void oneWorkerTrainsAnEpochInOneRoundAndResumes(@TempDir Path tmp) throws Exception {
    TrainingRules keep = new TrainingRules(new LrScaling(LrScaling.Kind.SQRT, 1.5),
        new LrSchedule(LrSchedule.Type.PLATEAU, 1, 1, 1, 0, 0, 1, new Plateau.Settings(0.5, 0, 0.5, 0, 0)),
        OuterRule.AVERAGE, InnerState.KEEP);
    EpochRules.Settings settings = new EpochRules.Settings(keep, EarlyStopping.Settings.OFF, false);
    AveragingFixture.train(spark, tmp.resolve("whole"), 1, 3, true, 3, false, true, settings);
    AveragingFixture.train(spark, tmp.resolve("resumed"), 1, 3, true, 1, false, true, settings);
    AveragingFixture.train(spark, tmp.resolve("resumed"), 1, 3, true, 3, true, true, settings);
    assertArrayEquals(Files.readAllBytes(tmp.resolve("whole/model.safetensors")),
        Files.readAllBytes(tmp.resolve("resumed/model.safetensors")), "the resumed model differs");
    List<Map<?, ?>> lines = metrics(tmp.resolve("whole"));
    assertEquals(lines, metrics(tmp.resolve("resumed")));
    lines.forEach(m -> assertEquals(1L, m.get("rounds"), m.toString()));
    assertEquals(lines.get(0).get("learning_rate"), lines.get(0).get("learning_rate_last_round"));

    TrainingRules reset = new TrainingRules(LrScaling.NONE, LrSchedule.CONSTANT, OuterRule.AVERAGE,
        InnerState.RESET_FIRST_MOMENT);
    AveragingFixture.train(spark, tmp.resolve("reset"), 1, 3, true, 1, false, true,
        new EpochRules.Settings(reset, EarlyStopping.Settings.OFF, false));
    assertEquals(4L, metrics(tmp.resolve("reset")).get(0).get("rounds"));
  }

  @Test
  void earlyStoppingWritesTheBestValidationModel(@TempDir Path tmp) throws Exception {
    // a min-delta no loss can beat: epoch 1 stays the best, the run stops after patience = 2 more
    EpochRules.Settings settings = new EpochRules.Settings(TrainingRules.NEUTRAL, new EarlyStopping.Settings(2, 100),
        true);
    Path dir = tmp.resolve("run");
    byte[] model = train(dir, settings, 6, false);
    List<Map<?, ?>> lines = metrics(dir);
    assertEquals(3, lines.size(), "stopped after epoch 3");
    assertFalse((Boolean) lines.get(1).get("stopped_early"));
    assertTrue((Boolean) lines.get(2).get("stopped_early"));
    assertEquals(1L, lines.get(2).get("best_epoch"));
    // the model written is epoch 1's: the same as a run of 1 epoch
    byte[] oneEpoch = train(tmp.resolve("one"), EpochRules.Settings.NEUTRAL, 1, false);
    assertArrayEquals(params(oneEpoch, tmp.resolve("a")), params(model, tmp.resolve("b")));
    LoadedModel third = ModelFile.load(dir.resolve("ckpt/epoch-0003.safetensors"), HeadMode.LAST);
    assertFalse(java.util.Arrays.equals(third.parameters(), params(model, tmp.resolve("c"))), "the last epoch's");
  }

  private static float[] params(byte[] file, Path path) throws Exception {
    Files.write(path, file);
    return ModelFile.load(path, HeadMode.LAST).parameters();
  }

  private static byte[] train(Path dir, EpochRules.Settings settings, int epochs, boolean resume) throws Exception {
    AveragingFixture.train(spark, dir, 3, true, epochs, resume, true, settings);
    return Files.readAllBytes(dir.resolve("model.safetensors"));
  }

  /** The metrics lines without what depends on time (and on the run's epochs, for a resumed run). */
  private static List<Map<?, ?>> metrics(Path dir) throws Exception {
    List<Map<?, ?>> out = new ArrayList<>();
    for (String line : Files.readAllLines(dir.resolve("metrics.jsonl"))) {
      Map<Object, Object> m = new LinkedHashMap<>((Map<?, ?>) Json.parse(line));
      List.of("seconds", "sequences_per_second", "compute_seconds", "averaging_seconds", "placement_seconds",
          "round_seconds_start", "round_seconds_end", "finished", "epochs", "driver_gc_seconds", "driver_gc_collections",
          "failed_tasks").forEach(m::remove);
      out.add(m);
    }
    return out;
  }
}
