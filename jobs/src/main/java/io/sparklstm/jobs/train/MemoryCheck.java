package io.sparklstm.jobs.train;

import io.sparklstm.jobs.UserError;
import io.sparklstm.train.TrainingSetup;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;

/**
 * Refuses, before any training, a configuration whose mini-batches cannot fit in a task's share
 * of executor memory, naming the estimate and what to change. The estimate is the BPTT working
 * set of the longest mini-batch ({@link TrainingSetup#taskMemoryBytes}); a task's share is 60% of
 * (executor heap - the 300 MiB Spark reserves), divided among the executor's concurrent tasks
 * (Spark's storage and execution memory take the rest).
 */
final class MemoryCheck {
  private static final long RESERVED = 300L << 20;
  private static final double SHARE = 0.6;

  private MemoryCheck() {}

  /** The heap of one executor, and how many tasks it runs at once. */
  record Executors(long heapBytes, int concurrentTasks, String source) {
    long perTaskBytes() {
      return (long) (SHARE * Math.max(0, heapBytes - RESERVED) / concurrentTasks);
    }
  }

  static Executors executors(SparkContext sc) {
    SparkConf conf = sc.getConf();
    int taskCpus = conf.getInt("spark.task.cpus", 1);
    if (sc.isLocal()) {
      long heap = Runtime.getRuntime().maxMemory();
      return new Executors(heap, Math.max(1, sc.defaultParallelism() / taskCpus),
          "driver heap " + human(heap) + " (SPARK_LSTM_DRIVER_MEMORY), " + sc.defaultParallelism() + " local cores");
    }
    long heap = conf.getSizeAsBytes("spark.executor.memory", "1g");
    int cores = conf.getInt("spark.executor.cores", 1);
    return new Executors(heap, Math.max(1, cores / taskCpus),
        "spark.executor.memory " + human(heap) + ", spark.executor.cores " + cores);
  }

  /** Throws a UserError when training sequences of up to {@code maxSteps} steps would not fit. */
  static void check(TrainingSetup setup, long maxSteps, Executors executors) {
    long need = setup.taskMemoryBytes(maxSteps);
    long have = executors.perTaskBytes();
    if (need <= have) {
      return;
    }
    String bptt = setup.tbptt() > 0 ? "truncated BPTT over " + setup.tbptt() + " steps" : "full BPTT";
    String advice = setup.tbptt() > 0
        ? "lower train.tbptt or train.batch-size"
        : "set train.tbptt (e.g. " + roundDown(Math.max(1, maxSteps * have / need / 2)) + ") to backpropagate through chunks,"
            + " or lower train.batch-size";
    throw new UserError("train: a mini-batch of " + setup.batchSize() + " sequences of up to " + maxSteps
        + " steps needs about " + human(need) + " per task for " + bptt + ", but a task has about " + human(have)
        + " (" + executors.source() + "); " + advice + ", or give executors more memory");
  }

  /** The largest 1, 2 or 5 times a power of ten not above {@code n}. */
  static long roundDown(long n) {
    long p = 1;
    while (p * 10 <= n) {
      p *= 10;
    }
    return n >= 5 * p ? 5 * p : n >= 2 * p ? 2 * p : p;
  }

  static String human(long bytes) {
    if (bytes >= 1L << 30) {
      return String.format("%.1f GiB", bytes / (double) (1L << 30));
    }
    return String.format("%.0f MiB", bytes / (double) (1L << 20));
  }
}
