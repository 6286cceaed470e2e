package io.sparklstm.jobs.train;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.LongAccumulator;

/**
 * What an epoch cost in data movement: the cached blocks' bytes in memory and on disk, the block
 * bytes the rounds read, and the mean round time over the first and the last tenth of the rounds
 * (at least one round each), which shows whether rounds slow down as the epoch goes on.
 */
final class DataMetrics {
  private LongAccumulator read;
  private long readAtStart;
  private long[] cached = {0, 0};
  private long[] roundNanos = new long[0];

  /** The counter tasks add their block bytes to; one per loop. */
  LongAccumulator readCounter(JavaSparkContext sc) {
    if (read == null) {
      read = sc.sc().longAccumulator("spark-lstm block bytes read");
    }
    return read;
  }

  void startEpoch(int rounds) {
    roundNanos = new long[rounds];
    readAtStart = read == null ? 0 : read.value();
  }

  void round(int round, long nanos) {
    roundNanos[round] = nanos;
  }

  void endEpoch(long[] cachedBytes) {
    cached = cachedBytes;
  }

  Map<String, Object> asMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cache_memory_bytes", cached[0]);
    m.put("cache_disk_bytes", cached[1]);
    m.put("blocks_read_bytes", (read == null ? 0 : read.value()) - readAtStart);
    int tenth = Math.max(1, roundNanos.length / 10);
    m.put("round_seconds_start", meanSeconds(0, Math.min(tenth, roundNanos.length)));
    m.put("round_seconds_end", meanSeconds(Math.max(0, roundNanos.length - tenth), roundNanos.length));
    return m;
  }

  private double meanSeconds(int from, int to) {
    long sum = 0;
    for (int i = from; i < to; i++) {
      sum += roundNanos[i];
    }
    return to > from ? sum / 1e9 / (to - from) : 0;
  }
}
