package io.sparklstm.train.rules;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * PyTorch 1.13's {@code ReduceLROnPlateau(mode='min', threshold_mode='rel', eps=1e-8)}, stepped
 * once per epoch with the validation loss: its state is the current rate, the best loss, the count
 * of bad epochs and the cooldown counter (checkpointed as exact decimal strings).
 */
public final class Plateau {
  /** PyTorch's eps: a reduction smaller than this is not applied. */
  private static final double EPS = 1e-8;

  /**
   * @param factor    new lr = lr · factor, in (0, 1)
   * @param patience  bad epochs tolerated before a reduction, &gt;= 0
   * @param threshold relative improvement that counts: loss &lt; best · (1 − threshold), &gt;= 0
   * @param cooldown  epochs after a reduction during which bad epochs are not counted, &gt;= 0
   * @param minLr     the rate never goes below this, &gt;= 0
   */
  public record Settings(double factor, int patience, double threshold, int cooldown, double minLr)
      implements Serializable {
    public Settings {
      if (!(factor > 0 && factor < 1) || patience < 0 || !(threshold >= 0) || cooldown < 0 || !(minLr >= 0)) {
        throw new IllegalArgumentException("plateau: factor must be in (0, 1); patience, threshold, cooldown and "
            + "min-lr >= 0");
      }
    }
  }

  private final Settings settings;
  private double lr;
  private double best = Double.POSITIVE_INFINITY;
  private int badEpochs;
  private int cooldownCounter;

  public Plateau(Settings settings, double initialLr) {
    this.settings = settings;
    this.lr = initialLr;
  }

  /** The current rate. */
  public double lr() {
    return lr;
  }

  /** {@code scheduler.step(loss)}. */
  public void step(double loss) {
    if (loss < best * (1 - settings.threshold())) {
      best = loss;
      badEpochs = 0;
    } else {
      badEpochs++;
    }
    if (cooldownCounter > 0) {
      cooldownCounter--;
      badEpochs = 0;
    }
    if (badEpochs > settings.patience()) {
      double reduced = Math.max(lr * settings.factor(), settings.minLr());
      if (lr - reduced > EPS) {
        lr = reduced;
      }
      cooldownCounter = settings.cooldown();
      badEpochs = 0;
    }
  }

  /** The state, for a checkpoint. */
  public Map<String, String> save() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("lr", Double.toString(lr));
    m.put("best", Double.toString(best));
    m.put("bad_epochs", Integer.toString(badEpochs));
    m.put("cooldown_counter", Integer.toString(cooldownCounter));
    return m;
  }

  /** Restores {@link #save()}'s state. */
  public void restore(Map<String, String> m) {
    lr = Double.parseDouble(m.get("lr"));
    best = Double.parseDouble(m.get("best"));
    badEpochs = Integer.parseInt(m.get("bad_epochs"));
    cooldownCounter = Integer.parseInt(m.get("cooldown_counter"));
  }
}
