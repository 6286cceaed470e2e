package io.sparklstm.train.rules;

/**
 * {@code train.early-stopping} on the validation loss, and the best epoch that
 * {@code output.best-validation} writes. An epoch improves when its loss is below
 * {@code best - minDelta} (the first finite loss always does); training stops after
 * {@code patience} epochs in a row without improvement (Keras's EarlyStopping, mode min).
 */
public final class EarlyStopping {
  /** @param patience epochs without improvement before stopping; 0 = never stop */
  public record Settings(int patience, double minDelta) {
    public static final Settings OFF = new Settings(0, 0);

    public Settings {
      if (patience < 0 || !(minDelta >= 0 && Double.isFinite(minDelta))) {
        throw new IllegalArgumentException("early-stopping: patience and min-delta must be >= 0");
      }
    }
  }

  private final Settings settings;
  private double best = Double.POSITIVE_INFINITY;
  private int bestEpoch;   // 1-based; 0 = none yet
  private int badEpochs;

  public EarlyStopping(Settings settings) {
    this.settings = settings;
  }

  /** Records epoch {@code epoch} (1-based) with validation loss {@code loss}; true when it is the new best. */
  public boolean observe(int epoch, double loss) {
    if (bestEpoch == 0 ? Double.isFinite(loss) : loss < best - settings.minDelta()) {
      best = loss;
      bestEpoch = epoch;
      badEpochs = 0;
      return true;
    }
    badEpochs++;
    return false;
  }

  /** Whether training should stop now. */
  public boolean shouldStop() {
    return settings.patience() > 0 && badEpochs >= settings.patience();
  }

  public double bestLoss() {
    return best;
  }

  /** The best epoch, 1-based; 0 = none yet. */
  public int bestEpoch() {
    return bestEpoch;
  }

  public void save(RunState out) {
    out.values().put("early.best", Double.toString(best));
    out.values().put("early.best_epoch", Integer.toString(bestEpoch));
    out.values().put("early.bad_epochs", Integer.toString(badEpochs));
  }

  public void restore(RunState in) {
    best = Double.parseDouble(in.value("early.best"));
    bestEpoch = Integer.parseInt(in.value("early.best_epoch"));
    badEpochs = Integer.parseInt(in.value("early.bad_epochs"));
  }
}
