package io.sparklstm.jobs.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklstm.jobs.ChildMain;
import io.sparklstm.jobs.TestSpark;
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
 * Long sequences in a small heap (issue: memory bounds): sequences of 10,000 steps train with
 * truncated BPTT in a 640 MiB JVM; without it, the run stops before any training with an error that
 * names the estimated memory and train.tbptt, and leaves nothing behind.
 */
class MemoryBoundsTest {
  @TempDir
  Path dir;

  @Test
  void longSequencesTrainWithTbpttAndFailClearlyWithout() throws Exception {
    Path data = dir.resolve("long");
    Random r = new Random(1);
    List<org.apache.spark.sql.Row> rows = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      List<List<Float>> x = new ArrayList<>();
      for (int t = 0; t < 10_000; t++) {
        x.add(List.of((float) Math.sin(t / 50.0 + i), (float) r.nextGaussian()));
      }
      rows.add(RowFactory.create(x, (float) r.nextGaussian()));
    }
    StructType schema = new StructType()
        .add("features", DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.FloatType)))
        .add("label", DataTypes.FloatType);
    TestSpark.session().createDataFrame(rows, schema).coalesce(1).write().parquet(data.toString());
    Path config = dir.resolve("long.conf");
    Files.writeString(config, String.join("\n",
        "spark.master = \"local[1]\"",
        "model { lstm { input-size = 2, hidden-size = 256 }, head.output-size = 1 }",
        "data.train.path = \"" + data + "\"",
        "train { epochs = 1, batch-size = 2, workers = 2, optimizer.type = sgd, optimizer.learning-rate = 0.01 }"));

    ChildMain.Result ok = run(config, "tbptt", "train.tbptt=100");
    assertEquals(0, ok.exit(), ok.output());
    ok.output().lines().filter(l -> l.contains("epoch 1/1")).forEach(l -> System.out.println("tbptt run: " + l));
    assertTrue(Files.exists(dir.resolve("tbptt/model.safetensors")));

    ChildMain.Result refused = run(config, "full");
    assertEquals(2, refused.exit(), refused.output());
    String error = refused.output().lines().filter(l -> l.startsWith("error: ")).findFirst().orElse("");
    System.out.println("without tbptt: " + error);
    assertTrue(error.contains("needs about") && error.contains("train.tbptt") && error.contains("10000 steps"), error);
    assertFalse(Files.exists(dir.resolve("full")), "the refused run left output behind");
  }

  private ChildMain.Result run(Path config, String name, String... overrides) throws Exception {
    List<String> args = new ArrayList<>(List.of("train", "--config", config.toString(),
        "output.model=" + dir.resolve(name + "/model.safetensors")));
    args.addAll(Arrays.asList(overrides));
    return ChildMain.run("640m", args);
  }
}
