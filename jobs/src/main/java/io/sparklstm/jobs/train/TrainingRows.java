package io.sparklstm.jobs.train;

import io.sparklstm.jobs.io.RowNumbers;
import io.sparklstm.train.LabeledSequence;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.storage.StorageLevel;

/** A dataset decoded once into training rows numbered in input order, and cached. */
public final class TrainingRows {
  public final JavaRDD<LabeledSequence> rows;
  public final long count;
  /** The longest sequence, in steps. */
  public final long maxSteps;

  private TrainingRows(JavaRDD<LabeledSequence> rows, long count, long maxSteps) {
    this.rows = rows;
    this.count = count;
    this.maxSteps = maxSteps;
  }

  /**
   * Checks the schema ({@code what} names the dataset in errors), numbers the rows in the order
   * Spark reads them, decodes and validates every row, and caches the result.
   */
  public static TrainingRows decode(Dataset<Row> data, RowDecoder decoder, String what) {
    return decode(data, decoder, what, true);
  }

  /**
   * As {@link #decode(Dataset, RowDecoder, String)}; without {@code cache} the rows are decoded again
   * by each later pass (for training, which keeps its own compact copy: docs/DATA_LAYOUT.md).
   */
  public static TrainingRows decode(Dataset<Row> data, RowDecoder decoder, String what, boolean cache) {
    RowDecoder bound = decoder.checkSchema(data.schema(), what);
    JavaRDD<LabeledSequence> rows = RowNumbers.zipWithIndex(data)
        .map(t -> bound.decode(t._1(), t._2()));
    if (cache) {
      rows = rows.persist(StorageLevel.MEMORY_AND_DISK());
    }
    int inputSize = bound.inputSize();
    long[] stats = rows.mapPartitions(it -> {
      long n = 0;
      long max = 0;
      while (it.hasNext()) {
        n++;
        max = Math.max(max, it.next().features().length / inputSize);
      }
      return List.of(new long[] {n, max}).iterator();
    }).fold(new long[] {0, 0}, (a, b) -> new long[] {a[0] + b[0], Math.max(a[1], b[1])});
    return new TrainingRows(rows, stats[0], stats[1]);
  }

  /**
   * The rows numbered and counted without decoding them (a count of each input partition): the pass
   * that uses them decodes and checks them. For training, whose placement is that pass
   * ({@link BlockStore}); {@link #maxSteps} is then -1, not known yet.
   */
  public static TrainingRows counted(Dataset<Row> data, RowDecoder decoder, String what) {
    RowDecoder bound = decoder.checkSchema(data.schema(), what);
    RowNumbers.Counted<InternalRow> numbered = RowNumbers.numberInternal(data);
    return new TrainingRows(numbered.rows().map(t -> bound.decode(t._1(), t._2())), numbered.count(), -1);
  }

  public void release() {
    rows.unpersist(false);
  }
}
