package io.sparklstm.jobs.window;

import java.io.Serializable;
import org.apache.spark.SparkContext;
import org.apache.spark.util.LongAccumulator;

/** What a window run counted, summed over tasks with Spark accumulators. */
public final class WindowCounts implements Serializable {
  private static final long serialVersionUID = 1L;

  final LongAccumulator written;
  final LongAccumulator dropped;
  final LongAccumulator skippedRows;

  private WindowCounts(LongAccumulator written, LongAccumulator dropped, LongAccumulator skippedRows) {
    this.written = written;
    this.dropped = dropped;
    this.skippedRows = skippedRows;
  }

  /** Accumulators registered with {@code sc}. */
  public static WindowCounts register(SparkContext sc) {
    return new WindowCounts(sc.longAccumulator("windows written"), sc.longAccumulator("windows dropped"),
        sc.longAccumulator("rows without series or time"));
  }

  /** Windows emitted. */
  public long written() {
    return written.value();
  }

  /** Windows dropped because they touch a null or NaN value. */
  public long dropped() {
    return dropped.value();
  }

  /** Input rows ignored because their series id or time is null. */
  public long skippedRows() {
    return skippedRows.value();
  }
}
