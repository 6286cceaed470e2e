package io.sparklstm.train.rules;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.sparklstm.train.RoundSchedule;
import io.sparklstm.train.TrainingState;
import io.sparklstm.train.optim.OptimizerState;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Learning-rate scaling and its ramp, the inner-state settings, and checkpointing the rule state. */
class RoundRulesTest {
  static TrainingRules rules(LrScaling scaling, InnerState inner, OuterRule outer) {
    return new TrainingRules(scaling, LrSchedule.CONSTANT, outer, inner);
  }

  @Test
  void neutralRulesAreTheIdentity() {
    RoundRules r = new RoundRules(TrainingRules.NEUTRAL, 4, 0.1);
    assertEquals(0.1, r.learningRate(0, 0, 7));
    TrainingState global = new TrainingState(new float[] {1, 2}, OptimizerState.zeros(2, 2));
    RoundStart start = r.start(global, 0.1);
    assertSame(global, start.state());
    TrainingState mean = new TrainingState(new float[] {3, 4}, OptimizerState.zeros(2, 2));
    assertSame(mean, r.finish(global, start, mean, Map.of()));
  }

  @Test
  void scalingRampsPerRoundThenHolds() {
    RoundRules sqrt = new RoundRules(rules(new LrScaling(LrScaling.Kind.SQRT, 2), InnerState.AVERAGE,
        OuterRule.AVERAGE), 16, 0.01);
    assertEquals(0.01, sqrt.learningRate(0, 0, 4), 1e-15);
    assertEquals(0.01 * (1 + 3 * 0.125), sqrt.learningRate(0, 1, 4), 1e-15);  // 0.25 of 2 epochs
    assertEquals(0.01 * (1 + 3 * 0.625), sqrt.learningRate(1, 1, 4), 1e-15);  // 1.25 of 2 epochs
    assertEquals(0.04, sqrt.learningRate(2, 0, 4), 1e-15);
    RoundRules linear = new RoundRules(rules(new LrScaling(LrScaling.Kind.LINEAR, 0), InnerState.AVERAGE,
        OuterRule.AVERAGE), 8, 0.01);
    assertEquals(0.08, linear.learningRate(0, 0, 1), 1e-15);
    RoundRules threeQuarters = new RoundRules(rules(new LrScaling(LrScaling.Kind.THREE_QUARTERS, 0),
        InnerState.AVERAGE, OuterRule.AVERAGE), 16, 0.002);
    assertEquals(0.016, threeQuarters.learningRate(0, 0, 1)); // 16^(3/4) = 8, exactly
    assertEquals(Math.pow(8, 0.75), new LrScaling(LrScaling.Kind.THREE_QUARTERS, 0).factor(8), 1e-15);
    RoundRules one = new RoundRules(rules(new LrScaling(LrScaling.Kind.LINEAR, 3), InnerState.AVERAGE,
        OuterRule.AVERAGE), 1, 0.003);
    assertEquals(0.003, one.learningRate(0, 0, 5)); // W = 1: exactly the user's rate
  }

  /** One worker under rules that do nothing per round trains an epoch in one round; anything else keeps k. */
  @Test
  void roundsMergeOnlyForOneWorkerAndRulesThatDoNothingPerRound() {
    RoundSchedule perK = new RoundSchedule(16);
    LrSchedule plateau = new LrSchedule(LrSchedule.Type.PLATEAU, 1, 1, 1, 0, 0, 1,
        new Plateau.Settings(0.5, 1, 1e-4, 0, 0));
    for (LrScaling.Kind kind : LrScaling.Kind.values()) {
      for (InnerState inner : new InnerState[] {InnerState.AVERAGE, InnerState.KEEP}) {
        TrainingRules r = new TrainingRules(new LrScaling(kind, 2), plateau, OuterRule.AVERAGE, inner);
        assertSame(RoundSchedule.WHOLE_EPOCH, new RoundRules(r, 1, 0.1).rounds(perK), kind + ", " + inner);
        assertSame(perK, new RoundRules(r, 2, 0.1).rounds(perK), kind + ", " + inner + ", 2 workers");
      }
    }
    assertSame(perK, new RoundRules(rules(LrScaling.NONE, InnerState.RESET_FIRST_MOMENT, OuterRule.AVERAGE), 1, 0.1)
        .rounds(perK));
    assertSame(perK, new RoundRules(rules(LrScaling.NONE, InnerState.AVERAGE,
        new OuterRule(OuterRule.Type.BMUF, 0, 1, false, 1)), 1, 0.1).rounds(perK));
    assertSame(perK, new RoundRules(rules(LrScaling.NONE, InnerState.AVERAGE,
        new OuterRule(OuterRule.Type.DILOCO, 0, 1, false, 1)), 1, 0.1).rounds(perK));
  }

  @Test
  void resetFirstMomentZeroesTheFirstBufferOnly() {
    RoundRules r = new RoundRules(rules(LrScaling.NONE, InnerState.RESET_FIRST_MOMENT, OuterRule.AVERAGE), 2, 0.1);
    TrainingState global = new TrainingState(new float[] {1, 2}, OptimizerState.zeros(2, 2));
    RoundStart start = r.start(global, 0.1);
    TrainingState mean = new TrainingState(new float[] {3, 4}, new OptimizerState(5, 2, new float[] {1, 2, 3, 4}));
    TrainingState next = r.finish(global, start, mean, Map.of());
    assertArrayEquals(new float[] {0, 0, 3, 4}, next.optimizer().buffers());
    assertEquals(5, next.optimizer().step());
  }

  @Test
  void keepGivesEachShardItsOwnStateAndSurvivesACheckpoint() {
    TrainingRules keep = rules(LrScaling.NONE, InnerState.KEEP, new OuterRule(OuterRule.Type.BMUF, 0.5, 1, true, 1));
    RoundRules r = new RoundRules(keep, 2, 0.1);
    TrainingState global = new TrainingState(new float[] {1, 2}, OptimizerState.zeros(2, 1));
    RoundStart start = r.start(global, 0.1);
    TrainingState mean = new TrainingState(new float[] {2, 2}, new OptimizerState(1, 2, new float[] {5, 5}));
    OptimizerState shard1 = new OptimizerState(1, 2, new float[] {7, 8});
    TrainingState next = r.finish(global, start, mean, Map.of(1, shard1));
    assertArrayEquals(new float[] {2, 2}, next.parameters()); // v = 0.5 * 0 + 1 * (m - b) = (1, 0); theta + v
    RoundStart second = r.start(next, 0.1);
    assertArrayEquals(new float[] {2.5f, 2}, second.state().parameters()); // Nesterov look-ahead theta + 0.5 v
    assertArrayEquals(new float[] {0, 0}, second.forShard(0).optimizer().buffers());
    assertArrayEquals(new float[] {7, 8}, second.forShard(1).optimizer().buffers());

    RunState saved = RunState.empty();
    r.save(saved);
    RoundRules restored = new RoundRules(keep, 2, 0.1);
    restored.restore(saved, 2, 1);
    RoundStart again = restored.start(next, 0.1);
    assertArrayEquals(second.state().parameters(), again.state().parameters());
    assertArrayEquals(new float[] {7, 8}, again.forShard(1).optimizer().buffers());
    assertEquals(1, again.forShard(1).optimizer().step());
  }
}
