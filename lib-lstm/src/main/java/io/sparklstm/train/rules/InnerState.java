package io.sparklstm.train.rules;

/**
 * {@code train.inner-state}: what happens to the workers' optimizer state (Adam's moments, SGD's
 * momentum buffer, the step count) at a round.
 */
public enum InnerState {
  /** Every shard starts the next round from the sequence-weighted mean of the states (DESIGN.md section 7). */
  AVERAGE,
  /** Each shard keeps its own state across rounds, held on the driver per shard index and checkpointed. */
  KEEP,
  /** The mean, with the first buffer (Adam's exp_avg, SGD's momentum_buffer) set to zero; the step count kept. */
  RESET_FIRST_MOMENT
}
