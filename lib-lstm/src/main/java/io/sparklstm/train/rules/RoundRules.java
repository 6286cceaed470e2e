package io.sparklstm.train.rules;

import io.sparklstm.train.RoundSchedule;
import io.sparklstm.train.TrainingState;
import io.sparklstm.train.optim.OptimizerState;
import java.util.Arrays;
import java.util.Map;

/**
 * The driver's side of {@link TrainingRules} for one run: the learning rate of every round, what
 * the shards start a round from ({@link #start}), the model after a round's average ({@link #finish}),
 * and the state all this carries across rounds and epochs (outer momentum, each shard's optimizer
 * state, the plateau scheduler), which a checkpoint saves and restores. Used by both averaging loops.
 *
 * <p>The learning rate of round r of R in epoch e (0-based) is
 * {@code schedule(e) · ramp(e + r/R) / s(W)}: the schedule runs on the scaled rate {@code lr · s(W)},
 * and the scaling warm-up ramps from {@code lr} to it. With s(W) = 1 it is the schedule's rate exactly.
 */
public final class RoundRules {
  private final TrainingRules rules;
  private final int workers;
  private final double scaledLr;
  private final Plateau plateau;
  private float[] velocity;          // (P) outer momentum: BMUF's v, DiLoCo's buf
  private OptimizerState[] shards;   // (W) train.inner-state = keep: each shard's own state

  /** @param baseLr the user's (1-worker) learning rate */
  public RoundRules(TrainingRules rules, int workers, double baseLr) {
    this.rules = rules;
    this.workers = workers;
    this.scaledLr = rules.scaling().factor(workers) == 1 ? baseLr : baseLr * rules.scaling().factor(workers);
    LrSchedule s = rules.schedule();
    this.plateau = s.type() == LrSchedule.Type.PLATEAU ? new Plateau(s.plateau(), scaledLr) : null;
  }

  public TrainingRules rules() {
    return rules;
  }

  /** Whether {@link #finish} needs every shard's own optimizer state (inner-state keep). */
  public boolean needsShardStates() {
    return rules.inner() == InnerState.KEEP;
  }

  /**
   * The rounds an epoch is cut into: {@code configured} (every k mini-batches), or one round for the
   * whole epoch when round boundaries cannot change a bit ({@link #mergesRounds}).
   */
  public RoundSchedule rounds(RoundSchedule configured) {
    return mergesRounds() ? RoundSchedule.WHOLE_EPOCH : configured;
  }

  /**
   * Whether an epoch trained in one round gives the model that rounds of k give, bit for bit, and so
   * saves a round's fixed cost (a Spark job) every k mini-batches. True when a round boundary does
   * nothing: one worker (the mean of one shard's state is that state: {@code WeightedMean}), plain
   * averaging (bmuf and diloco act per round), the inner state averaged or kept (reset-first-moment
   * zeroes exp_avg per round), and a rate constant within the epoch (s(1) = 1, so no ramp; schedules
   * step per epoch). Dropout streams are keyed by the batch's index in the epoch, not by the round.
   */
  public boolean mergesRounds() {
    return workers == 1 && rules.outer().type() == OuterRule.Type.AVERAGE
        && rules.inner() != InnerState.RESET_FIRST_MOMENT;
  }

  /** The learning rate of round {@code round} of {@code rounds} in epoch {@code epoch}. */
  public double learningRate(int epoch, int round, int rounds) {
    double scheduled = plateau != null ? plateau.lr() : rules.schedule().lr(scaledLr, epoch);
    double s = rules.scaling().factor(workers);
    double ramp = rules.scaling().ramp(workers, epoch + (double) round / rounds);
    return ramp == s ? scheduled : scheduled / s * ramp;
  }

  /** What the shards start the next round from, given the driver's model {@code global}. */
  public RoundStart start(TrainingState global, double learningRate) {
    if (rules.inner() == InnerState.KEEP && shards == null) {
      shards = new OptimizerState[workers];
      Arrays.setAll(shards, w -> global.optimizer().copy());
    }
    TrainingState from = global;
    OuterRule o = rules.outer();
    if (o.type() == OuterRule.Type.BMUF && o.nesterov() && velocity != null) {
      float[] theta = global.parameters();
      float[] ahead = new float[theta.length];
      float eta = (float) o.momentum();
      for (int i = 0; i < theta.length; i++) {
        ahead[i] = theta[i] + eta * velocity[i];
      }
      from = new TrainingState(ahead, global.optimizer());
    }
    return new RoundStart(from, shards == null ? null : shards.clone(), learningRate);
  }

  /**
   * The driver's model after a round: the outer rule applied to the shards' {@code mean} (changed in
   * place) from {@code start} and the model {@code global} before the round.
   *
   * @param trained each trained shard's optimizer state after the round, by shard index (inner-state
   *                keep only; else ignored, may be null)
   */
  public TrainingState finish(TrainingState global, RoundStart start, TrainingState mean,
                              Map<Integer, OptimizerState> trained) {
    switch (rules.inner()) {
      case KEEP -> trained.forEach((w, s) -> shards[w] = s);
      case RESET_FIRST_MOMENT -> {
        OptimizerState s = mean.optimizer();
        if (s.bufferCount() > 0) {
          Arrays.fill(s.buffers(), s.offset(0), s.offset(0) + s.parameterCount(), 0f);
        }
      }
      case AVERAGE -> { }
    }
    OuterRule o = rules.outer();
    if (o.type() == OuterRule.Type.AVERAGE) {
      return mean;
    }
    float[] theta = global.parameters().clone();
    float[] b = start.state().parameters();
    float[] m = mean.parameters();
    if (velocity == null) {
      velocity = new float[theta.length];
    }
    float mu = (float) o.momentum();
    if (o.type() == OuterRule.Type.BMUF) {
      float zeta = (float) o.blockLr();
      for (int i = 0; i < theta.length; i++) {
        velocity[i] = mu * velocity[i] + zeta * (m[i] - b[i]);
        theta[i] += velocity[i];
      }
    } else {
      float lr = (float) o.learningRate();
      for (int i = 0; i < theta.length; i++) {
        float g = b[i] - m[i];
        velocity[i] = mu * velocity[i] + g;
        float d = o.nesterov() ? g + mu * velocity[i] : velocity[i];
        theta[i] -= lr * d;
      }
    }
    return new TrainingState(theta, mean.optimizer());
  }

  /** After epoch validation: steps the plateau scheduler (a no-op for other schedules). */
  public void endEpoch(double validationLoss) {
    if (plateau != null) {
      plateau.step(validationLoss);
    }
  }

  /** Whether the schedule needs {@link #endEpoch}'s validation loss. */
  public boolean needsValidation() {
    return plateau != null;
  }

  /** Adds this state to a checkpoint's. */
  public void save(RunState out) {
    if (velocity != null) {
      out.tensors().put("outer.velocity", velocity.clone());
    }
    if (shards != null) {
      for (int w = 0; w < workers; w++) {
        out.tensors().put("inner.shard" + w, shards[w].buffers().clone());
        out.values().put("inner.shard" + w + ".step", Double.toString(shards[w].step()));
      }
    }
    if (plateau != null) {
      plateau.save().forEach((k, v) -> out.values().put("plateau." + k, v));
    }
  }

  /** Restores {@link #save}'s state for a model of {@code parameterCount} parameters and {@code bufferCount} buffers. */
  public void restore(RunState in, int parameterCount, int bufferCount) {
    velocity = rules.outer().hasVelocity() && in.tensors().containsKey("outer.velocity")
        ? in.tensor("outer.velocity", parameterCount).clone() : null;
    if (rules.inner() == InnerState.KEEP && in.tensors().containsKey("inner.shard0")) {
      shards = new OptimizerState[workers];
      for (int w = 0; w < workers; w++) {
        float[] buffers = in.tensor("inner.shard" + w, parameterCount * bufferCount).clone();
        shards[w] = new OptimizerState(Double.parseDouble(in.value("inner.shard" + w + ".step")), parameterCount,
            buffers);
      }
    } else {
      shards = null; // none saved yet: start() makes them from the model, as before the first round
    }
    if (plateau != null) {
      plateau.restore(Map.of("lr", in.value("plateau.lr"), "best", in.value("plateau.best"),
          "bad_epochs", in.value("plateau.bad_epochs"), "cooldown_counter", in.value("plateau.cooldown_counter")));
    }
  }
}
