package io.sparklstm.jobs.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.Success$;
import org.apache.spark.TaskFailedReason;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * Counts task attempts that failed (and were retried by Spark), for the per-epoch report, and keeps
 * the first reason of each kind (up to three kinds; a kind is the reason with its numbers removed,
 * so "training round 3, partition 1" and "training round 4, partition 1" are one kind).
 */
final class TaskFailures extends SparkListener {
  private static final int KINDS = 3;

  private long failed;
  private final Map<String, String> examples = new LinkedHashMap<>();

  @Override
  public synchronized void onTaskEnd(SparkListenerTaskEnd end) {
    if (end.reason() == Success$.MODULE$) {
      return;
    }
    failed++;
    String reason = end.reason() instanceof TaskFailedReason f ? f.toErrorString() : String.valueOf(end.reason());
    reason = reason.lines().findFirst().orElse("").strip();
    if (examples.size() < KINDS) {
      examples.putIfAbsent(reason.replaceAll("\\d+", "#"), reason);
    }
  }

  /** Failed attempts since the last call. */
  synchronized long takeCount() {
    long n = failed;
    failed = 0;
    return n;
  }

  /** The first reason of each kind since the last call. */
  synchronized List<String> takeExamples() {
    List<String> list = new ArrayList<>(examples.values());
    examples.clear();
    return list;
  }
}
