package io.sparklstm.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A NaN during training (injected in epoch 2 with the test-only {@code nanAtEpoch} setting) stops
 * the run with one error line naming epoch, round and shard and suggesting a lower learning rate or
 * clipping; the checkpoint of epoch 1 stays for resuming, and no model, metrics or picture of a
 * diverged run is written.
 */
class DivergenceTest {
  @TempDir
  Path dir;

  @Test
  void nanStopsTrainingNamingWhereAndKeepsTheLastGoodCheckpoint() throws Exception {
    Random r = new Random(5);
    List<org.apache.spark.sql.Row> rows = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      List<List<Float>> x = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        x.add(List.of((float) r.nextGaussian(), (float) r.nextGaussian()));
      }
      rows.add(RowFactory.create(x, (float) r.nextGaussian()));
    }
    StructType schema = new StructType()
        .add("features", DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.FloatType)))
        .add("label", DataTypes.FloatType);
    Path data = dir.resolve("data");
    TestSpark.session().createDataFrame(rows, schema).write().parquet(data.toString());
    Path model = dir.resolve("out/model.safetensors");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = new Main(Main.commands(), TestSpark.SESSIONS).execute(new String[] {"train",
        "model.lstm.input-size=2", "model.lstm.hidden-size=4", "model.head.output-size=1",
        "data.train.path=" + data, "output.model=" + model, "train.epochs=3", "train.batch-size=4",
        "spark.conf.\"spark.sparklstm.test.nanAtEpoch\"=2"},
        new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
    String stderr = err.toString(StandardCharsets.UTF_8).strip();
    assertEquals(2, code, stderr);
    assertEquals(1, stderr.lines().count(), "one line: " + stderr);
    assertTrue(stderr.startsWith("error: training diverged at epoch 2, round 1, shard 0"), stderr);
    assertTrue(stderr.contains("learning-rate") && stderr.contains("clip-grad-norm"), stderr);
    assertTrue(stderr.contains("last good checkpoint"), stderr);
    Path checkpoints = dir.resolve("out/model.safetensors.checkpoint");
    assertTrue(Files.exists(checkpoints.resolve("epoch-0001.safetensors")), "epoch 1's checkpoint is kept");
    assertFalse(Files.exists(checkpoints.resolve("epoch-0002.safetensors")));
    assertFalse(Files.exists(model), "no model file from a diverged run");
    assertFalse(Files.exists(dir.resolve("out/model.loss.png")));
  }
}
