package io.sparklstm.jobs.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sparklstm.io.SafeTensors;
import io.sparklstm.jobs.TestSpark;
import io.sparklstm.train.TrainingState;
import io.sparklstm.train.rules.EarlyStopping;
import io.sparklstm.train.rules.InnerState;
import io.sparklstm.train.rules.LrScaling;
import io.sparklstm.train.rules.LrSchedule;
import io.sparklstm.train.rules.OuterRule;
import io.sparklstm.train.rules.TrainingRules;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each outer rule, inner-state setting and the learning-rate scaling ramp, two workers over two
 * epochs of two rounds (one shard sitting out part of the second), against PyTorch's simulation of
 * the same loop (generate_outer_golden.py) within 1e-4, as {@link AveragingGoldenTest} does for plain averaging.
 */
class OuterGoldenTest {
  static final Path DIR = Paths.get("src", "test", "resources", "golden", "outer");
  static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = TestSpark.session();
  }

  static TrainingRules rules(OuterRule outer, InnerState inner) {
    return new TrainingRules(LrScaling.NONE, LrSchedule.CONSTANT, outer, inner);
  }

  @Test
  void bmuf(@TempDir Path tmp) throws Exception {
    check("bmuf", rules(new OuterRule(OuterRule.Type.BMUF, 0.5, 1, false, 1), InnerState.AVERAGE), tmp);
  }

  @Test
  void bmufNesterov(@TempDir Path tmp) throws Exception {
    check("bmuf-nesterov", rules(new OuterRule(OuterRule.Type.BMUF, 0.5, 0.8, true, 1), InnerState.AVERAGE), tmp);
  }

  @Test
  void diloco(@TempDir Path tmp) throws Exception {
    check("diloco", rules(new OuterRule(OuterRule.Type.DILOCO, 0.9, 1, true, 0.7), InnerState.AVERAGE), tmp);
  }

  @Test
  void keepInnerState(@TempDir Path tmp) throws Exception {
    check("keep", rules(OuterRule.AVERAGE, InnerState.KEEP), tmp);
  }

  @Test
  void resetFirstMoment(@TempDir Path tmp) throws Exception {
    check("reset-first-moment", rules(OuterRule.AVERAGE, InnerState.RESET_FIRST_MOMENT), tmp);
  }

  @Test
  void linearScalingWithWarmup(@TempDir Path tmp) throws Exception {
    check("linear-scaling-warmup", new TrainingRules(new LrScaling(LrScaling.Kind.LINEAR, 1.0), LrSchedule.CONSTANT,
        OuterRule.AVERAGE, InnerState.AVERAGE), tmp);
  }

  private static void check(String name, TrainingRules rules, Path tmp) throws Exception {
    EpochRules.Settings settings = new EpochRules.Settings(rules, EarlyStopping.Settings.OFF, false);
    TrainingState end = AveragingFixture.train(spark, tmp, 3, false, 2, false, false, settings);
    SafeTensors expected = SafeTensors.read(DIR.resolve(name + ".safetensors"));
    double worst = AveragingFixture.assertParameters(expected, end.parameters(), 1e-4, name);
    System.out.println("outer golden " + name + ": max |spark - pytorch| = " + worst);
    float[] losses = expected.floats("train_loss");
    String[] lines = Files.readString(tmp.resolve("metrics.jsonl")).trim().split("\n");
    assertEquals(2, lines.length);
    for (int e = 0; e < 2; e++) {
      double loss = ((Number) ((Map<?, ?>) io.sparklstm.io.Json.parse(lines[e])).get("train_loss")).doubleValue();
      assertEquals(losses[e], loss, 1e-5, name + ": train loss of epoch " + (e + 1));
    }
  }
}
