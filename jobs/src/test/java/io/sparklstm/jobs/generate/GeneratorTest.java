package io.sparklstm.jobs.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklstm.jobs.Rows;
import io.sparklstm.jobs.TestSpark;
import io.sparklstm.jobs.config.JobConfig;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class GeneratorTest {
  private static final SparkSession SPARK = TestSpark.session();

  private static List<Row> generate(String hocon) {
    var df = Generator.generate(SPARK, JobConfig.parse("generate { " + hocon + " }").generate());
    return (hocon.contains("kind = windows") ? df.orderBy("id") : df.orderBy("series", "time")).collectAsList();
  }

  @Test
  void seriesAreDeterministicWhateverThePartitioning() {
    List<Row> a = generate("count = 5, length = 20, features = 2, seed = 3, partitions = 1");
    List<Row> b = generate("count = 5, length = 20, features = 2, seed = 3, partitions = 3");
    assertEquals(100, a.size());
    assertEquals(a, b);
    List<Row> c = generate("count = 5, length = 20, features = 2, seed = 4, partitions = 1");
    assertNotEquals(a, c);
  }

  @Test
  void seriesSchema() {
    StructType schema = Generator.generate(SPARK, JobConfig.parse("generate.features = 3").generate()).schema();
    assertEquals(List.of("series", "time", "v0", "v1", "v2"), List.of(schema.fieldNames()));
    assertEquals(DataTypes.LongType, schema.apply("time").dataType());
    assertEquals(DataTypes.DoubleType, schema.apply("v0").dataType());
  }

  @Test
  void windowsHaveTheDatasetSchemaAndVariableLengths() {
    String conf = "kind = windows, count = 50, length = 12, min-length = 4, features = 3, horizon = 2, targets = 2";
    List<Row> a = generate(conf + ", partitions = 2");
    List<Row> b = generate(conf + ", partitions = 5");
    assertEquals(50, a.size());
    assertEquals(a.toString(), b.toString());
    StructType schema = a.get(0).schema();
    assertEquals(List.of("id", "features", "label"), List.of(schema.fieldNames()));
    assertEquals(DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.FloatType, false), false),
        schema.apply("features").dataType());
    int minT = Integer.MAX_VALUE;
    int maxT = 0;
    for (Row r : a) {
      float[][] f = Rows.floats2(r, "features");
      minT = Math.min(minT, f.length);
      maxT = Math.max(maxT, f.length);
      assertEquals(3, f[0].length);
      assertEquals(4, Rows.floats(r, "label").length, "label = horizon * targets");
    }
    assertTrue(minT >= 4 && maxT <= 12 && minT < maxT, minT + ".." + maxT);
  }

  @Test
  void windowLabelIsTheContinuationOfTheSeries() {
    SyntheticSeries gen = new SyntheticSeries(42, 2, 0.1);
    double[][] x = gen.values(7, 11);
    Row r = generate("kind = windows, count = 8, length = 10, features = 2").get(7);
    assertEquals((float) x[10][0], r.getFloat(2));
    assertEquals((float) x[9][1], Rows.floats2(r, "features")[9][1]);
  }
}
