package io.sparklstm.train.rules;

import java.io.Serializable;

/**
 * {@code train.lr-schedule}: the learning rate per epoch as PyTorch's schedulers give it, stepped
 * once per epoch: an optional {@code LinearLR(start_factor, 1, warmupEpochs)} warm-up followed, in
 * {@code SequentialLR}'s way (the second scheduler starts at its own epoch 0 at the milestone), by
 * <pre>
 * constant:    lr = base
 * step:        lr = base · gamma^⌊e / stepSize⌋                         (StepLR)
 * exponential: lr = base · gamma^e                                      (ExponentialLR)
 * cosine:      lr = etaMin + (base − etaMin)(1 + cos(π e / tMax)) / 2   (CosineAnnealingLR)
 * plateau:     ReduceLROnPlateau on the validation loss ({@link Plateau}); no warm-up
 * </pre>
 * where e is the epoch counted from the end of the warm-up. Computed in double in closed form;
 * PyTorch's recursive forms agree within round-off (1e-12 relative on the golden fixtures).
 *
 * @param stepSize          StepLR step_size, &gt;= 1
 * @param gamma             StepLR / ExponentialLR gamma, &gt; 0
 * @param tMax              CosineAnnealingLR T_max, &gt;= 1
 * @param etaMin            CosineAnnealingLR eta_min, &gt;= 0
 * @param warmupEpochs      LinearLR total_iters; 0 = no warm-up
 * @param warmupStartFactor LinearLR start_factor, in (0, 1]
 * @param plateau           ReduceLROnPlateau's settings (type plateau only)
 */
public record LrSchedule(Type type, int stepSize, double gamma, int tMax, double etaMin, int warmupEpochs,
                         double warmupStartFactor, Plateau.Settings plateau) implements Serializable {
  /** {@code train.lr-schedule.type}. */
  public enum Type { CONSTANT, STEP, EXPONENTIAL, COSINE, PLATEAU }

  public static final LrSchedule CONSTANT = new LrSchedule(Type.CONSTANT, 1, 1, 1, 0, 0, 1, null);

  public LrSchedule {
    if (stepSize < 1 || tMax < 1 || warmupEpochs < 0) {
      throw new IllegalArgumentException("lr-schedule: step-size and t-max must be >= 1 and warmup-epochs >= 0");
    }
    if (!(gamma > 0) || !(etaMin >= 0) || !(warmupStartFactor > 0 && warmupStartFactor <= 1)) {
      throw new IllegalArgumentException("lr-schedule: gamma must be > 0, eta-min >= 0, warmup-start-factor in (0, 1]");
    }
    if ((type == Type.PLATEAU) != (plateau != null)) {
      throw new IllegalArgumentException("lr-schedule: plateau settings go with type plateau only");
    }
    if (type == Type.PLATEAU && warmupEpochs > 0) {
      throw new IllegalArgumentException("lr-schedule: type plateau has no warm-up (PyTorch's ReduceLROnPlateau "
          + "does not chain in SequentialLR)");
    }
  }

  /** The learning rate of epoch {@code epoch} (0-based) from {@code base}; not for type plateau. */
  public double lr(double base, int epoch) {
    if (epoch < warmupEpochs) {
      return base * (warmupStartFactor + (1 - warmupStartFactor) * epoch / warmupEpochs);
    }
    int e = epoch - warmupEpochs;
    return switch (type) {
      case CONSTANT -> base;
      case STEP -> base * Math.pow(gamma, e / stepSize);
      case EXPONENTIAL -> base * Math.pow(gamma, e);
      case COSINE -> etaMin + (base - etaMin) * (1 + Math.cos(Math.PI * e / tMax)) / 2;
      case PLATEAU -> throw new IllegalStateException("plateau learning rates depend on the validation loss");
    };
  }
}
