package io.sparklstm.train;

import io.sparklstm.lstm.Kernels;
import io.sparklstm.model.LossType;
import io.sparklstm.model.ModelConfig;
import io.sparklstm.model.SequenceModel;
import io.sparklstm.train.optim.Optimizer;
import java.io.Serializable;

/**
 * Everything that decides how a run trains, in one serializable value that the driver ships to
 * executors: the model, loss and optimizer, and the averaging loop's settings (DESIGN.md section 7).
 *
 * @param clipGradNorm       max global gradient L2 norm, 0 = off
 * @param tbptt              truncated-BPTT chunk length, 0 = full BPTT
 * @param batchSize          sequences per mini-batch (per worker)
 * @param workers            W, the number of data shards
 * @param averagingFrequency mini-batches per shard between averages, 0 = once per epoch
 * @param shuffle            permute rows every epoch (seeded by seed and epoch)
 * @param seed               the seed of every random stream of the run
 */
public record TrainingSetup(ModelConfig model, LossType loss, Optimizer optimizer, double clipGradNorm, int tbptt,
                            int batchSize, int workers, int averagingFrequency, boolean shuffle, long seed)
    implements Serializable {

  public TrainingSetup {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
    }
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be >= 1, got " + workers);
    }
    new RoundSchedule(averagingFrequency);
  }

  /** A trainer for this setup on the given kernels (one per thread). */
  public Trainer newTrainer(Kernels kernels) {
    return new Trainer(new SequenceModel(model, kernels), loss, optimizer, clipGradNorm, tbptt);
  }

  public RoundSchedule schedule() {
    return new RoundSchedule(averagingFrequency);
  }

  /** Where each row trains in an epoch, for N rows. */
  public ShardPlan plan(long rows) {
    return new ShardPlan(rows, workers, shuffle, seed);
  }
}
