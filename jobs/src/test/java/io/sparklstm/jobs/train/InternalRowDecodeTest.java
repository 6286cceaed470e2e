package io.sparklstm.jobs.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sparklstm.jobs.TestSpark;
import io.sparklstm.lstm.LstmConfig;
import io.sparklstm.model.HeadConfig;
import io.sparklstm.model.HeadMode;
import io.sparklstm.model.LossType;
import io.sparklstm.model.ModelConfig;
import io.sparklstm.train.LabeledSequence;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.junit.jupiter.api.Test;

/** Decoding Spark's internal rows (training's placement) gives what decoding {@link Row}s gives, errors included. */
class InternalRowDecodeTest {
  private static final SparkSession SPARK = TestSpark.session();

  /** Rows as JSON: features [T][2], label by head mode; {@code type} the features' value type. */
  private static Dataset<Row> table(String type, String label, String... rows) {
    return SPARK.read().schema("features array<array<" + type + ">>, label " + label)
        .json(SPARK.createDataset(List.of(rows), org.apache.spark.sql.Encoders.STRING()));
  }

  private static RowDecoder decoder(HeadMode mode, LossType loss, int outputs, Dataset<Row> data) {
    ModelConfig model = new ModelConfig(new LstmConfig(2, 3, 1, true, false, 0, false, 0),
        new HeadConfig(outputs, mode));
    return new RowDecoder("features", "label", model, loss, true).checkSchema(data.schema(), "data.train");
  }

  private static void assertSameRows(RowDecoder decoder, Dataset<Row> data) {
    List<Row> rows = data.collectAsList();
    List<InternalRow> internal = data.queryExecution().toRdd().toJavaRDD().map(InternalRow::copy).collect();
    assertEquals(rows.size(), internal.size());
    for (int i = 0; i < rows.size(); i++) {
      LabeledSequence a = decoder.decode(rows.get(i), i);
      LabeledSequence b = decoder.decode(internal.get(i), i);
      assertEquals(a.index(), b.index());
      assertArrayEquals(a.features(), b.features(), "row " + i);
      assertArrayEquals(a.targets(), b.targets(), "row " + i);
      assertArrayEquals(a.classes(), b.classes(), "row " + i);
    }
  }

  @Test
  void floatDoubleAndIntegerFeaturesWithEachKindOfLabel() {
    for (String type : new String[] {"float", "double", "int"}) {
      String[] rows = type.equals("int")
          ? new String[] {"{\"features\": [[1, -2], [0, 30000]], \"label\": %s}", "{\"features\": [[3, 7]], \"label\": %s}"}
          : new String[] {"{\"features\": [[1.5, -2], [0.1, 3e38]], \"label\": %s}",
              "{\"features\": [[0.3333333333, 7]], \"label\": %s}"};
      Dataset<Row> last = table(type, "double", String.format(rows[0], "0.25"), String.format(rows[1], "-1"));
      assertSameRows(decoder(HeadMode.LAST, LossType.MSE, 1, last), last);
      Dataset<Row> classes = table(type, "array<int>", String.format(rows[0], "[0, 2]"), String.format(rows[1], "[1]"));
      assertSameRows(decoder(HeadMode.EVERY_STEP, LossType.CROSS_ENTROPY, 3, classes), classes);
    }
  }

  @Test
  void aBadRowGetsTheRowPathsMessage() {
    String[] bad = {"{\"features\": null, \"label\": 1}", "{\"features\": [], \"label\": 1}",
        "{\"features\": [[1, 2], null], \"label\": 1}", "{\"features\": [[1, 2, 3]], \"label\": 1}",
        "{\"features\": [[1, null]], \"label\": 1}", "{\"features\": [[1, 1e300]], \"label\": 1}",
        "{\"features\": [[1, 2]], \"label\": null}"};
    for (String row : bad) {
      Dataset<Row> data = table("double", "double", row);
      RowDecoder decoder = decoder(HeadMode.LAST, LossType.MSE, 1, data);
      DataError expected = assertThrows(DataError.class, () -> decoder.decode(data.collectAsList().get(0), 4), row);
      InternalRow internal = data.queryExecution().toRdd().toJavaRDD().map(InternalRow::copy).collect().get(0);
      DataError actual = assertThrows(DataError.class, () -> decoder.decode(internal, 4), row);
      assertEquals(expected.getMessage(), actual.getMessage());
    }
  }
}
