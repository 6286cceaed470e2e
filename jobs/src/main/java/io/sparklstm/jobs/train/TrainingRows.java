package io.sparklstm.jobs.train;

import io.sparklstm.train.LabeledSequence;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;

/** A dataset decoded once into training rows numbered in input order, and cached. */
public final class TrainingRows {
  public final JavaRDD<LabeledSequence> rows;
  public final long count;

  private TrainingRows(JavaRDD<LabeledSequence> rows, long count) {
    this.rows = rows;
    this.count = count;
  }

  /**
   * Checks the schema ({@code what} names the dataset in errors), numbers the rows in the order
   * Spark reads them, decodes and validates every row, and caches the result.
   */
  public static TrainingRows decode(Dataset<Row> data, RowDecoder decoder, String what) {
    RowDecoder bound = decoder.checkSchema(data.schema(), what);
    JavaRDD<LabeledSequence> rows = data.javaRDD().zipWithIndex()
        .map(t -> bound.decode(t._1(), t._2()))
        .persist(StorageLevel.MEMORY_AND_DISK());
    long count = rows.count();
    return new TrainingRows(rows, count);
  }

  public void release() {
    rows.unpersist(false);
  }
}
