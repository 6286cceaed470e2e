package io.sparklstm.train;

import io.sparklstm.lstm.Kernels;
import io.sparklstm.lstm.LstmTape;
import io.sparklstm.model.ParameterLayout;
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

  /**
   * Working memory one task needs to train a mini-batch of sequences up to {@code maxSteps} long:
   * the LSTM's tape (for a chunk of {@code tbptt} steps when set), the head's buffers, the batch,
   * and the task's copies of parameters, gradients and optimizer state. An estimate for checks
   * before training; the JVM's own overhead is not included.
   */
  public long taskMemoryBytes(long maxSteps) {
    long steps = tbptt > 0 ? Math.min(tbptt, maxSteps) : maxSteps;
    long rows = (long) batchSize * steps;
    long tape = LstmTape.bytesFor(model.lstm(), rows, batchSize, true);
    long head = 4L * rows * 2 * (model.predictionSize() + model.lstm().outputSize());
    long batch = 4L * batchSize * maxSteps * (model.lstm().inputSize() + model.predictionSize());
    long state = 4L * ParameterLayout.of(model).size() * (2 + optimizer.bufferCount());
    return tape + head + batch + state;
  }

  /**
   * Where each row trains in an epoch, for N rows. A group (G blocks of R rows) is a whole number of
   * rounds, k * ceil(8 / k) mini-batches (32 when k = 0), so a round reads only its own blocks; G = 4
   * (or 2, 1) divides it. Blocks hold at least {@value #MIN_BLOCK_ROWS} rows, which bounds the number
   * of cached blocks; a block raised to that size forms a group on its own (G = 1).
   */
  public ShardPlan plan(long rows) {
    int k = averagingFrequency;
    long groupBatches = k > 0 ? (long) k * ((8 + k - 1) / k) : 32;
    int g = groupBatches % 4 == 0 ? 4 : groupBatches % 2 == 0 ? 2 : 1;
    long blockBatches = groupBatches / g;
    long minBatches = (MIN_BLOCK_ROWS + batchSize - 1) / batchSize;
    if (blockBatches < minBatches) {
      blockBatches = minBatches;
      g = 1;
    }
    return new ShardPlan(rows, workers, shuffle, seed, blockBatches * batchSize, g);
  }

  /** The least rows of a block. */
  public static final int MIN_BLOCK_ROWS = 256;
}
