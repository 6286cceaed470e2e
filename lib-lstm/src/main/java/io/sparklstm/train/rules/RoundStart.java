package io.sparklstm.train.rules;

import io.sparklstm.train.TrainingState;
import io.sparklstm.train.optim.OptimizerState;
import java.io.Serializable;

/**
 * What the driver sends the shards for a round: the parameters and optimizer state they start from,
 * each shard's own optimizer state when {@code train.inner-state = keep}, and the round's learning rate.
 *
 * @param shards per shard index, its own optimizer state; null = every shard starts from {@code state}'s
 */
public record RoundStart(TrainingState state, OptimizerState[] shards, double learningRate) implements Serializable {

  /** An independent copy of shard {@code shard}'s start state, for it to train in place. */
  public TrainingState forShard(int shard) {
    if (shards == null) {
      return state.copy();
    }
    return new TrainingState(state.parameters().clone(), shards[shard].copy());
  }
}
