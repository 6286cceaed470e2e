package io.sparklstm.jobs.train;

import io.sparklstm.io.LoadedModel;
import io.sparklstm.io.ModelFile;
import io.sparklstm.io.SafeTensors;
import io.sparklstm.jobs.config.TrainSection.LossCurveScale;
import io.sparklstm.jobs.io.OutputPermissions;
import io.sparklstm.model.HeadMode;
import io.sparklstm.model.LossType;
import io.sparklstm.model.ParameterLayout;
import io.sparklstm.train.TrainingSetup;
import io.sparklstm.train.TrainingState;
import io.sparklstm.train.optim.OptimizerConfig;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * The averaging golden fixture (generate_averaging_golden.py): its 31 rows and start model, trained
 * by {@link TrainRun} on W = 2 shards, batches of 3, Adam lr 0.01 with clip_grad_norm_(0.5), no
 * shuffling unless asked; outputs under a directory.
 */
final class AveragingFixture {
  static final Path DIR = Paths.get("src", "test", "resources", "golden", "averaging");

  private AveragingFixture() {}

  /** Trains {@code epochs} with k = {@code k}; validates on the training rows when {@code validate}. */
  static TrainingState train(SparkSession spark, Path out, int k, boolean shuffle, int epochs, boolean resume,
                             boolean validate, EpochRules.Settings rules) throws Exception {
    return train(spark, out, 2, k, shuffle, epochs, resume, validate, rules);
  }

  /** As above, with {@code workers} shards. */
  static TrainingState train(SparkSession spark, Path out, int workers, int k, boolean shuffle, int epochs,
                             boolean resume, boolean validate, EpochRules.Settings rules) throws Exception {
    LoadedModel init = ModelFile.load(DIR.resolve("init.safetensors"), HeadMode.LAST);
    OptimizerConfig adam = new OptimizerConfig("adam", 0.01, null, null, null, null, null, null, null, null);
    TrainingSetup setup = new TrainingSetup(init.config(), LossType.MSE, adam.build(), 0.5, 0, 3, workers, k, shuffle,
        1);
    RowDecoder decoder = new RowDecoder("features", "label", init.config(), LossType.MSE, true);
    String data = DIR.resolve("data.json").toString();
    TrainingRows rows = TrainingRows.decode(spark.read().json(data), decoder, "test");
    Optional<TrainingRows> validation = validate
        ? Optional.of(TrainingRows.decode(spark.read().json(data), decoder, "validation")) : Optional.empty();
    TrainingState start = new TrainingState(init.parameters(), setup.optimizer().init(init.parameters().length));
    TrainRun.Outputs outputs = new TrainRun.Outputs(out.resolve("model.safetensors").toString(),
        out.resolve("ckpt").toString(), out.resolve("metrics.jsonl").toString(), out.resolve("loss.png").toString(),
        LossCurveScale.AUTO, OutputPermissions.DEFAULT);
    try {
      BlockStore blocks = BlockStore.build(JavaSparkContext.fromSparkContext(spark.sparkContext()), rows.rows,
          rows.count, setup);
      return new TrainRun(spark, setup, epochs, outputs, resume, "test", Map.of(), rules).run(blocks, validation, start);
    } finally {
      rows.release();
      validation.ifPresent(TrainingRows::release);
    }
  }

  /** The largest |actual - expected| over the parameters, failing beyond {@code tolerance}. */
  static double assertParameters(SafeTensors expected, float[] actual, double tolerance, String what)
      throws Exception {
    LoadedModel init = ModelFile.load(DIR.resolve("init.safetensors"), HeadMode.LAST);
    double worst = 0;
    for (ParameterLayout.Entry e : ParameterLayout.of(init.config()).entries()) {
      float[] want = expected.floats(e.name());
      for (int i = 0; i < e.size(); i++) {
        worst = Math.max(worst, Math.abs(actual[e.offset() + i] - want[i]));
        org.junit.jupiter.api.Assertions.assertEquals(want[i], actual[e.offset() + i], tolerance,
            what + ": " + e.name() + "[" + i + "]");
      }
    }
    return worst;
  }
}
