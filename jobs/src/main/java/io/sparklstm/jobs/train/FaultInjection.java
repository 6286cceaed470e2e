package io.sparklstm.jobs.train;

import java.util.Map;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Test-only faults, so tests can show how training survives them. Set in the config's
 * {@code spark.conf} (or as Spark settings):
 * <ul>
 *   <li>{@code spark.sparklstm.test.failFirstAttempts = true}: the first attempt of every
 *       odd-numbered partition of every training round and every averaging reduce (when the
 *       state is large enough to be averaged on the executors) fails; with
 *       {@code spark.task.maxFailures >= 2} (local masters: {@code local[N,F]}) Spark retries them,
 *       and the model must not change; in direct rounds ({@link DirectRounds}) the first attempt
 *       of every odd-numbered shard task fails in round 2 of an epoch's first attempt instead, so
 *       the epoch restarts;</li>
 *   <li>{@code spark.sparklstm.test.averageOnExecutors = n}: every round's average is taken on the
 *       executors in slices of n floats, however small the state (so the reduce tasks exist and can
 *       fail); the model must not change;</li>
 *   <li>{@code spark.sparklstm.test.nanAtEpoch = e}: in epoch e (1-based), shard 0 starts its first
 *       round from a NaN parameter, as a numerical blow-up would leave it; training must stop with
 *       a divergence error.</li>
 * </ul>
 */
final class FaultInjection {
  static final String FAIL_FIRST_ATTEMPTS = "spark.sparklstm.test.failFirstAttempts";
  static final String NAN_AT_EPOCH = "spark.sparklstm.test.nanAtEpoch";
  static final String AVERAGE_ON_EXECUTORS = "spark.sparklstm.test.averageOnExecutors";

  /** Set by the loop on the driver per direct epoch attempt (1, 2, ...), read by the tasks. */
  static final String EPOCH_ATTEMPT = "spark.sparklstm.internal.epochAttempt";

  private FaultInjection() {}

  /** Copies the test settings from the config's spark.conf and Spark's conf into job-local properties. */
  static void configure(JavaSparkContext sc, Map<String, String> sparkConf) {
    for (String key : new String[] {FAIL_FIRST_ATTEMPTS, NAN_AT_EPOCH, AVERAGE_ON_EXECUTORS}) {
      String value = sparkConf.getOrDefault(key, sc.getConf().get(key, null));
      if (value != null) {
        sc.setLocalProperty(key, value);
      }
    }
  }

  /** Applies {@code averageOnExecutors} to {@code loop} when it is set. */
  static void configure(JavaSparkContext sc, SparkAveragingLoop loop) {
    String floats = sc.getLocalProperty(AVERAGE_ON_EXECUTORS);
    if (floats != null) {
      loop.averageOnExecutors(Integer.parseInt(floats));
    }
  }

  /** Throws in the first attempt of an odd partition when enabled; {@code where} names the stage. */
  static void maybeFail(String where) {
    TaskContext task = TaskContext.get();
    if (task == null || !Boolean.parseBoolean(task.getLocalProperty(FAIL_FIRST_ATTEMPTS))) {
      return;
    }
    if (task.attemptNumber() == 0 && task.partitionId() % 2 == 1) {
      throw new IllegalStateException("injected failure (" + FAIL_FIRST_ATTEMPTS + "): " + where + ", partition "
          + task.partitionId() + ", attempt 0");
    }
  }

  /** Direct rounds: throws in round 2 of the first attempt of an odd partition in an epoch's first attempt. */
  static void maybeFailMidEpoch(int round, String where) {
    TaskContext task = TaskContext.get();
    if (round == 1 && task != null && "1".equals(task.getLocalProperty(EPOCH_ATTEMPT))) {
      maybeFail(where);
    }
  }

  /** Sets parameter 0 to NaN when this is shard 0's first round of the configured epoch. */
  static void maybeCorrupt(float[] parameters, int epoch, int round, int shard) {
    TaskContext task = TaskContext.get();
    String at = task == null ? null : task.getLocalProperty(NAN_AT_EPOCH);
    if (at != null && Integer.parseInt(at) == epoch + 1 && round == 0 && shard == 0) {
      parameters[0] = Float.NaN;
    }
  }
}
