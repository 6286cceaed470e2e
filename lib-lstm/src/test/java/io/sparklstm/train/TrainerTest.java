package io.sparklstm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklstm.lstm.LstmConfig;
import io.sparklstm.model.HeadConfig;
import io.sparklstm.model.HeadMode;
import io.sparklstm.model.LossType;
import io.sparklstm.model.ModelConfig;
import io.sparklstm.model.SequenceBatch;
import io.sparklstm.model.SequenceModel;
import io.sparklstm.train.optim.Optimizer;
import io.sparklstm.train.optim.OptimizerConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Trainer: what one step does, the divergence error, and argument checks. */
class TrainerTest {

  @Test
  void stepReturnsTheLossAndUpdatesParametersAndOptimizerState() {
    SequenceModel model = TrainData.model();
    Optimizer opt = TrainData.adam();
    Trainer trainer = TrainData.trainer(model, opt);
    TrainingState state = TrainData.initialState(model, opt, 1);
    float[] before = state.parameters().clone();
    SequenceBatch batch = LocalAveragingLoopTest.cut(TrainData.rows(4, 2), 4).get(0);
    float[] grads = new float[before.length];
    double expected = model.lossAndGradient(before.clone(), grads, batch, LossType.MSE, 0, 9, model.newWorkspace());
    double l = trainer.step(state, batch, 9);
    assertEquals(expected, l, 0.0, "the loss before the update");
    assertEquals(1.0, state.optimizer().step(), 0.0);
    assertTrue(!java.util.Arrays.equals(before, state.parameters()), "parameters changed");
  }

  @Test
  void aNonFiniteLossStopsTrainingWithWhereAndWhatToTry() {
    SequenceModel model = TrainData.model();
    Optimizer opt = TrainData.adam();
    Trainer trainer = TrainData.trainer(model, opt);
    TrainingState state = TrainData.initialState(model, opt, 1);
    List<LabeledSequence> rows = TrainData.rows(9, 3);
    rows.get(7).targets()[0] = Float.NaN; // third batch of three
    List<SequenceBatch> batches = LocalAveragingLoopTest.cut(rows, 3);
    DivergenceException e = assertThrows(DivergenceException.class,
        () -> trainer.trainBatches(state, batches, 5, 2, 4, 1, 10));
    String m = e.getMessage();
    // every number in the message counts from 1: epoch index 2, round 4, shard 1, batch 10 + 2
    for (String part : new String[] {"epoch 3, round 5, shard 2, batch 13: loss is NaN",
        "learning-rate", "clip-grad-norm"}) {
      assertTrue(m.contains(part), "\"" + m + "\" should name " + part);
    }
  }

  @Test
  void aParameterOverflowingStopsTrainingToo() {
    SequenceModel model = TrainData.model();
    // a learning rate beyond the float range: the first update sends parameters to infinity
    Optimizer sgd = new OptimizerConfig("sgd", 1e300, null, null, null, null, null, null, null, null).build();
    Trainer trainer = new Trainer(model, LossType.MSE, sgd, 0, 0);
    TrainingState state = TrainData.initialState(model, sgd, 1);
    List<SequenceBatch> batches = LocalAveragingLoopTest.cut(TrainData.rows(3, 4), 3);
    DivergenceException e = assertThrows(DivergenceException.class,
        () -> trainer.trainBatches(state, batches, 5, 0, 0, 2, 7));
    for (String part : new String[] {"epoch 1, round 1, shard 3, batch 8: a parameter became"}) {
      assertTrue(e.getMessage().contains(part), "\"" + e.getMessage() + "\" should name " + part);
    }
  }

  @Test
  void truncatedBpttIsRejectedForBidirectionalLstms() {
    SequenceModel bidir = new SequenceModel(new ModelConfig(LstmConfig.of(3, 4).withBidirectional(true),
        new HeadConfig(2, HeadMode.EVERY_STEP)));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Trainer(bidir, LossType.MSE, TrainData.adam(), 0, 3));
    assertTrue(e.getMessage().contains("truncated BPTT") && e.getMessage().contains("unidirectional"), e.getMessage());
    new Trainer(bidir, LossType.MSE, TrainData.adam(), 0, 0); // full BPTT is fine
  }

  @Test
  void negativeClipOrTbpttIsRejected() {
    SequenceModel model = TrainData.model();
    assertThrows(IllegalArgumentException.class, () -> new Trainer(model, LossType.MSE, TrainData.adam(), -1, 0));
    assertThrows(IllegalArgumentException.class, () -> new Trainer(model, LossType.MSE, TrainData.adam(), 0, -2));
  }
}
