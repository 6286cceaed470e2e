package io.sparklstm.train;

import io.sparklstm.lstm.Kernels;
import io.sparklstm.model.SequenceBatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The parameter-averaging loop of DESIGN.md section 7 in one JVM, without Spark: the same shards,
 * batches, rounds, seeds and averaging arithmetic as the Spark job, so the two give bit-identical
 * models. Used to check the Spark job and to train small data without a cluster.
 */
public final class LocalAveragingLoop {
  private final TrainingSetup setup;
  private final Trainer trainer;
  private final RoundSchedule schedule;

  public LocalAveragingLoop(TrainingSetup setup, Kernels kernels) {
    this.setup = setup;
    this.trainer = setup.newTrainer(kernels);
    this.schedule = setup.schedule();
  }

  /** One epoch's outcome: the new state, and the training loss summed over sequences. */
  public record EpochResult(TrainingState state, long sequences, double lossSum) {
    public double meanLoss() {
      return lossSum / sequences;
    }
  }

  /** Trains epoch {@code epoch} over {@code rows} (in input order) from {@code start} (not modified). */
  public EpochResult trainEpoch(TrainingState start, List<LabeledSequence> rows, int epoch) {
    SequenceBatch[][] shards = shardBatches(rows, epoch);
    long maxBatches = Arrays.stream(shards).mapToLong(s -> s.length).max().orElse(0);
    TrainingState state = start;
    long sequences = 0;
    double lossSum = 0;
    for (int round = 0; round < schedule.rounds(maxBatches); round++) {
      List<Trainer.ShardResult> results = new ArrayList<>();
      for (int w = 0; w < setup.workers(); w++) {
        long from = schedule.firstBatch(round);
        long to = schedule.endBatch(round, shards[w].length);
        if (from < to) {
          List<SequenceBatch> part = Arrays.asList(shards[w]).subList((int) from, (int) to);
          results.add(trainer.trainBatches(state.copy(), part, setup.seed(), epoch, round, w, from));
        }
      }
      ParameterAveraging.Averaged avg = ParameterAveraging.average(results);
      state = avg.state();
      sequences += avg.sequences();
      lossSum += avg.lossSum();
    }
    return new EpochResult(state, sequences, lossSum);
  }

  /** Each shard's mini-batches for {@code epoch}: rows placed by {@link ShardPlan}, cut in position order. */
  public SequenceBatch[][] shardBatches(List<LabeledSequence> rows, int epoch) {
    ShardPlan plan = setup.plan(rows.size());
    int workers = setup.workers();
    List<List<long[]>> byShard = new ArrayList<>();
    for (int w = 0; w < workers; w++) {
      byShard.add(new ArrayList<>());
    }
    for (int i = 0; i < rows.size(); i++) {
      long pos = plan.position(i, epoch);
      byShard.get(plan.shardOfPosition(pos)).add(new long[] {pos, i});
    }
    SequenceBatch[][] out = new SequenceBatch[workers][];
    for (int w = 0; w < workers; w++) {
      List<long[]> list = byShard.get(w);
      list.sort(Comparator.comparingLong(a -> a[0]));
      List<LabeledSequence> ordered = new ArrayList<>();
      for (long[] a : list) {
        ordered.add(rows.get((int) a[1]));
      }
      out[w] = LabeledSequence.batches(ordered, setup.batchSize(), setup.model(), setup.loss());
    }
    return out;
  }
}
