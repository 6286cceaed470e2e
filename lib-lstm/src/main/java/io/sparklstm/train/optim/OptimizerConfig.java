package io.sparklstm.train.optim;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * The {@code train.optimizer} settings as a user writes them: a type name and hyperparameters, each
 * null when not given. {@link #build()} fills the gaps with PyTorch's defaults for that type and
 * validates.
 *
 * <table>
 *   <caption>Hyperparameters, their config keys and their defaults</caption>
 *   <tr><th>key</th><th>PyTorch</th><th>sgd</th><th>adam</th><th>adamw</th></tr>
 *   <tr><td>learning-rate</td><td>lr</td><td>required</td><td>1e-3</td><td>1e-3</td></tr>
 *   <tr><td>momentum</td><td>momentum</td><td>0</td><td>-</td><td>-</td></tr>
 *   <tr><td>dampening</td><td>dampening</td><td>0</td><td>-</td><td>-</td></tr>
 *   <tr><td>nesterov</td><td>nesterov</td><td>false</td><td>-</td><td>-</td></tr>
 *   <tr><td>beta1, beta2</td><td>betas</td><td>-</td><td>0.9, 0.999</td><td>0.9, 0.999</td></tr>
 *   <tr><td>epsilon</td><td>eps</td><td>-</td><td>1e-8</td><td>1e-8</td></tr>
 *   <tr><td>weight-decay</td><td>weight_decay</td><td>0</td><td>0 (L2)</td><td>1e-2 (decoupled)</td></tr>
 *   <tr><td>amsgrad</td><td>amsgrad</td><td>-</td><td>false</td><td>false</td></tr>
 * </table>
 * A hyperparameter that the type does not have ("-") must be left null: setting {@code momentum}
 * for adam is an error, not silently ignored.
 *
 * @param type         {@code sgd}, {@code adam} or {@code adamw}
 * @param learningRate learning-rate
 * @param momentum     momentum (sgd)
 * @param dampening    dampening (sgd)
 * @param nesterov     nesterov (sgd)
 * @param beta1        beta1 (adam, adamw)
 * @param beta2        beta2 (adam, adamw)
 * @param epsilon      epsilon (adam, adamw)
 * @param weightDecay  weight-decay
 * @param amsgrad      amsgrad (adam, adamw)
 */
public record OptimizerConfig(String type, Double learningRate, Double momentum, Double dampening, Boolean nesterov,
                              Double beta1, Double beta2, Double epsilon, Double weightDecay, Boolean amsgrad)
    implements Serializable {

  /** The config keys, in the order of the record components. */
  public static final List<String> KEYS = List.of("type", "learning-rate", "momentum", "dampening", "nesterov",
      "beta1", "beta2", "epsilon", "weight-decay", "amsgrad");

  /** Only the type given: every hyperparameter at its default (sgd then lacks its learning rate). */
  public static OptimizerConfig of(String type) {
    return new OptimizerConfig(type, null, null, null, null, null, null, null, null, null);
  }

  /**
   * From a map keyed by the config keys in {@link #KEYS} (as HOCON's {@code train.optimizer} or a
   * JSON object gives it); absent or null values are defaults. Numbers may be any {@link Number}.
   */
  public static OptimizerConfig fromMap(Map<String, ?> settings) {
    for (String key : settings.keySet()) {
      if (!KEYS.contains(key)) {
        throw new IllegalArgumentException("unknown optimizer setting \"" + key + "\"; known: " + KEYS);
      }
    }
    Object type = settings.get("type");
    if (!(type instanceof String)) {
      throw new IllegalArgumentException("optimizer type must be a string: sgd, adam or adamw, got " + type);
    }
    return new OptimizerConfig((String) type, number(settings, "learning-rate"), number(settings, "momentum"),
        number(settings, "dampening"), bool(settings, "nesterov"), number(settings, "beta1"),
        number(settings, "beta2"), number(settings, "epsilon"), number(settings, "weight-decay"),
        bool(settings, "amsgrad"));
  }

  /** The optimizer: PyTorch's defaults for this type where a value is null, then validated. */
  public Optimizer build() {
    if (type == null) {
      throw new IllegalArgumentException("optimizer type must be given: sgd, adam or adamw");
    }
    switch (type) {
      case "sgd":
        notFor("beta1", beta1);
        notFor("beta2", beta2);
        notFor("epsilon", epsilon);
        notFor("amsgrad", amsgrad);
        if (learningRate == null) {
          throw new IllegalArgumentException("sgd: learning-rate must be given (PyTorch's SGD has no default)");
        }
        return new Sgd(learningRate, or(momentum, Sgd.DEFAULT_MOMENTUM), or(dampening, Sgd.DEFAULT_DAMPENING),
            nesterov != null ? nesterov : Sgd.DEFAULT_NESTEROV, or(weightDecay, Sgd.DEFAULT_WEIGHT_DECAY));
      case "adam":
      case "adamw":
        notFor("momentum", momentum);
        notFor("dampening", dampening);
        notFor("nesterov", nesterov);
        boolean decoupled = type.equals("adamw");
        return new Adam(or(learningRate, Adam.DEFAULT_LEARNING_RATE), or(beta1, Adam.DEFAULT_BETA1),
            or(beta2, Adam.DEFAULT_BETA2), or(epsilon, Adam.DEFAULT_EPSILON),
            or(weightDecay, decoupled ? Adam.DEFAULT_ADAMW_WEIGHT_DECAY : Adam.DEFAULT_WEIGHT_DECAY),
            amsgrad != null ? amsgrad : Adam.DEFAULT_AMSGRAD, decoupled);
      default:
        throw new IllegalArgumentException("optimizer type must be sgd, adam or adamw, got \"" + type + "\"");
    }
  }

  private void notFor(String key, Object value) {
    if (value != null) {
      String owner = List.of("momentum", "dampening", "nesterov").contains(key) ? "sgd" : "adam and adamw";
      throw new IllegalArgumentException(type + ": " + key + " does not apply (it is a hyperparameter of " + owner
          + "); leave it unset");
    }
  }

  private static double or(Double value, double fallback) {
    return value != null ? value : fallback;
  }

  private static Double number(Map<String, ?> settings, String key) {
    Object v = settings.get(key);
    if (v == null) {
      return null;
    }
    if (!(v instanceof Number)) {
      throw new IllegalArgumentException("optimizer " + key + " must be a number, got \"" + v + "\"");
    }
    return ((Number) v).doubleValue();
  }

  private static Boolean bool(Map<String, ?> settings, String key) {
    Object v = settings.get(key);
    if (v == null) {
      return null;
    }
    if (!(v instanceof Boolean)) {
      throw new IllegalArgumentException("optimizer " + key + " must be true or false, got \"" + v + "\"");
    }
    return (Boolean) v;
  }

  // Validation shared by the optimizers; messages name the optimizer type and the config key.

  static void finite(String type, String key, double value) {
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException(type + ": " + key + " must be a finite number, got " + value);
    }
  }

  static void atLeastZero(String type, String key, double value) {
    finite(type, key, value);
    if (value < 0) {
      throw new IllegalArgumentException(type + ": " + key + " must be >= 0, got " + value);
    }
  }

  static void unitInterval(String type, String key, double value) {
    finite(type, key, value);
    if (!(value >= 0 && value < 1)) {
      throw new IllegalArgumentException(type + ": " + key + " must be in [0, 1), got " + value);
    }
  }
}
