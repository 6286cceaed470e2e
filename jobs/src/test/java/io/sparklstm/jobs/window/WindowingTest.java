package io.sparklstm.jobs.window;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklstm.jobs.Rows;
import io.sparklstm.jobs.TestSpark;
import io.sparklstm.jobs.UserError;
import io.sparklstm.jobs.config.JobConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class WindowingTest {
  private static final SparkSession SPARK = TestSpark.session();

  /** Series "a": t = 1..7, v0 = t, v1 = 10 t. Series "b": t = 10..13, v0 = 10, 11, NaN, 13. Shuffled. */
  private static Dataset<Row> table() {
    List<Row> rows = new ArrayList<>();
    for (int t = 1; t <= 7; t++) {
      rows.add(RowFactory.create("a", (long) t, (double) t, 10.0 * t));
    }
    rows.add(RowFactory.create("b", 10L, 10.0, 1.0));
    rows.add(RowFactory.create("b", 11L, 11.0, 1.0));
    rows.add(RowFactory.create("b", 12L, Double.NaN, 1.0));
    rows.add(RowFactory.create("b", 13L, 13.0, 1.0));
    Collections.shuffle(rows, new java.util.Random(7));
    StructType schema = new StructType()
        .add("id", DataTypes.StringType).add("t", DataTypes.LongType)
        .add("v0", DataTypes.DoubleType).add("v1", DataTypes.DoubleType);
    return SPARK.createDataFrame(rows, schema);
  }

  private static WindowCounts counts;

  private static List<Row> windows(Dataset<Row> input, String hocon) {
    JobConfig c = JobConfig.parse("window { time-column = t, " + hocon + " }");
    counts = WindowCounts.register(SPARK.sparkContext());
    List<Row> out = new ArrayList<>(Windowing.windows(input, c.window(), counts).collectAsList());
    out.sort((x, y) -> (x.get(0) + "/" + x.get(1)).compareTo(y.get(0) + "/" + y.get(1)));
    return out;
  }

  private static float[][] features(Row r) {
    return Rows.floats2(r, "features");
  }

  private static float[] label(Row r) {
    return Rows.floats(r, "label");
  }

  @Test
  void strideOneHorizonOneScalarLabelBySeriesWithNaNDrops() {
    List<Row> w = windows(table(), "series-column = id, value-columns = [v0], length = 2");
    assertEquals(5, w.size());
    for (int i = 0; i < 5; i++) {
      Row r = w.get(i);
      long s = i + 1;
      assertEquals("a", r.getString(0));
      assertEquals(s + 2, r.getLong(1), "time of the first target step");
      assertArrayEquals(new float[][] {{s}, {s + 1}}, features(r));
      assertEquals(s + 2, r.getFloat(r.fieldIndex("label")));
    }
    assertEquals(5, counts.written());
    assertEquals(2, counts.dropped(), "both windows of series b touch the NaN");
    assertEquals(List.of("id", "time", "features", "label"),
        List.of(w.get(0).schema().fieldNames()));
    assertEquals(DataTypes.FloatType, w.get(0).schema().apply("label").dataType());
  }

  @Test
  void horizonTwoStrideTwoSeparateTarget() {
    List<Row> w = windows(table(), "series-column = id, value-columns = [v0, v1], target-columns = [v1], "
        + "length = 3, horizon = 2, stride = 2");
    // series a: starts 0 and 2; series b (4 rows) is shorter than 5 steps.
    assertEquals(2, w.size());
    assertEquals(4L, w.get(0).getLong(1));
    assertArrayEquals(new float[][] {{1, 10}, {2, 20}, {3, 30}}, features(w.get(0)));
    assertArrayEquals(new float[] {40, 50}, label(w.get(0)));
    assertEquals(6L, w.get(1).getLong(1));
    assertArrayEquals(new float[][] {{3, 30}, {4, 40}, {5, 50}}, features(w.get(1)));
    assertArrayEquals(new float[] {60, 70}, label(w.get(1)));
    assertEquals(0, counts.dropped());
  }

  @Test
  void multipleTargetsAreStepMajor() {
    List<Row> w = windows(table(), "series-column = id, value-columns = [v0, v1], length = 1, horizon = 2, stride = 3");
    // series a: starts 0, 3; series b: start 0 has target NaN at step 2 -> dropped.
    assertEquals(2, w.size());
    assertEquals(2L, w.get(0).getLong(1));
    assertArrayEquals(new float[][] {{1, 10}}, features(w.get(0)));
    assertArrayEquals(new float[] {2, 20, 3, 30}, label(w.get(0)));
    assertEquals(5L, w.get(1).getLong(1));
    assertArrayEquals(new float[] {5, 50, 6, 60}, label(w.get(1)));
    assertEquals(1, counts.dropped());
  }

  @Test
  void oneSeriesWithStringTimeNullsAndANullTime() {
    StructType schema = new StructType().add("day", DataTypes.StringType).add("x", DataTypes.IntegerType);
    List<Row> rows = List.of(
        RowFactory.create("2024-01-05", 5), RowFactory.create("2024-01-01", 1),
        RowFactory.create("2024-01-03", null), RowFactory.create("2024-01-02", 2),
        RowFactory.create(null, 9), RowFactory.create("2024-01-04", 4));
    JobConfig c = JobConfig.parse("window { time-column = day, value-columns = [x], length = 1 }");
    counts = WindowCounts.register(SPARK.sparkContext());
    List<Row> w = Windowing.windows(SPARK.createDataFrame(rows, schema), c.window(), counts).collectAsList();
    assertEquals(2, w.size());
    assertEquals("2024-01-02", w.get(0).getString(0));
    assertArrayEquals(new float[][] {{1}}, features(w.get(0)));
    assertEquals(2f, w.get(0).getFloat(2));
    assertEquals("2024-01-05", w.get(1).getString(0));
    assertEquals(5f, w.get(1).getFloat(2));
    assertEquals(2, counts.dropped());
    assertEquals(1, counts.skippedRows());
  }

  @Test
  void duplicateTimeIsAUserError() {
    StructType schema = new StructType().add("t", DataTypes.LongType).add("x", DataTypes.DoubleType);
    Dataset<Row> df = SPARK.createDataFrame(List.of(RowFactory.create(1L, 1.0), RowFactory.create(1L, 2.0)), schema);
    JobConfig c = JobConfig.parse("window { time-column = t, value-columns = [x], length = 1 }");
    Exception e = assertThrows(Exception.class,
        () -> Windowing.windows(df, c.window(), WindowCounts.register(SPARK.sparkContext())).collectAsList());
    Throwable t = e;
    while (t != null && !(t instanceof UserError)) {
      t = t.getCause();
    }
    assertTrue(t != null && t.getMessage().startsWith("window.time-column: time 1 appears twice"), String.valueOf(e));
  }

  @Test
  void badColumnsNameTheKeyAndColumn() {
    String m = assertThrows(UserError.class, () -> windows(table(), "value-columns = [v9], length = 1")).getMessage();
    assertEquals("window.value-columns: no column \"v9\" in the input; its columns are [id, t, v0, v1]", m);
    m = assertThrows(UserError.class, () -> windows(table(), "value-columns = [id], length = 1")).getMessage();
    assertEquals("window.value-columns: column \"id\" has type string; expected a number", m);
    m = assertThrows(UserError.class, () -> windows(table(), "value-columns = [v0], target-columns = [nope], length = 1"))
        .getMessage();
    assertTrue(m.startsWith("window.target-columns: no column \"nope\""), m);
    m = assertThrows(UserError.class, () -> windows(table(), "series-column = idx, value-columns = [v0], length = 1"))
        .getMessage();
    assertTrue(m.startsWith("window.series-column: no column \"idx\""), m);
  }
}
