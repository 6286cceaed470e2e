package io.sparklstm.train;

import io.sparklstm.model.LossType;
import io.sparklstm.model.SequenceBatch;
import io.sparklstm.model.SequenceModel;
import io.sparklstm.train.optim.GradClip;
import io.sparklstm.train.optim.Optimizer;

/**
 * One optimisation step per mini-batch, as a PyTorch training loop does:
 * {@code loss = criterion(model(x), y); loss.backward(); clip_grad_norm_(...); optimizer.step()}.
 * Also trains a shard's share of a round ({@link #trainBatches}). Not thread-safe: one per thread
 * (it owns the model's workspace and a gradient buffer).
 */
public final class Trainer {
  private final SequenceModel model;
  private final LossType loss;
  private final Optimizer optimizer;
  private final double clipGradNorm;
  private final int tbptt;
  private final SequenceModel.Workspace workspace;
  private final float[] grads;

  /**
   * @param clipGradNorm max global L2 norm of the gradient, 0 = no clipping
   * @param tbptt        truncated-BPTT chunk length in steps, 0 = full BPTT
   */
  public Trainer(SequenceModel model, LossType loss, Optimizer optimizer, double clipGradNorm, int tbptt) {
    if (clipGradNorm < 0) {
      throw new IllegalArgumentException("clip-grad-norm must be >= 0, got " + clipGradNorm);
    }
    if (tbptt < 0) {
      throw new IllegalArgumentException("tbptt must be >= 0, got " + tbptt);
    }
    if (tbptt > 0 && model.config().lstm().bidirectional()) {
      throw new IllegalArgumentException("truncated BPTT needs a unidirectional LSTM: the reverse direction "
          + "of a chunk would depend on steps after it");
    }
    this.model = model;
    this.loss = loss;
    this.optimizer = optimizer;
    this.clipGradNorm = clipGradNorm;
    this.tbptt = tbptt;
    this.workspace = model.newWorkspace();
    this.grads = new float[model.layout().size()];
  }

  public SequenceModel model() {
    return model;
  }

  public Optimizer optimizer() {
    return optimizer;
  }

  public LossType loss() {
    return loss;
  }

  /** The gradient of the last step (after clipping), in the model's layout. Shared. */
  public float[] lastGradient() {
    return grads;
  }

  /**
   * Forward, loss, backward, clipping and one optimizer step on {@code batch}; returns the batch's
   * mean loss. Dropout masks come from {@code dropoutSeed}.
   */
  public double step(TrainingState state, SequenceBatch batch, long dropoutSeed) {
    return step(state, batch, dropoutSeed, optimizer);
  }

  private double step(TrainingState state, SequenceBatch batch, long dropoutSeed, Optimizer rule) {
    double l = model.lossAndGradient(state.parameters(), grads, batch, loss, tbptt, dropoutSeed, workspace);
    if (clipGradNorm > 0) {
      GradClip.clipGradNorm(grads, model.layout(), clipGradNorm);
    }
    rule.step(state.parameters(), grads, state.optimizer());
    return l;
  }

  /** What a shard returns from a round: its trained state, how many sequences it saw, its loss sum. */
  public record ShardResult(int shard, TrainingState state, long sequences, double lossSum) {}

  /**
   * Trains {@code batches} in order from {@code state} (changed in place) and returns the shard's
   * result. The loss sum weights each batch's mean loss by its sequence count. Batch {@code i}'s
   * dropout seed is {@link Seeds#dropout(long, int, int, long)} of its index in the shard's epoch.
   *
   * @throws DivergenceException on a non-finite loss or parameter, naming where
   */
  public ShardResult trainBatches(TrainingState state, Iterable<SequenceBatch> batches, long seed, int epoch,
                                  int round, int shard, long firstBatchIndex) {
    return trainBatches(state, batches, seed, epoch, round, shard, firstBatchIndex, optimizer.learningRate());
  }

  /** As above, with the optimizer's learning rate set to {@code learningRate} for the round. */
  public ShardResult trainBatches(TrainingState state, Iterable<SequenceBatch> batches, long seed, int epoch,
                                  int round, int shard, long firstBatchIndex, double learningRate) {
    Optimizer rule = optimizer.withLearningRate(learningRate);
    long sequences = 0;
    double lossSum = 0;
    long index = firstBatchIndex;
    for (SequenceBatch batch : batches) {
      double l = step(state, batch, Seeds.dropout(seed, epoch, shard, index), rule);
      if (!Double.isFinite(l)) {
        throw divergence("loss is " + l, epoch, round, shard, index);
      }
      sequences += batch.size();
      lossSum += l * batch.size();
      index++;
    }
    for (float p : state.parameters()) {
      if (!Float.isFinite(p)) {
        throw divergence("a parameter became " + p, epoch, round, shard, index - 1);
      }
    }
    return new ShardResult(shard, state, sequences, lossSum);
  }

  /** Every number in the message counts from 1, as the per-epoch log lines do; batch = the shard's n-th. */
  private static DivergenceException divergence(String what, int epoch, int round, int shard, long batch) {
    return new DivergenceException("training diverged at epoch " + (epoch + 1) + ", round " + (round + 1)
        + ", shard " + (shard + 1) + ", batch " + (batch + 1) + ": " + what
        + "; lower train.optimizer.learning-rate or set train.clip-grad-norm (e.g. 1.0)");
  }
}
