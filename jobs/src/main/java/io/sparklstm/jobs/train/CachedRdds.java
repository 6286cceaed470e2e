package io.sparklstm.jobs.train;

import org.apache.spark.api.java.JavaRDD;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Releasing what a run cached (training blocks, validation batches). */
final class CachedRdds {
  private static final Logger LOG = LoggerFactory.getLogger(CachedRdds.class);

  private CachedRdds() {}

  /**
   * Removes {@code rdd}'s cached blocks, waiting for it: a removal still under way when the session
   * stops finds its spilled blocks' files deleted, and Spark warns once per block ("Block rdd_N_M could
   * not be removed as it was not found on disk or in memory"). A failure to remove (the session already
   * stopped) must not hide the error that ended the run: it is logged at debug level.
   *
   * @param what what the blocks are, for that debug line
   */
  static void release(JavaRDD<?> rdd, String what) {
    try {
      rdd.unpersist(true);
    } catch (RuntimeException e) {
      LOG.debug("could not remove the cached {}", what, e);
    }
  }
}
