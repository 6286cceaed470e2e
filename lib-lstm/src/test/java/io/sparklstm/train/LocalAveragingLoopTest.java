package io.sparklstm.train;

import static io.sparklstm.train.WeightedMeanTest.assertBits;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklstm.blas.Gemm;
import io.sparklstm.lstm.Kernels;
import io.sparklstm.model.LossType;
import io.sparklstm.model.SequenceBatch;
import io.sparklstm.model.SequenceModel;
import io.sparklstm.train.optim.Optimizer;
import io.sparklstm.train.optim.OptimizerState;
import io.sparklstm.train.rules.InnerState;
import io.sparklstm.train.rules.LrScaling;
import io.sparklstm.train.rules.LrSchedule;
import io.sparklstm.train.rules.OuterRule;
import io.sparklstm.train.rules.RoundRules;
import io.sparklstm.train.rules.RoundStart;
import io.sparklstm.train.rules.TrainingRules;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The in-JVM averaging loop against hand-written re-computations: with one worker it is plain
 * training ({@link Trainer#step} on the batches in order, dropout seeds from {@link Seeds}); with
 * several workers and averaging every k mini-batches it is rounds of independent shard training
 * followed by the sequence-weighted mean written out here element by element. Both bit for bit,
 * over two epochs (the second starts from the first's result), with dropout in the model.
 */
class LocalAveragingLoopTest {
  static final int INPUT = 3;
  static final long SEED = 11;

  @ParameterizedTest(name = "averaging-frequency {0}, shuffle {1}")
  @CsvSource({"0, false", "1, false", "2, true", "5, true"})
  void oneWorkerIsPlainTrainingOnTheBatchesInOrder(int frequency, boolean shuffle) {
    List<LabeledSequence> rows = TrainData.rows(23, 5);
    Optimizer opt = TrainData.adam();
    SequenceModel model = TrainData.model();
    TrainingState start = TrainData.initialState(model, opt, 3);
    LocalAveragingLoop loop = TrainData.loop(model, opt, 4, 1, frequency, shuffle, SEED);

    Trainer trainer = TrainData.trainer(TrainData.model(), opt);
    TrainingState byHand = start.copy();
    TrainingState state = start;
    for (int epoch = 0; epoch < 2; epoch++) {
      LocalAveragingLoop.EpochResult e = loop.trainEpoch(state, rows, epoch);
      ShardPlan plan = TrainData.setup(model, opt, 4, 1, frequency, shuffle, SEED).plan(rows.size());
      List<SequenceBatch> batches = cut(inEpochOrder(rows, plan, epoch), 4);
      double lossSum = 0;
      for (int i = 0; i < batches.size(); i++) {
        double l = trainer.step(byHand, batches.get(i), Seeds.dropout(SEED, epoch, 0, i));
        lossSum += l * batches.get(i).size();
      }
      assertSameState(byHand, e.state(), "epoch " + epoch);
      assertEquals(23, e.sequences());
      assertEquals(lossSum, e.lossSum(), 1e-12 * Math.abs(lossSum));
      state = e.state();
    }
  }

  /**
   * At W = 1, scaling (s(1) = 1, whatever the warm-up) and keeping the inner state change no bit; nor
   * do the defaults (three-quarters, k = 16; docs/SCALING.md) against the neutral values (none, k = 0).
   */
  @ParameterizedTest(name = "{0} scaling, inner state {1}, k {2} against {3}")
  @CsvSource({"LINEAR, KEEP, 2, 2", "SQRT, AVERAGE, 2, 2", "SQRT, AVERAGE, 16, 0", "THREE_QUARTERS, AVERAGE, 16, 0"})
  void oneWorkerIsUnchangedByScalingAndKeptState(LrScaling.Kind scaling, InnerState inner, int k, int plainK) {
    List<LabeledSequence> rows = TrainData.rows(150, 5);  // 38 batches of 4: rounds of 16, 16 and 6 at k = 16
    Optimizer opt = TrainData.adam();
    SequenceModel model = TrainData.model();
    TrainingState start = TrainData.initialState(model, opt, 3);
    LocalAveragingLoop plain = TrainData.loop(model, opt, 4, 1, plainK, true, SEED);
    TrainingSetup setup = new TrainingSetup(model.config(), LossType.MSE, opt, 1.0, 0, 4, 1, k, true, SEED);
    TrainingRules rules = new TrainingRules(new LrScaling(scaling, 1.5), LrSchedule.CONSTANT, OuterRule.AVERAGE,
        inner);
    LocalAveragingLoop ruled = new LocalAveragingLoop(setup, new RoundRules(rules, 1, opt.learningRate()),
        Kernels.scalarCell(Gemm.javaGemm()));
    TrainingState a = start;
    TrainingState b = start;
    for (int epoch = 0; epoch < 2; epoch++) {
      a = plain.trainEpoch(a, rows, epoch).state();
      b = ruled.trainEpoch(b, rows, epoch).state();
      assertSameState(a, b, "epoch " + epoch);
    }
  }

  /**
   * One worker trains an epoch in one round where a round boundary changes nothing (plain averaging,
   * inner state averaged or kept; any schedule and scaling) and in rounds of k where it acts (an outer
   * rule, reset-first-moment); either way the bits are those of the loop run round by round, every k
   * mini-batches, with the dropout model. 38 batches of 4: rounds of 16, 16 and 6 at k = 16.
   */
  @ParameterizedTest(name = "outer {0}, inner {1}, schedule {2}, k {3}: {4} round(s)")
  @CsvSource({"AVERAGE, AVERAGE, CONSTANT, 16, 1", "AVERAGE, KEEP, STEP, 16, 1", "AVERAGE, AVERAGE, STEP, 5, 1",
      "AVERAGE, RESET_FIRST_MOMENT, CONSTANT, 16, 3", "BMUF, AVERAGE, CONSTANT, 16, 3",
      "DILOCO, KEEP, STEP, 16, 3"})
  void oneWorkerMergesRoundsOnlyWhereTheyChangeNothing(OuterRule.Type outer, InnerState inner,
                                                       LrSchedule.Type schedule, int k, int rounds) {
    List<LabeledSequence> rows = TrainData.rows(150, 5);
    Optimizer opt = TrainData.adam();
    SequenceModel model = TrainData.model();
    TrainingSetup setup = new TrainingSetup(model.config(), LossType.MSE, opt, 1.0, 0, 4, 1, k, true, SEED);
    OuterRule rule = switch (outer) {
      case AVERAGE -> OuterRule.AVERAGE;
      case BMUF -> new OuterRule(OuterRule.Type.BMUF, 0.5, 1, true, 1);
      case DILOCO -> new OuterRule(OuterRule.Type.DILOCO, 0.9, 1, true, 0.7);
    };
    LrSchedule lrs = schedule == LrSchedule.Type.STEP
        ? new LrSchedule(LrSchedule.Type.STEP, 1, 0.5, 1, 0, 0, 1, null) : LrSchedule.CONSTANT;
    TrainingRules rules = new TrainingRules(new LrScaling(LrScaling.Kind.SQRT, 1), lrs, rule, inner);
    LocalAveragingLoop loop = new LocalAveragingLoop(setup, new RoundRules(rules, 1, opt.learningRate()),
        Kernels.scalarCell(Gemm.javaGemm()));
    RoundRules byHandRules = new RoundRules(rules, 1, opt.learningRate());
    Trainer trainer = TrainData.trainer(TrainData.model(), opt);
    TrainingState a = TrainData.initialState(model, opt, 3);
    TrainingState b = a;
    for (int epoch = 0; epoch < 2; epoch++) {
      LocalAveragingLoop.EpochResult e = loop.trainEpoch(a, rows, epoch);
      assertEquals(rounds, e.rounds(), "epoch " + epoch);
      a = e.state();
      // the loop as it was: a round every k mini-batches, each averaged (one shard) and finished by the rules
      List<SequenceBatch> batches = List.of(loop.shardBatches(rows, epoch)[0]);
      int perK = (batches.size() + k - 1) / k;
      double lossSum = 0;
      for (int from = 0, round = 0; from < batches.size(); from += k, round++) {
        double lr = byHandRules.learningRate(epoch, round, perK);
        RoundStart begin = byHandRules.start(b, lr);
        Trainer.ShardResult r = trainer.trainBatches(begin.forShard(0),
            batches.subList(from, Math.min(batches.size(), from + k)), SEED, epoch, round, 0, from, lr);
        TrainingState mean = ParameterAveraging.average(List.of(r)).state();
        b = byHandRules.finish(b, begin, mean, Map.of(0, r.state().optimizer()));
        lossSum += r.lossSum();
      }
      assertSameState(b, a, "epoch " + epoch);
      assertEquals(lossSum, e.lossSum(), 1e-12 * lossSum);
      assertEquals(byHandRules.learningRate(epoch, 0, 1), e.lastLr());
    }
  }

  @ParameterizedTest(name = "{0} workers, averaging-frequency {1}, batch size {2}")
  @CsvSource({"3, 2, 3", "2, 1, 4", "4, 3, 2", "3, 0, 3"})
  void severalWorkersAreRoundsOfShardTrainingAndWeightedMeans(int workers, int frequency, int batchSize) {
    List<LabeledSequence> rows = TrainData.rows(20, 6);
    Optimizer opt = TrainData.adam();
    SequenceModel model = TrainData.model();
    TrainingState start = TrainData.initialState(model, opt, 4);
    LocalAveragingLoop loop = TrainData.loop(model, opt, batchSize, workers, frequency, true, SEED);

    Trainer trainer = TrainData.trainer(TrainData.model(), opt);
    TrainingState byHand = start.copy();
    TrainingState state = start;
    boolean someShardSatOut = false;
    for (int epoch = 0; epoch < 2; epoch++) {
      LocalAveragingLoop.EpochResult e = loop.trainEpoch(state, rows, epoch);

      // shard w holds the rows whose epoch position is in [floor(w N / W), floor((w+1) N / W))
      List<List<SequenceBatch>> shards = new ArrayList<>();
      ShardPlan plan = TrainData.setup(model, opt, batchSize, workers, frequency, true, SEED).plan(rows.size());
      List<LabeledSequence> ordered = inEpochOrder(rows, plan, epoch);
      int maxBatches = 0;
      for (int w = 0; w < workers; w++) {
        List<SequenceBatch> b = cut(ordered.subList(w * rows.size() / workers, (w + 1) * rows.size() / workers),
            batchSize);
        shards.add(b);
        maxBatches = Math.max(maxBatches, b.size());
      }
      int k = frequency == 0 ? maxBatches : frequency;
      long sequences = 0;
      double lossSum = 0;
      for (int round = 0; round * k < maxBatches; round++) {
        List<TrainingState> states = new ArrayList<>();
        List<Double> weights = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
          List<SequenceBatch> b = shards.get(w);
          if (round * k >= b.size()) {
            someShardSatOut = true;
            continue;
          }
          TrainingState s = byHand.copy();
          long seqs = 0;
          double shardLoss = 0;
          for (int i = round * k; i < Math.min(b.size(), (round + 1) * k); i++) {
            double l = trainer.step(s, b.get(i), Seeds.dropout(SEED, epoch, w, i));
            seqs += b.get(i).size();
            shardLoss += l * b.get(i).size();
          }
          states.add(s);
          weights.add((double) seqs);
          sequences += seqs;
          lossSum += shardLoss;
        }
        byHand = mean(states, weights);
      }
      assertSameState(byHand, e.state(), "epoch " + epoch);
      assertEquals(sequences, e.sequences());
      assertEquals(20, e.sequences());
      assertEquals(lossSum, e.lossSum(), 1e-12 * Math.abs(lossSum));
      state = e.state();
    }
    if (workers == 3 && frequency == 2) {
      assertTrue(someShardSatOut, "this case has a round in which a shard has nothing left");
    }
  }

  /** The rows in epoch order: by their position under the epoch's permutation, or as given. */
  static List<LabeledSequence> inEpochOrder(List<LabeledSequence> rows, ShardPlan plan, int epoch) {
    List<LabeledSequence> out = new ArrayList<>(rows);
    out.sort(Comparator.comparingLong(r -> plan.position(r.index(), epoch)));
    return out;
  }

  /** Consecutive mini-batches of {@code size} rows (the last may be smaller). */
  static List<SequenceBatch> cut(List<LabeledSequence> rows, int size) {
    List<SequenceBatch> out = new ArrayList<>();
    for (int from = 0; from < rows.size(); from += size) {
      SequenceBatch.Builder b = SequenceBatch.builder(INPUT);
      for (LabeledSequence r : rows.subList(from, Math.min(rows.size(), from + size))) {
        b.addWithStepTargets(r.features(), r.targets(), 2);
      }
      out.add(b.build());
    }
    return out;
  }

  /** The sequence-weighted mean, element by element: x_0 + sum_j w_j (x_j - x_0) / sum_j w_j in double. */
  static TrainingState mean(List<TrainingState> states, List<Double> weights) {
    double total = 0;
    for (double w : weights) {
      total += w;
    }
    TrainingState first = states.get(0);
    float[] p = new float[first.parameters().length];
    float[] b = new float[first.optimizer().buffers().length];
    for (int part = 0; part < 2; part++) {
      float[] out = part == 0 ? p : b;
      for (int i = 0; i < out.length; i++) {
        float x0 = part == 0 ? first.parameters()[i] : first.optimizer().buffers()[i];
        double offset = 0;
        for (int j = 0; j < states.size(); j++) {
          float x = part == 0 ? states.get(j).parameters()[i] : states.get(j).optimizer().buffers()[i];
          offset += weights.get(j) * ((double) x - x0);
        }
        out[i] = offset == 0 ? x0 : (float) (x0 + offset / total);
      }
    }
    double step0 = first.optimizer().step();
    double stepOffset = 0;
    for (int j = 0; j < states.size(); j++) {
      stepOffset += weights.get(j) * (states.get(j).optimizer().step() - step0);
    }
    double step = stepOffset == 0 ? step0 : step0 + stepOffset / total;
    return new TrainingState(p, new OptimizerState(step, p.length, b));
  }

  static void assertSameState(TrainingState expected, TrainingState actual, String what) {
    assertBits(expected.parameters(), actual.parameters(), what + ": parameters");
    assertBits(expected.optimizer().buffers(), actual.optimizer().buffers(), what + ": optimizer buffers");
    assertEquals(expected.optimizer().step(), actual.optimizer().step(), 0.0, what + ": step count");
  }
}
