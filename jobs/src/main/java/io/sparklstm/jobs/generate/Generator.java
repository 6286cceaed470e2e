package io.sparklstm.jobs.generate;

import io.sparklstm.jobs.config.GenerateSection;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** Builds the synthetic dataset with Spark: {@code spark.range(count)}, one seeded row generator per id. */
public final class Generator {
  private Generator() {
  }

  /** The dataset configured by {@code g} (lazy). */
  public static Dataset<Row> generate(SparkSession spark, GenerateSection g) {
    int partitions = g.partitions() > 0 ? g.partitions() : spark.sparkContext().defaultParallelism();
    Dataset<Long> ids = spark.range(0, g.count(), 1, partitions);
    SyntheticSeries gen = new SyntheticSeries(g.seed(), g.features(), g.noise());
    return g.kind() == GenerateSection.Kind.SERIES ? series(ids, g, gen) : windows(ids, g, gen);
  }

  /** Columns {@code series, time, v0 .. v(F-1)}: one row per step. */
  static Dataset<Row> series(Dataset<Long> ids, GenerateSection g, SyntheticSeries gen) {
    int features = g.features();
    int min = g.minLength();
    int max = g.length();
    List<StructField> fields = new ArrayList<>();
    fields.add(DataTypes.createStructField("series", DataTypes.LongType, false));
    fields.add(DataTypes.createStructField("time", DataTypes.LongType, false));
    for (int f = 0; f < features; f++) {
      fields.add(DataTypes.createStructField("v" + f, DataTypes.DoubleType, false));
    }
    FlatMapFunction<Long, Row> rows = id -> {
      double[][] x = gen.values(id, gen.lengthOf(id, min, max));
      List<Row> out = new ArrayList<>(x.length);
      for (int t = 0; t < x.length; t++) {
        Object[] r = new Object[2 + features];
        r[0] = id;
        r[1] = (long) t;
        for (int f = 0; f < features; f++) {
          r[2 + f] = x[t][f];
        }
        out.add(RowFactory.create(r));
      }
      return out.iterator();
    };
    return ids.flatMap(rows, Encoders.row(DataTypes.createStructType(fields)));
  }

  /** Columns {@code id, features [T][F], label}: the DESIGN.md dataset schema, the same shape as window's. */
  static Dataset<Row> windows(Dataset<Long> ids, GenerateSection g, SyntheticSeries gen) {
    int features = g.features();
    int horizon = g.horizon();
    int targets = g.targets();
    int min = g.minLength();
    int max = g.length();
    boolean scalar = horizon * targets == 1;
    StructType schema = DataTypes.createStructType(List.of(
        DataTypes.createStructField("id", DataTypes.LongType, false),
        DataTypes.createStructField("features", DataTypes.createArrayType(
            DataTypes.createArrayType(DataTypes.FloatType, false), false), false),
        DataTypes.createStructField("label",
            scalar ? DataTypes.FloatType : DataTypes.createArrayType(DataTypes.FloatType, false), false)));
    MapFunction<Long, Row> row = id -> {
      int steps = gen.lengthOf(id, min, max);
      double[][] x = gen.values(id, steps + horizon);
      float[][] feats = new float[steps][features];
      for (int t = 0; t < steps; t++) {
        for (int f = 0; f < features; f++) {
          feats[t][f] = (float) x[t][f];
        }
      }
      float[] label = new float[horizon * targets];
      for (int h = 0; h < horizon; h++) {
        for (int j = 0; j < targets; j++) {
          label[h * targets + j] = (float) x[steps + h][j];
        }
      }
      return RowFactory.create(id, feats, scalar ? (Object) label[0] : label);
    };
    return ids.map(row, Encoders.row(schema));
  }
}
