package io.sparklstm.jobs.predict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.sparklstm.io.Json;
import io.sparklstm.jobs.Cli;
import io.sparklstm.jobs.Rows;
import io.sparklstm.jobs.TestSpark;
import io.sparklstm.testing.Close;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code spark-lstm predict}, run through Main on local[2], writes what PyTorch computes
 * (generate_predict_golden.py: pack_padded_sequence(enforce_sorted=False), eval mode) for every row
 * of a table of variable-length sequences: prediction, output, h_n and c_n within 1e-5 (relative,
 * as {@link Close} measures it), with zero initial states and with per-row h0/c0 columns; the input
 * columns are kept and the added columns have the documented types. The input is two JSON files
 * (two partitions) and predict.batch-size is 4, so rows are scored in several packed batches.
 */
class PredictGoldenTest {
  static final Path DIR = Paths.get("src", "test", "resources", "golden", "predict");
  static final double RTOL = 1e-5;
  static final SparkSession SPARK = TestSpark.session();

  @TempDir
  Path tmp;

  static Stream<Arguments> cases() {
    return Stream.of(
        // case, head mode, initial state from the h0/c0 columns
        Arguments.of("last_bidir_proj", "last", false),
        Arguments.of("last_bidir_proj", "last", true),
        Arguments.of("every_step_layers2", "every-step", false),
        Arguments.of("last_nobias", "last", true));
  }

  @ParameterizedTest(name = "{0}, initial state {2}")
  @MethodSource("cases")
  void matchesPyTorch(String name, String mode, boolean withState) throws Exception {
    check(name, mode, withState, List.of());
  }

  /** Only {"format": "pt"} in the metadata: architecture from the tensor shapes, head mode from the config. */
  @Test
  void modelExportedFromPyTorchWithoutOurMetadata() throws Exception {
    check("format_only_every_step", "every-step", true, List.of("model.head.mode=every-step"));
  }

  /** predict.keep-columns: only the listed input columns, in the listed order, then the predictions. */
  @Test
  void keepsOnlyTheListedInputColumns() throws Exception {
    String name = "last_bidir_proj";
    String out = tmp.resolve("kept").toString();
    Cli.Result r = Cli.run("predict", "predict.model=" + DIR.resolve(name + ".model.safetensors"),
        "predict.input.path=" + DIR.resolve(name + ".input"), "predict.input.format=json",
        "predict.output.path=" + out, "predict.keep-columns=[id]", "predict.batch-size=3");
    assertEquals("", r.err());
    assertEquals(0, r.code());
    var written = SPARK.read().parquet(out);
    assertEquals(List.of("id", "prediction"), List.of(written.schema().fieldNames()));
    Map<Long, Row> rows = byId(written.collectAsList());
    List<String> expectedLines = Files.readAllLines(DIR.resolve(name + ".expected.json"));
    assertEquals(expectedLines.size(), rows.size(), "rows");
    for (String line : expectedLines) {
      Map<?, ?> e = (Map<?, ?>) Json.parse(line);
      long id = (Long) e.get("id");
      float[] expected = flat(matrix(List.of(((Map<?, ?>) e.get("zero")).get("prediction"))));
      Close.assertClose(name + " row id " + id, expected, Rows.floats(rows.get(id), "prediction"), RTOL);
    }
  }

  private void check(String name, String mode, boolean withState, List<String> extra) throws Exception {
    String out = tmp.resolve("predictions").toString();
    List<String> args = new ArrayList<>(List.of("predict",
        "predict.model=" + DIR.resolve(name + ".model.safetensors"),
        "predict.input.path=" + DIR.resolve(name + ".input"), "predict.input.format=json",
        "predict.output.path=" + out, "predict.columns=[prediction,output,h_n,c_n]", "predict.batch-size=4"));
    if (withState) {
      args.add("predict.initial-state.h0-column=h0");
      args.add("predict.initial-state.c0-column=c0");
    }
    args.addAll(extra);
    Cli.Result r = Cli.run(args.toArray(new String[0]));
    assertEquals("", r.err());
    assertEquals(0, r.code());

    StructType inputSchema = SPARK.read().json(DIR.resolve(name + ".input").toString()).schema();
    Map<Long, Row> inputs = byId(SPARK.read().json(DIR.resolve(name + ".input").toString()).collectAsList());
    var written = SPARK.read().parquet(out);
    StructType schema = written.schema();
    List<String> names = new ArrayList<>(List.of(inputSchema.fieldNames()));
    names.addAll(List.of("prediction", "output", "h_n", "c_n"));
    assertEquals(names, List.of(schema.fieldNames()), "input columns kept, then the requested ones");
    for (String c : inputSchema.fieldNames()) {
      assertEquals(inputSchema.apply(c).dataType(), schema.apply(c).dataType(), c);
    }
    assertType(mode.equals("last") ? "array<float>" : "array<array<float>>", schema, "prediction");
    assertType("array<array<float>>", schema, "output");
    assertType("array<array<float>>", schema, "h_n");
    assertType("array<array<float>>", schema, "c_n");

    Map<Long, Row> rows = byId(written.collectAsList());
    List<String> expectedLines = Files.readAllLines(DIR.resolve(name + ".expected.json"));
    assertEquals(expectedLines.size(), rows.size(), "rows");
    double worst = 0;
    for (String line : expectedLines) {
      Map<?, ?> e = (Map<?, ?>) Json.parse(line);
      long id = (Long) e.get("id");
      Row row = rows.get(id);
      assertNotNull(row, "row id " + id);
      for (String c : inputSchema.fieldNames()) {
        assertEquals((Object) inputs.get(id).getAs(c), (Object) row.getAs(c), "row id " + id + ": input column " + c);
      }
      Map<?, ?> want = (Map<?, ?>) e.get(withState ? "given" : "zero");
      for (String c : List.of("prediction", "output", "h_n", "c_n")) {
        String what = name + " row id " + id + " " + c;
        boolean vector = c.equals("prediction") && mode.equals("last");
        float[][] actual = vector ? new float[][] {Rows.floats(row, c)} : Rows.floats2(row, c);
        float[][] expected = matrix(vector ? List.of(want.get(c)) : (List<?>) want.get(c));
        assertEquals(expected.length, actual.length, what + ": rows");
        for (int i = 0; i < expected.length; i++) {
          assertEquals(expected[i].length, actual[i].length, what + "[" + i + "]: length");
        }
        Close.assertClose(what, flat(expected), flat(actual), RTOL);
        worst = Math.max(worst, Close.relativeError(flat(expected), flat(actual)));
      }
    }
    System.out.printf("predict golden %s (%s initial state): worst relative error %.2g%n", name,
        withState ? "given" : "zero", worst);
  }

  /** Parquet reads every column back as nullable, so the element types are compared, not nullability. */
  private static void assertType(String expected, StructType schema, String column) {
    assertEquals(expected, schema.apply(column).dataType().simpleString(), column);
  }

  private static Map<Long, Row> byId(List<Row> rows) {
    Map<Long, Row> m = new HashMap<>();
    for (Row r : rows) {
      m.put(r.<Long>getAs("id"), r);
    }
    return m;
  }

  private static float[][] matrix(List<?> rows) {
    float[][] m = new float[rows.size()][];
    for (int i = 0; i < m.length; i++) {
      List<?> r = (List<?>) rows.get(i);
      m[i] = new float[r.size()];
      for (int j = 0; j < r.size(); j++) {
        m[i][j] = ((Number) r.get(j)).floatValue();
      }
    }
    return m;
  }

  private static float[] flat(float[][] m) {
    int n = 0;
    for (float[] r : m) {
      n += r.length;
    }
    float[] out = new float[n];
    int k = 0;
    for (float[] r : m) {
      System.arraycopy(r, 0, out, k, r.length);
      k += r.length;
    }
    return out;
  }
}
