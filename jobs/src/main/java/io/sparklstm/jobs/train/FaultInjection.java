package io.sparklstm.jobs.train;

import org.apache.spark.TaskContext;

/**
 * Test-only: fails chosen task attempts so tests can show that Spark's retries leave the model
 * bit-identical. Enabled by the Spark setting {@code spark.sparklstm.test.failFirstAttempts=true}
 * (e.g. {@code spark.conf { "spark.sparklstm.test.failFirstAttempts" = true }}): then the first
 * attempt of every odd-numbered partition of the training rounds and of the averaging reduce
 * fails. Needs {@code spark.task.maxFailures >= 2} (local masters: {@code local[N,F]}).
 */
final class FaultInjection {
  static final String KEY = "spark.sparklstm.test.failFirstAttempts";

  private FaultInjection() {}

  /** Throws in the first attempt of an odd partition when enabled; {@code where} names the stage. */
  static void maybeFail(String where) {
    TaskContext task = TaskContext.get();
    if (task == null || !Boolean.parseBoolean(task.getLocalProperty(KEY))) {
      return;
    }
    if (task.attemptNumber() == 0 && task.partitionId() % 2 == 1) {
      throw new IllegalStateException("injected failure (" + KEY + "): " + where + ", partition "
          + task.partitionId() + ", attempt 0");
    }
  }
}
