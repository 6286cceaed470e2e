package io.sparklstm.jobs.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklstm.io.SafeTensors;
import io.sparklstm.jobs.Cli;
import io.sparklstm.jobs.TestSpark;
import io.sparklstm.model.HeadMode;
import io.sparklstm.model.LossType;
import io.sparklstm.train.LabeledSequence;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code spark-lstm export}: a variable-length dataset in three partitions becomes one valid
 * safetensors file whose features (zero-padded), lengths and labels are the rows in the order train
 * numbers them; every-step cross-entropy labels are padded with -100; an existing file is refused
 * unless the mode is overwrite, and a refused or failed export leaves nothing behind.
 */
class ExportCommandTest {
  @TempDir
  Path dir;

  @Test
  void writesPaddedTensorsInInputOrder() throws Exception {
    Path data = dir.resolve("data");
    writeData(data, 37);
    Path file = dir.resolve("out/data.safetensors");
    Cli.Result r = Cli.run("export", "model.lstm.input-size=3", "model.lstm.hidden-size=4",
        "model.head.output-size=2", "export.input.path=" + data, "export.output.path=" + file);
    assertEquals("", r.err());
    assertEquals(0, r.code());

    List<Row> rows = TestSpark.session().read().parquet(data.toString()).collectAsList();
    int steps = 0;
    for (Row row : rows) {
      steps = Math.max(steps, row.getList(0).size());
    }
    byte[] bytes = Files.readAllBytes(file);
    SafeTensors st = SafeTensors.parse(bytes, file.toString()); // checks offsets, no holes, the data's end
    assertEquals(SequenceTensors.VERSION, st.metadata().get(SequenceTensors.VERSION_KEY));
    Map<String, SafeTensors.Entry> e = st.entries();
    assertArrayEquals(new long[] {37, steps, 3}, e.get("features").shape());
    assertArrayEquals(new long[] {37}, e.get("lengths").shape());
    assertEquals("I64", e.get("lengths").dtype());
    assertArrayEquals(new long[] {37, 2}, e.get("label").shape());
    assertEquals("F32", e.get("label").dtype());

    float[] features = st.floats("features");
    float[] labels = st.floats("label");
    ByteBuffer data0 = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    long dataStart = 8 + data0.getLong(0);
    for (int n = 0; n < rows.size(); n++) {
      List<Object> x = rows.get(n).getList(0);
      assertEquals(x.size(), data0.getLong((int) (dataStart + e.get("lengths").begin() + 8L * n)), "length of row " + n);
      for (int t = 0; t < steps; t++) {
        for (int i = 0; i < 3; i++) {
          float expected = t < x.size() ? ((Double) ((scala.collection.Seq<?>) x.get(t)).apply(i)).floatValue() : 0f;
          assertEquals(expected, features[(n * steps + t) * 3 + i], "row " + n + " step " + t + " value " + i);
        }
      }
      List<Object> y = rows.get(n).getList(1);
      assertEquals(((Double) y.get(0)).floatValue(), labels[2 * n]);
      assertEquals(((Double) y.get(1)).floatValue(), labels[2 * n + 1]);
    }

    Cli.Result again = Cli.run("export", "model.lstm.input-size=3", "model.lstm.hidden-size=4",
        "model.head.output-size=2", "export.input.path=" + data, "export.output.path=" + file);
    assertEquals(2, again.code());
    assertTrue(again.err().contains("export.output.path") && again.err().contains("already exists"), again.err());
    Cli.Result overwrite = Cli.run("export", "model.lstm.input-size=3", "model.lstm.hidden-size=4",
        "model.head.output-size=2", "export.input.path=" + data, "export.output.path=" + file,
        "export.output.mode=overwrite", "export.input.filter=id < 5");
    assertEquals(0, overwrite.code(), overwrite.err());
    assertArrayEquals(new long[] {5}, SafeTensors.parse(Files.readAllBytes(file), "").entries().get("lengths").shape());
    try (var s = Files.list(file.getParent())) {
      assertEquals(List.of(file), s.toList(), "only the exported file in its directory");
    }
  }

  @Test
  void badRowLeavesNothingBehind() throws Exception {
    Path data = dir.resolve("data");
    writeData(data, 10);
    Path file = dir.resolve("out/data.safetensors");
    Cli.Result r = Cli.run("export", "model.lstm.input-size=4", "model.lstm.hidden-size=4",
        "model.head.output-size=2", "export.input.path=" + data, "export.output.path=" + file);
    assertEquals(2, r.code());
    assertTrue(r.err().contains("export.input row") && r.err().contains("expected 4"), r.err());
    assertFalse(Files.exists(file));
  }

  @Test
  void everyStepClassesArePaddedWithIgnoreIndex() throws Exception {
    List<LabeledSequence> rows = List.of(
        new LabeledSequence(0, new float[] {1, 2, 3, 4}, null, new int[] {2, 0}),
        new LabeledSequence(1, new float[] {5, 6, 7, 8, 9, 10}, null, new int[] {1, 1, 2}),
        new LabeledSequence(2, new float[] {11, 12}, null, new int[] {0}));
    SequenceTensors.Layout layout = new SequenceTensors.Layout(3, 3, 2, HeadMode.EVERY_STEP, LossType.CROSS_ENTROPY, 3);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    SequenceTensors.write(out, layout, rows.iterator(), Map.of("source", "test"), dir);
    byte[] bytes = out.toByteArray();
    SafeTensors st = SafeTensors.parse(bytes, "test");
    assertEquals("test", st.metadata().get("source"));
    assertArrayEquals(new float[] {1, 2, 3, 4, 0, 0, 5, 6, 7, 8, 9, 10, 11, 12, 0, 0, 0, 0}, st.floats("features"));
    assertArrayEquals(new long[] {2, 3, 1}, longs(bytes, st.entries().get("lengths")));
    assertArrayEquals(new long[] {3, 3}, st.entries().get("label").shape());
    assertArrayEquals(new long[] {2, 0, -100, 1, 1, 2, 0, -100, -100}, longs(bytes, st.entries().get("label")));
    try (var s = Files.list(dir)) {
      assertEquals(0, s.count(), "temporary files are deleted");
    }
  }

  @Test
  void rowsOutOfOrderAreAnError() {
    Iterator<LabeledSequence> rows = List.of(
        new LabeledSequence(1, new float[] {1}, new float[] {0}, null)).iterator();
    SequenceTensors.Layout layout = new SequenceTensors.Layout(1, 1, 1, HeadMode.LAST, LossType.MSE, 1);
    assertThrows(IllegalStateException.class,
        () -> SequenceTensors.write(new ByteArrayOutputStream(), layout, rows, Map.of(), dir));
  }

  private static long[] longs(byte[] file, SafeTensors.Entry e) {
    ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
    long start = 8 + b.getLong(0) + e.begin();
    long[] out = new long[(int) e.elements()];
    for (int i = 0; i < out.length; i++) {
      out[i] = b.getLong((int) (start + 8L * i));
    }
    return out;
  }

  /** Rows id, features [T][3] with T in [1, 6], label [2]; three partitions. */
  private static void writeData(Path path, int count) {
    Random r = new Random(5);
    List<Row> list = new ArrayList<>();
    for (int n = 0; n < count; n++) {
      int steps = 1 + r.nextInt(6);
      List<List<Double>> x = new ArrayList<>();
      for (int t = 0; t < steps; t++) {
        x.add(List.of(r.nextGaussian(), r.nextGaussian(), r.nextGaussian()));
      }
      list.add(RowFactory.create(x, List.of(r.nextGaussian(), r.nextGaussian()), (long) n));
    }
    StructType schema = new StructType()
        .add("features", DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.DoubleType)))
        .add("label", DataTypes.createArrayType(DataTypes.DoubleType))
        .add("id", DataTypes.LongType);
    TestSpark.session().createDataFrame(list, schema).repartition(3).write().parquet(path.toString());
  }
}
