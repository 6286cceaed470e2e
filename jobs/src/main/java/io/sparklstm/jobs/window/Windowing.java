package io.sparklstm.jobs.window;

import static org.apache.spark.sql.functions.col;

import io.sparklstm.jobs.UserError;
import io.sparklstm.jobs.config.WindowSection;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;

/**
 * A long time-series table to windows, with Spark: rows are hash-partitioned by series, sorted by
 * (series, time) within each partition (Spark's sort spills to disk), and streamed through a
 * {@link WindowScanner}. So memory per task is bounded by the window size, whatever the length of a
 * series; but one series is always handled by one task, so a table with a single series (or one
 * huge series) is windowed without parallelism.
 */
public final class Windowing {
  private static final List<String> OUTPUT_COLUMNS = List.of("time", "features", "label");

  private Windowing() {
  }

  /** The windows of {@code input} as configured by {@code w} (lazy: counts fill in when it runs). */
  public static Dataset<Row> windows(Dataset<Row> input, WindowSection w, WindowCounts counts) {
    StructType schema = input.schema();
    Optional<String> series = w.seriesColumn();
    String time = w.timeColumn();
    DataType timeType = field(schema, time, "window.time-column").dataType();
    if (!(timeType instanceof NumericType || timeType instanceof StringType || timeType instanceof DateType
        || timeType instanceof TimestampType || timeType instanceof TimestampNTZType)) {
      throw new UserError("window.time-column: column \"" + time + "\" has type " + timeType.simpleString()
          + "; expected a number, string, date or timestamp");
    }
    DataType seriesType = null;
    if (series.isPresent()) {
      seriesType = field(schema, series.get(), "window.series-column").dataType();
      if (!(seriesType instanceof NumericType || seriesType instanceof StringType || seriesType instanceof BooleanType
          || seriesType instanceof DateType || seriesType instanceof TimestampType)) {
        throw new UserError("window.series-column: column \"" + series.get() + "\" has type "
            + seriesType.simpleString() + "; expected a number, string, date or timestamp");
      }
      if (OUTPUT_COLUMNS.contains(series.get())) {
        throw new UserError("window.series-column: \"" + series.get() + "\" clashes with an output column "
            + OUTPUT_COLUMNS + "; rename it first");
      }
    }
    // The value columns read per step: the features, then targets that are not features.
    List<String> values = new ArrayList<>(w.valueColumns());
    for (String t : w.targetColumns()) {
      if (!values.contains(t)) {
        values.add(t);
      }
    }
    for (String v : values) {
      String key = w.valueColumns().contains(v) ? "window.value-columns" : "window.target-columns";
      DataType type = field(schema, v, key).dataType();
      if (!(type instanceof NumericType)) {
        throw new UserError(key + ": column \"" + v + "\" has type " + type.simpleString() + "; expected a number");
      }
    }
    WindowSpec spec = new WindowSpec(series.isPresent(), w.length(), w.horizon(), w.stride(), values.size(),
        indexes(values, w.valueColumns()), indexes(values, w.targetColumns()));

    List<Column> cols = new ArrayList<>();
    series.ifPresent(s -> cols.add(quoted(s).as("_series")));
    cols.add(quoted(time).as("_time"));
    for (int k = 0; k < values.size(); k++) {
      cols.add(quoted(values.get(k)).cast(DataTypes.DoubleType).as("_v" + k));
    }
    Dataset<Row> steps = input.select(cols.toArray(new Column[0]));
    Dataset<Row> sorted;
    if (series.isPresent()) {
      Dataset<Row> byKey = w.partitions() > 0 ? steps.repartition(w.partitions(), col("_series"))
          : steps.repartition(col("_series"));
      sorted = byKey.sortWithinPartitions("_series", "_time");
    } else {
      sorted = steps.repartition(1).sortWithinPartitions("_time");
    }
    StructType out = outputSchema(series.orElse(null), seriesType, timeType, spec.scalarLabel());
    MapPartitionsFunction<Row, Row> scan = rows -> new WindowScanner(rows, spec, counts);
    return sorted.mapPartitions(scan, Encoders.row(out));
  }

  static StructType outputSchema(String series, DataType seriesType, DataType timeType, boolean scalarLabel) {
    List<StructField> fields = new ArrayList<>();
    if (series != null) {
      fields.add(DataTypes.createStructField(series, seriesType, false));
    }
    fields.add(DataTypes.createStructField("time", timeType, false));
    ArrayType step = DataTypes.createArrayType(DataTypes.FloatType, false);
    fields.add(DataTypes.createStructField("features", DataTypes.createArrayType(step, false), false));
    fields.add(DataTypes.createStructField("label", scalarLabel ? DataTypes.FloatType : step, false));
    return DataTypes.createStructType(fields);
  }

  private static StructField field(StructType schema, String name, String key) {
    for (StructField f : schema.fields()) {
      if (f.name().equals(name)) {
        return f;
      }
    }
    throw new UserError(key + ": no column \"" + name + "\" in the input; its columns are "
        + Arrays.toString(schema.fieldNames()));
  }

  private static Column quoted(String name) {
    return col("`" + name.replace("`", "``") + "`");
  }

  private static int[] indexes(List<String> all, List<String> some) {
    int[] idx = new int[some.size()];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = all.indexOf(some.get(i));
    }
    return idx;
  }
}
