package io.sparklstm.jobs.train;

import io.sparklstm.train.Evaluation;
import io.sparklstm.train.TrainingSetup;
import io.sparklstm.train.TrainingState;
import io.sparklstm.train.rules.EarlyStopping;
import io.sparklstm.train.rules.RoundRules;
import io.sparklstm.train.rules.RunState;
import io.sparklstm.train.rules.TrainingRules;
import java.util.Map;

/**
 * A run's rules between epochs: the driver's {@link RoundRules} (stepped with the validation loss),
 * early stopping, and the best-validation model; their state goes into every checkpoint.
 */
final class EpochRules {
  /** The settings: the rules, early stopping, and whether the best-validation model is the output. */
  record Settings(TrainingRules rules, EarlyStopping.Settings earlyStopping, boolean bestValidation) {
    static final Settings NEUTRAL = new Settings(TrainingRules.NEUTRAL, EarlyStopping.Settings.OFF, false);
  }

  private final Settings settings;
  private final RoundRules rounds;
  private final EarlyStopping early;
  private float[] best; // (P) the best-validation parameters, kept when settings.bestValidation

  EpochRules(Settings settings, TrainingSetup setup) {
    this.settings = settings;
    this.rounds = new RoundRules(settings.rules(), setup.workers(), setup.optimizer().learningRate());
    this.early = new EarlyStopping(settings.earlyStopping());
  }

  RoundRules rounds() {
    return rounds;
  }

  /** After epoch {@code epoch} (0-based) and its validation (null = none): steps the rules. */
  void endEpoch(int epoch, Evaluation eval, TrainingState state) {
    if (eval == null) {
      return;
    }
    rounds.endEpoch(eval.loss());
    if (early.observe(epoch + 1, eval.loss()) && settings.bestValidation()) {
      best = state.parameters().clone();
    }
  }

  /** Whether early stopping ends the run now. */
  boolean stop() {
    return early.shouldStop();
  }

  /** The fields of a metrics line: best epoch and loss so far, and whether the run stops here. */
  void describe(Map<String, Object> line) {
    if (early.bestEpoch() > 0) {
      line.put("best_epoch", early.bestEpoch());
      line.put("best_validation_loss", early.bestLoss());
    }
    line.put("stopped_early", stop());
  }

  /** The parameters the run writes as its model. */
  float[] output(TrainingState last) {
    return settings.bestValidation() && best != null ? best : last.parameters();
  }

  /** The state for a checkpoint. */
  RunState save() {
    RunState out = RunState.empty();
    rounds.save(out);
    early.save(out);
    if (best != null) {
      out.tensors().put("best.parameters", best.clone());
    }
    return out;
  }

  /** Restores {@link #save()}'s state after a checkpoint of {@code state}. */
  void restore(RunState in, TrainingState state) {
    int p = state.parameters().length;
    rounds.restore(in, p, state.optimizer().bufferCount());
    early.restore(in);
    best = settings.bestValidation() && in.tensors().containsKey("best.parameters")
        ? in.tensor("best.parameters", p).clone() : null;
  }

  int bestEpoch() {
    return early.bestEpoch();
  }
}
