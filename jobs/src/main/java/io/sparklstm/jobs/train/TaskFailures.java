package io.sparklstm.jobs.train;

import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.Success$;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/** Counts task attempts that failed (and were retried by Spark), for the per-epoch report. */
final class TaskFailures extends SparkListener {
  private final AtomicLong failed = new AtomicLong();

  @Override
  public void onTaskEnd(SparkListenerTaskEnd end) {
    if (end.reason() != Success$.MODULE$) {
      failed.incrementAndGet();
    }
  }

  /** Failed attempts since the last call. */
  long takeCount() {
    return failed.getAndSet(0);
  }
}
