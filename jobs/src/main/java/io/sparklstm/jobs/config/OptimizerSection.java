package io.sparklstm.jobs.config;

import io.sparklstm.jobs.UserError;

/** {@code train.optimizer.*}: PyTorch's SGD, Adam and AdamW hyperparameters. */
public final class OptimizerSection {
  /** {@code train.optimizer.type}. */
  public enum Type { SGD, ADAM, ADAMW }

  private final Type type;
  private final double learningRate;
  private final double momentum;
  private final double dampening;
  private final boolean nesterov;
  private final double beta1;
  private final double beta2;
  private final double epsilon;
  private final double weightDecay;

  OptimizerSection(ConfigReader r) {
    String p = "train.optimizer.";
    this.type = Type.valueOf(r.oneOf(p + "type", "sgd", "adam", "adamw").toUpperCase());
    this.learningRate = r.positive(p + "learning-rate");
    this.momentum = r.numberIn(p + "momentum", 0, Double.POSITIVE_INFINITY, false);
    this.dampening = r.numberIn(p + "dampening", 0, Double.POSITIVE_INFINITY, false);
    this.nesterov = r.bool(p + "nesterov");
    if (nesterov && (momentum <= 0 || dampening != 0)) {
      throw new UserError(p + "nesterov = true needs " + p + "momentum > 0 and " + p + "dampening = 0");
    }
    this.beta1 = r.numberIn(p + "beta1", 0, 1, true);
    this.beta2 = r.numberIn(p + "beta2", 0, 1, true);
    this.epsilon = r.numberIn(p + "epsilon", 0, Double.POSITIVE_INFINITY, false);
    Double wd = r.optNumber(p + "weight-decay");
    if (wd != null) {
      r.checkRange(p + "weight-decay", wd, 0, Double.POSITIVE_INFINITY, false);
    }
    this.weightDecay = wd != null ? wd : (type == Type.ADAMW ? 0.01 : 0.0);
  }

  public Type type() {
    return type;
  }

  public double learningRate() {
    return learningRate;
  }

  public double momentum() {
    return momentum;
  }

  public double dampening() {
    return dampening;
  }

  public boolean nesterov() {
    return nesterov;
  }

  public double beta1() {
    return beta1;
  }

  public double beta2() {
    return beta2;
  }

  public double epsilon() {
    return epsilon;
  }

  /** The weight decay; when not set, PyTorch's default for the type (0.01 for adamw, else 0). */
  public double weightDecay() {
    return weightDecay;
  }
}
