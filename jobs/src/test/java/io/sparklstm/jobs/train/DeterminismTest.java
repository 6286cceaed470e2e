package io.sparklstm.jobs.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklstm.jobs.ChildMain;
import io.sparklstm.jobs.TestSpark;
import io.sparklstm.io.LoadedModel;
import io.sparklstm.io.ModelFile;
import io.sparklstm.model.HeadMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DESIGN.md section 7's determinism, end to end through {@code Main} in fresh JVMs (as the launcher
 * runs it): the same config, data and seed give a byte-identical model file with 1 or 2 executor
 * cores, when Spark retries failed tasks (the first attempt of every odd partition of every training
 * round and every averaging reduce fails), and when a run is resumed from an epoch's checkpoint.
 * The model has dropout and variable-length rows, and the rows are reshuffled every epoch.
 */
class DeterminismTest {
  @TempDir
  Path dir;

  @Test
  void sameModelBytesWhateverTheCoresRetriesOrResume() throws Exception {
    Path config = writeSetup(dir);
    byte[] oneCore = train(config, "one", "spark.master=local[1]");
    byte[] twoCores = train(config, "two", "spark.master=local[2]");
    assertArrayEquals(oneCore, twoCores, "local[1] and local[2] models differ");

    // failed first attempts in training and in the averaging reduce (forced onto the executors)
    String log = run(config, "retries", "spark.master=local[2,4]",
        "spark.conf.\"" + FaultInjection.FAIL_FIRST_ATTEMPTS + "\"=true",
        "spark.conf.\"" + FaultInjection.AVERAGE_ON_EXECUTORS + "\"=16");
    assertTrue(log.contains("task attempts failed and were retried"), "no task failure was injected:\n" + log);
    assertTrue(log.contains("averaging round"), "no averaging task failed:\n" + log);
    assertArrayEquals(oneCore, Files.readAllBytes(dir.resolve("retries/model.safetensors")),
        "the model after task retries differs");

    train(config, "resumed", "spark.master=local[2]", "train.epochs=1");
    assertTrue(Files.exists(dir.resolve("resumed/model.safetensors.checkpoint/epoch-0001.safetensors")),
        "no checkpoint after epoch 1");
    String resumed = run(config, "resumed", "spark.master=local[2]", "train.resume=true");
    assertTrue(resumed.contains("resuming after epoch 1"), resumed);
    assertArrayEquals(oneCore, Files.readAllBytes(dir.resolve("resumed/model.safetensors")),
        "the resumed model differs from the uninterrupted one");
    List<String> metrics = Files.readAllLines(dir.resolve("resumed/model.safetensors.metrics.jsonl"));
    assertEquals(3, metrics.size(), "one metrics line per epoch after resuming: " + metrics);
    // a checkpoint is also a model file: the last one holds the final model's parameters
    LoadedModel last = ModelFile.load(dir.resolve("resumed/model.safetensors.checkpoint/epoch-0003.safetensors"),
        HeadMode.LAST);
    LoadedModel model = ModelFile.load(dir.resolve("resumed/model.safetensors"), HeadMode.LAST);
    assertEquals(model.config(), last.config());
    assertArrayEquals(model.parameters(), last.parameters(), "the last checkpoint loaded as a model");
  }

  /** The data (90 rows) and config these tests train with; returns the config's path. */
  static Path writeSetup(Path dir) throws Exception {
    Path data = dir.resolve("data");
    writeData(data, 90);
    Path config = dir.resolve("train.conf");
    Files.writeString(config, String.join("\n",
        "model { lstm { input-size = 3, hidden-size = 8, num-layers = 2, dropout = 0.2 }",
        "        head { output-size = 2, mode = last } }",
        "data.train.path = \"" + data + "\"",
        "train { epochs = 3, batch-size = 8, workers = 3, averaging-frequency = 2, shuffle = true, seed = 7,",
        "        optimizer { type = adam, learning-rate = 0.01 }, clip-grad-norm = 1.0 }"));
    return config;
  }

  private byte[] train(Path config, String name, String... overrides) throws Exception {
    run(config, name, overrides);
    return Files.readAllBytes(dir.resolve(name + "/model.safetensors"));
  }

  private String run(Path config, String name, String... overrides) throws Exception {
    return run(dir, config, name, overrides);
  }

  /** Runs {@code Main train} in a child JVM, output under {@code dir/name}; returns its output; fails on a non-zero exit. */
  static String run(Path dir, Path config, String name, String... overrides) throws Exception {
    List<String> args = new ArrayList<>(List.of("train", "--config", config.toString(),
        "output.model=" + dir.resolve(name + "/model.safetensors")));
    args.addAll(Arrays.asList(overrides));
    ChildMain.Result r = ChildMain.run("1g", args);
    assertEquals(0, r.exit(), "train " + name + " failed:\n" + r.output());
    return r.output();
  }

  private static void writeData(Path path, int rows) {
    Random r = new Random(3);
    List<org.apache.spark.sql.Row> list = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      int steps = 2 + r.nextInt(9);
      List<List<Double>> x = new ArrayList<>();
      for (int t = 0; t < steps; t++) {
        x.add(List.of(r.nextGaussian(), r.nextGaussian(), r.nextGaussian()));
      }
      list.add(RowFactory.create(x, List.of(r.nextGaussian(), r.nextGaussian())));
    }
    StructType schema = new StructType()
        .add("features", DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.DoubleType)))
        .add("label", DataTypes.createArrayType(DataTypes.DoubleType));
    TestSpark.session().createDataFrame(list, schema).repartition(3).write().parquet(path.toString());
  }
}
