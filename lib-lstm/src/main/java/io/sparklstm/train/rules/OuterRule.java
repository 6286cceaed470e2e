package io.sparklstm.train.rules;

import java.io.Serializable;

/**
 * {@code train.outer}: the rule the driver applies to the averaged update of a round. With
 * {@code b} the parameters the shards started from, {@code m} their mean after the round and θ the
 * driver's model (float32, element by element):
 * <pre>
 * average: θ ← m
 * bmuf:    v ← η v + ζ (m − b);  θ ← θ + v;  next b = θ + η v (nesterov) or θ
 *          (Chen &amp; Huo 2016, CNTK BlockMomentumSGD; η = momentum, ζ = block-lr)
 * diloco:  g ← b − m (b = θ);  buf ← μ buf + g;  d = g + μ buf (nesterov) or buf;  θ ← θ − γ d
 *          (Douillard et al. 2023: torch.optim.SGD(momentum=μ, nesterov) on the pseudo-gradient g)
 * </pre>
 * v and buf start at zero (torch's first-step {@code buf = g} is the same value).
 *
 * @param momentum     η (bmuf) or μ (diloco), in [0, 1)
 * @param blockLr      ζ (bmuf), &gt; 0
 * @param learningRate γ (diloco), &gt; 0
 */
public record OuterRule(Type type, double momentum, double blockLr, boolean nesterov, double learningRate)
    implements Serializable {
  /** {@code train.outer.type}. */
  public enum Type { AVERAGE, BMUF, DILOCO }

  public static final OuterRule AVERAGE = new OuterRule(Type.AVERAGE, 0, 1, false, 1);

  public OuterRule {
    if (!(momentum >= 0 && momentum < 1)) {
      throw new IllegalArgumentException("outer momentum must be in [0, 1), got " + momentum);
    }
    if (!(blockLr > 0 && Double.isFinite(blockLr))) {
      throw new IllegalArgumentException("outer block-lr must be a finite number > 0, got " + blockLr);
    }
    if (!(learningRate > 0 && Double.isFinite(learningRate))) {
      throw new IllegalArgumentException("outer learning-rate must be a finite number > 0, got " + learningRate);
    }
  }

  /** BMUF's default block momentum for W workers, 1 - 1/W (Chen &amp; Huo 2016). */
  public static double bmufMomentum(int workers) {
    return 1 - 1.0 / workers;
  }

  /** Whether the rule keeps a momentum vector on the driver. */
  public boolean hasVelocity() {
    return type != Type.AVERAGE;
  }
}
