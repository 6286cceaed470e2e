package io.sparklstm.jobs.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklstm.io.LoadedModel;
import io.sparklstm.io.ModelFile;
import io.sparklstm.io.SafeTensors;
import io.sparklstm.jobs.TestSpark;
import io.sparklstm.jobs.config.TrainSection.LossCurveScale;
import io.sparklstm.jobs.io.OutputPermissions;
import io.sparklstm.model.HeadMode;
import io.sparklstm.model.LossType;
import io.sparklstm.model.ParameterLayout;
import io.sparklstm.train.TrainingSetup;
import io.sparklstm.train.TrainingState;
import io.sparklstm.train.optim.OptimizerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.Optional;
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
    LoadedModel init = ModelFile.load(DIR.resolve("init.safetensors"), HeadMode.LAST);
    OptimizerConfig adam = new OptimizerConfig("adam", 0.01, null, null, null, null, null, null, null, null);
    TrainingSetup setup = new TrainingSetup(init.config(), LossType.MSE, adam.build(), 0.5, 0, 3, 2, 2, false, 1);
    RowDecoder decoder = new RowDecoder("features", "label", init.config(), LossType.MSE, true);
    TrainingRows rows = TrainingRows.decode(spark.read().json(DIR.resolve("data.json").toString()), decoder, "test");
    TrainingState start = new TrainingState(init.parameters(), setup.optimizer().init(init.parameters().length));
    TrainRun.Outputs out = new TrainRun.Outputs(tmp.resolve("model.safetensors").toString(),
        tmp.resolve("ckpt").toString(), tmp.resolve("metrics.jsonl").toString(), tmp.resolve("loss.png").toString(),
        LossCurveScale.AUTO, OutputPermissions.DEFAULT);
    TrainingState end = new TrainRun(spark, setup, 3, out, false, "test", Map.of()).run(rows, Optional.empty(), start);

    SafeTensors expected = SafeTensors.read(DIR.resolve("expected.safetensors"));
    double worst = 0;
    for (ParameterLayout.Entry e : ParameterLayout.of(init.config()).entries()) {
      float[] want = expected.floats(e.name());
      for (int i = 0; i < e.size(); i++) {
        double err = Math.abs(end.parameters()[e.offset() + i] - want[i]);
        worst = Math.max(worst, err);
        assertEquals(want[i], end.parameters()[e.offset() + i], 1e-4, e.name() + "[" + i + "]");
      }
    }
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
    rows.release();
  }
}
