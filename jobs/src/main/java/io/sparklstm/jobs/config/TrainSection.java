package io.sparklstm.jobs.config;

import java.util.Optional;

/** {@code train.*}: the parameter-averaging loop (DESIGN.md section 7). */
public final class TrainSection {
  /** {@code train.loss-curve-scale}: the y axis of the loss-curve picture. */
  public enum LossCurveScale { LINEAR, LOG, AUTO }

  private final int epochs;
  private final int batchSize;
  private final int workers;
  private final int averagingFrequency;
  private final boolean averagingFrequencyAuto;
  private final String roundExchange;
  private final boolean shuffle;
  private final long seed;
  private final OptimizerSection optimizer;
  private final double clipGradNorm;
  private final boolean resume;
  private final int tbptt;
  private final String checkpointDir;
  private final String metrics;
  private final LossCurveScale lossCurveScale;
  private final RulesSection rules;

  TrainSection(ConfigReader r) {
    this.epochs = r.intAtLeast("train.epochs", 1);
    this.batchSize = r.intAtLeast("train.batch-size", 1);
    this.workers = r.intAtLeast("train.workers", 1);
    Integer k = r.intAtLeastOrAuto("train.averaging-frequency", 0);
    this.averagingFrequencyAuto = k == null;
    this.averagingFrequency = k == null ? autoAveragingFrequency(workers) : k;
    this.roundExchange = r.oneOf("train.round-exchange", "auto", "direct", "jobs");
    this.shuffle = r.bool("train.shuffle");
    this.seed = r.longAtLeast("train.seed", Long.MIN_VALUE);
    this.optimizer = new OptimizerSection(r);
    this.clipGradNorm = r.numberIn("train.clip-grad-norm", 0, Double.POSITIVE_INFINITY, false);
    this.resume = r.bool("train.resume");
    this.tbptt = r.intAtLeast("train.tbptt", 0);
    this.checkpointDir = TableSource.emptyToNull(r.optString("train.checkpoint-dir"));
    this.metrics = TableSource.emptyToNull(r.optString("train.metrics"));
    this.lossCurveScale = LossCurveScale.valueOf(r.oneOf("train.loss-curve-scale", "linear", "log", "auto")
        .toUpperCase());
    this.rules = new RulesSection(r, epochs, workers);
  }

  /** The driver's rules: learning-rate scaling and schedule, outer rule, inner state, early stopping. */
  public RulesSection rules() {
    return rules;
  }

  public int epochs() {
    return epochs;
  }

  /** Sequences per mini-batch, per worker. */
  public int batchSize() {
    return batchSize;
  }

  /** Number of data shards. */
  public int workers() {
    return workers;
  }

  /**
   * {@code train.averaging-frequency = auto} (the default): 16 mini-batches below 16 workers, 4 from 16
   * workers on. Measured on the bench model with direct rounds (docs/SCALING.md, "The default averaging
   * frequency"): at W = 2-8, k = 16 reaches the 1-worker loss as soon as k = 4 or sooner, with fewer
   * rounds; at W = 16, k = 4 reaches it in 15 epochs against 22 and 15% sooner in time. A function of
   * {@code train.workers} alone, so the model does not depend on the cluster.
   */
  static int autoAveragingFrequency(int workers) {
    return workers >= 16 ? 4 : 16;
  }

  /** Whether {@link #averagingFrequency} was chosen by {@code auto}. */
  public boolean averagingFrequencyAuto() {
    return averagingFrequencyAuto;
  }

  /** Mini-batches per worker between averages; 0 = once per epoch ({@code auto} resolved). */
  public int averagingFrequency() {
    return averagingFrequency;
  }

  /** How rounds exchange states: auto | direct | jobs (docs/CONFIG.md). */
  public String roundExchange() {
    return roundExchange;
  }

  public boolean shuffle() {
    return shuffle;
  }

  public long seed() {
    return seed;
  }

  public OptimizerSection optimizer() {
    return optimizer;
  }

  /** Global L2 norm to clip gradients to; 0 = off. */
  public double clipGradNorm() {
    return clipGradNorm;
  }

  public boolean resume() {
    return resume;
  }

  /** Truncated BPTT chunk length in steps; 0 = full BPTT. */
  public int tbptt() {
    return tbptt;
  }

  /** {@code train.checkpoint-dir} if set; the default is {@code <output.model>.checkpoint}. */
  public Optional<String> checkpointDir() {
    return Optional.ofNullable(checkpointDir);
  }

  /** {@code train.metrics} if set; the default is {@code <output.model>.metrics.jsonl}. */
  public Optional<String> metrics() {
    return Optional.ofNullable(metrics);
  }

  /** {@code train.loss-curve-scale}: linear, log, or auto (log when the losses span more than a decade). */
  public LossCurveScale lossCurveScale() {
    return lossCurveScale;
  }
}
