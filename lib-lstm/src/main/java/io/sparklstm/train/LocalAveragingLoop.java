package io.sparklstm.train;

import io.sparklstm.lstm.Kernels;
import io.sparklstm.model.SequenceBatch;
import io.sparklstm.train.optim.OptimizerState;
import io.sparklstm.train.rules.RoundRules;
import io.sparklstm.train.rules.RoundStart;
import io.sparklstm.train.rules.TrainingRules;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The parameter-averaging loop of DESIGN.md section 7 in one JVM, without Spark: the same shards,
 * batches, rounds, seeds and averaging arithmetic as the Spark job, so the two give bit-identical
 * models. Used to check the Spark job and to train small data without a cluster.
 */
public final class LocalAveragingLoop {
  private final TrainingSetup setup;
  private final Trainer trainer;
  private final RoundRules rules;

  /** Plain averaging ({@link TrainingRules#NEUTRAL}). */
  public LocalAveragingLoop(TrainingSetup setup, Kernels kernels) {
    this(setup, new RoundRules(TrainingRules.NEUTRAL, setup.workers(), setup.optimizer().learningRate()), kernels);
  }

  /** With the driver's rules {@code rules}, whose state this loop advances. */
  public LocalAveragingLoop(TrainingSetup setup, RoundRules rules, Kernels kernels) {
    this.setup = setup;
    this.trainer = setup.newTrainer(kernels);
    this.rules = rules;
  }

  /**
   * One epoch's outcome: the new state, the training loss summed over sequences, the number of
   * rounds, and the learning rates of its first and last rounds.
   */
  public record EpochResult(TrainingState state, long sequences, double lossSum, int rounds, double firstLr,
                            double lastLr) {
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
    RoundSchedule schedule = rules.rounds(setup.schedule());
    int rounds = schedule.rounds(maxBatches);
    double firstLr = rules.learningRate(epoch, 0, Math.max(1, rounds));
    double lastLr = firstLr;
    for (int round = 0; round < rounds; round++) {
      lastLr = rules.learningRate(epoch, round, rounds);
      RoundStart begin = rules.start(state, lastLr);
      List<Trainer.ShardResult> results = new ArrayList<>();
      Map<Integer, OptimizerState> trained = new HashMap<>();
      for (int w = 0; w < setup.workers(); w++) {
        long from = schedule.firstBatch(round);
        long to = schedule.endBatch(round, shards[w].length);
        if (from < to) {
          List<SequenceBatch> part = Arrays.asList(shards[w]).subList((int) from, (int) to);
          Trainer.ShardResult r = trainer.trainBatches(begin.forShard(w), part, setup.seed(), epoch, round, w, from,
              lastLr);
          results.add(r);
          trained.put(w, r.state().optimizer());
        }
      }
      ParameterAveraging.Averaged avg = ParameterAveraging.average(results);
      state = rules.finish(state, begin, avg.state(), trained);
      sequences += avg.sequences();
      lossSum += avg.lossSum();
    }
    return new EpochResult(state, sequences, lossSum, rounds, firstLr, lastLr);
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
