package io.sparklstm.jobs.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklstm.io.SafeTensors;
import io.sparklstm.jobs.TestSpark;
import io.sparklstm.train.TrainingState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two-worker parameter averaging with Adam and clipping, k = 2, matches PyTorch's simulation of the
 * same loop (generate_averaging_golden.py) within 1e-4, including a round where one shard sits out.
 */
class AveragingGoldenTest {
  static final Path DIR = Paths.get("src", "test", "resources", "golden", "averaging");
  static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = TestSpark.session();
  }

  @Test
  void matchesPyTorchSimulation(@TempDir Path tmp) throws Exception {
    TrainingState end = AveragingFixture.train(spark, tmp, 2, false, 3, false, false, EpochRules.Settings.NEUTRAL);
    SafeTensors expected = SafeTensors.read(DIR.resolve("expected.safetensors"));
    double worst = AveragingFixture.assertParameters(expected, end.parameters(), 1e-4, "averaging");
    System.out.println("averaging golden: max |spark - pytorch| = " + worst);
    float[] losses = expected.floats("train_loss");
    String[] lines = Files.readString(tmp.resolve("metrics.jsonl")).trim().split("\n");
    assertEquals(3, lines.length);
    for (int e = 0; e < 3; e++) {
      double loss = ((Number) ((Map<?, ?>) io.sparklstm.io.Json.parse(lines[e])).get("train_loss")).doubleValue();
      assertEquals(losses[e], loss, 1e-5, "train loss of epoch " + (e + 1));
    }
    assertTrue(Files.size(tmp.resolve("loss.png")) > 1000);
    assertTrue(Files.exists(tmp.resolve("model.safetensors")));
  }
}
