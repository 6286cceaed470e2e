package io.sparklstm.jobs.train;

import io.sparklstm.jobs.UserError;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * {@code train.round-exchange}: how the shards and the driver exchange states between rounds.
 * {@code jobs}: one Spark job per round. {@code direct}: one Spark job per epoch whose tasks exchange
 * states with the driver over TCP ({@link DirectRounds}). {@code auto}: direct where it can run.
 */
public enum RoundExchange {
  AUTO, DIRECT, JOBS;

  public static RoundExchange of(String value) {
    return valueOf(value.toUpperCase());
  }

  /** What an epoch uses, and why (for the log). */
  record Choice(boolean direct, String reason) {}

  /**
   * Direct needs a task slot per shard at once (its tasks wait for each other), no dynamic allocation
   * (slots may go away) and the shards' states small enough for the driver (with Spark's network
   * encryption on, its frames are encrypted too); {@code auto} also wants several rounds of several
   * shards (else there is no round's job to save). {@code direct} where it cannot run is a user error.
   *
   * @param shards        shards with batches this epoch
   * @param onDriver      whether the round's states are averaged on the driver
   */
  Choice choose(JavaSparkContext sc, int shards, int rounds, boolean onDriver) {
    if (this == JOBS) {
      return new Choice(false, "train.round-exchange = jobs");
    }
    String cause = null;
    int slots = slots(sc);
    if (this == AUTO && (shards < 2 || rounds < 2)) {
      return new Choice(false, "an epoch of " + rounds + " round(s) of " + shards + " shard(s): no round to save");
    }
    if (slots < shards) {
      cause = "needs " + shards + " task slots at once, the application has " + slots;
    } else if (sc.getConf().getBoolean("spark.dynamicAllocation.enabled", false) && !sc.isLocal()) {
      cause = "needs a fixed set of executors, and spark.dynamicAllocation.enabled is true";
    } else if (!onDriver) {
      cause = "the shards' states are too large to gather on the driver";
    }
    if (cause == null) {
      return new Choice(true, "one Spark job per epoch, " + shards + " shards on " + slots + " task slots"
          + (DirectRounds.encrypted(sc) ? ", AES-GCM frames (spark.network.crypto.enabled)" : ""));
    }
    if (this == DIRECT) {
      throw new UserError("train.round-exchange = direct " + cause + "; use train.round-exchange=auto or jobs");
    }
    return new Choice(false, "direct " + cause);
  }

  /** Tasks the application runs at once: executors x cores / task.cpus (local[N]: N). */
  static int slots(JavaSparkContext sc) {
    try {
      return sc.sc().maxNumConcurrentTasks(sc.sc().resourceProfileManager().defaultResourceProfile());
    } catch (RuntimeException e) {
      return Math.max(1, sc.defaultParallelism());
    }
  }
}
