package io.sparklstm.jobs.config;

import io.sparklstm.jobs.UserError;
import io.sparklstm.train.rules.EarlyStopping;
import io.sparklstm.train.rules.InnerState;
import io.sparklstm.train.rules.LrScaling;
import io.sparklstm.train.rules.LrSchedule;
import io.sparklstm.train.rules.OuterRule;
import io.sparklstm.train.rules.Plateau;
import io.sparklstm.train.rules.TrainingRules;

/**
 * {@code train.lr-scaling*}, {@code train.lr-schedule}, {@code train.outer}, {@code train.inner-state}
 * and {@code train.early-stopping}: the driver's rules around the averaging loop (docs/OPTIMIZERS.md).
 */
public final class RulesSection {
  private final TrainingRules rules;
  private final EarlyStopping.Settings earlyStopping;

  RulesSection(ConfigReader r, int epochs, int workers) {
    LrScaling.Kind kind = LrScaling.Kind.valueOf(
        r.oneOf("train.lr-scaling", "none", "sqrt", "three-quarters", "linear").toUpperCase().replace('-', '_'));
    LrScaling scaling = new LrScaling(kind, epochsAtMost(r, "train.lr-scaling-warmup", epochs));
    String inner = r.oneOf("train.inner-state", "average", "keep", "reset-first-moment");
    this.rules = new TrainingRules(scaling, schedule(r, epochs), outer(r, workers),
        InnerState.valueOf(inner.replace('-', '_').toUpperCase()));
    this.earlyStopping = new EarlyStopping.Settings(r.intAtLeast("train.early-stopping.patience", 0),
        r.numberIn("train.early-stopping.min-delta", 0, Double.POSITIVE_INFINITY, false));
  }

  public TrainingRules rules() {
    return rules;
  }

  public EarlyStopping.Settings earlyStopping() {
    return earlyStopping;
  }

  /** Whether a setting needs the validation loss (plateau schedule, early stopping), named for the error. */
  public String needsValidation() {
    if (rules.schedule().type() == LrSchedule.Type.PLATEAU) {
      return "train.lr-schedule.type = plateau";
    }
    return earlyStopping.patience() > 0 ? "train.early-stopping.patience > 0" : null;
  }

  private static double epochsAtMost(ConfigReader r, String key, int epochs) {
    double v = r.numberIn(key, 0, Double.POSITIVE_INFINITY, false);
    if (v > epochs) {
      throw new UserError(key + " must be at most train.epochs = " + epochs + " (a warm-up longer than training), got "
          + (v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v)));
    }
    return v;
  }

  private static LrSchedule schedule(ConfigReader r, int epochs) {
    String p = "train.lr-schedule.";
    LrSchedule.Type type = LrSchedule.Type.valueOf(
        r.oneOf(p + "type", "constant", "step", "exponential", "cosine", "plateau").toUpperCase());
    int warmup = r.intAtLeast(p + "warmup-epochs", 0);
    if (warmup > epochs) {
      throw new UserError(p + "warmup-epochs must be at most train.epochs = " + epochs
          + " (a warm-up longer than training), got " + warmup);
    }
    if (type == LrSchedule.Type.PLATEAU && warmup > 0) {
      throw new UserError(p + "warmup-epochs must be 0 with " + p + "type = plateau (PyTorch's ReduceLROnPlateau "
          + "does not chain in SequentialLR); use train.lr-scaling-warmup for a ramp");
    }
    double startFactor = r.numberIn(p + "warmup-start-factor", 0, 1, false);
    if (startFactor == 0) {
      throw new UserError(p + "warmup-start-factor must be a number in (0, 1], got 0");
    }
    int tMax = r.intAtLeast(p + "t-max", 0); // resolved for cosine only: other types stay independent of epochs
    Plateau.Settings plateau = type != LrSchedule.Type.PLATEAU ? null : new Plateau.Settings(
        openUnit(r, p + "factor"), r.intAtLeast(p + "patience", 0),
        r.numberIn(p + "threshold", 0, Double.POSITIVE_INFINITY, false), r.intAtLeast(p + "cooldown", 0),
        r.numberIn(p + "min-lr", 0, Double.POSITIVE_INFINITY, false));
    return new LrSchedule(type, r.intAtLeast(p + "step-size", 1), r.positive(p + "gamma"),
        type != LrSchedule.Type.COSINE ? 1 : tMax > 0 ? tMax : Math.max(1, epochs - warmup), r.numberIn(p + "eta-min", 0, Double.POSITIVE_INFINITY, false),
        warmup, startFactor, plateau);
  }

  private static double openUnit(ConfigReader r, String key) {
    double v = r.numberIn(key, 0, 1, true);
    if (v == 0) {
      throw new UserError(key + " must be a number in (0, 1), got 0");
    }
    return v;
  }

  private static OuterRule outer(ConfigReader r, int workers) {
    String p = "train.outer.";
    String type = r.oneOf(p + "type", "average", "bmuf", "diloco");
    Double momentum = r.optNumber(p + "momentum");
    if (momentum != null) {
      r.checkRange(p + "momentum", momentum, 0, 1, true);
    }
    Double blockLr = r.optNumber(p + "block-lr");
    Double lr = r.optNumber(p + "learning-rate");
    Boolean nesterov = r.isNull(p + "nesterov") ? null : r.bool(p + "nesterov");
    switch (type) {
      case "bmuf" -> {
        notFor(p, type, "learning-rate", lr);
        return new OuterRule(OuterRule.Type.BMUF, momentum != null ? momentum : OuterRule.bmufMomentum(workers),
            positive(p + "block-lr", blockLr, 1), nesterov != null && nesterov, 1);
      }
      case "diloco" -> {
        notFor(p, type, "block-lr", blockLr);
        return new OuterRule(OuterRule.Type.DILOCO, momentum != null ? momentum : 0.9, 1, nesterov == null || nesterov,
            positive(p + "learning-rate", lr, 0.7));
      }
      default -> {
        notFor(p, type, "momentum", momentum);
        notFor(p, type, "block-lr", blockLr);
        notFor(p, type, "nesterov", nesterov);
        notFor(p, type, "learning-rate", lr);
        return OuterRule.AVERAGE;
      }
    }
  }

  private static double positive(String key, Double v, double fallback) {
    if (v == null) {
      return fallback;
    }
    if (!(v > 0)) {
      throw new UserError(key + " must be a number > 0, got " + v);
    }
    return v;
  }

  private static void notFor(String p, String type, String key, Object value) {
    if (value != null) {
      throw new UserError(p + key + " does not apply to " + p + "type = " + type + "; leave it null");
    }
  }
}
