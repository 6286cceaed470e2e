package io.sparklstm.train;

/**
 * Every random stream of a training run is derived from {@code train.seed} and where it is used, so
 * a batch trains identically however Spark schedules it, retries it, or resumes the run.
 */
public final class Seeds {
  private Seeds() {}

  /** The dropout seed of batch {@code batch} of shard {@code shard} in epoch {@code epoch}. */
  public static long dropout(long seed, int epoch, int shard, long batch) {
    long z = mix(seed ^ 0x5DEECE66DL);
    z = mix(z + epoch);
    z = mix(z + shard);
    return mix(z + batch);
  }

  /** The parameter-initialisation seed. */
  public static long init(long seed) {
    return mix(seed ^ 0x1DL);
  }

  private static long mix(long z) {
    z += 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
