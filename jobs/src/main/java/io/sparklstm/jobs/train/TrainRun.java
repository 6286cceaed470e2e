package io.sparklstm.jobs.train;

import io.sparklstm.io.Json;
import io.sparklstm.io.ModelFile;
import io.sparklstm.jobs.config.TrainSection.LossCurveScale;
import io.sparklstm.jobs.io.FileStore;
import io.sparklstm.jobs.io.OutputPermissions;
import io.sparklstm.model.ParameterInit;
import io.sparklstm.model.ParameterLayout;
import io.sparklstm.train.DivergenceException;
import io.sparklstm.train.Evaluation;
import io.sparklstm.train.Seeds;
import io.sparklstm.train.TrainingSetup;
import io.sparklstm.train.TrainingState;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.LoggerFactory;
import org.slf4j.Logger;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * A whole training run on Spark: start state (fresh, from {@code model.init}, or resumed from the
 * last checkpoint), then per epoch the averaging loop, validation, one log line, one metrics line
 * and a checkpoint; at the end the model file and the loss-curve picture.
 */
public final class TrainRun {
  private static final Logger LOG = LoggerFactory.getLogger(TrainRun.class);

  /** Where a run writes, the y axis of its loss-curve picture, and the permissions of what it writes. */
  public record Outputs(String model, String checkpointDir, String metrics, String picture,
                        LossCurveScale pictureScale, OutputPermissions permissions) {}

  private final SparkSession spark;
  private final TrainingSetup setup;
  private final int epochs;
  private final Outputs outputs;
  private final boolean resume;
  private final String fingerprint;
  private final Map<String, String> provenance;
  private final EpochRules.Settings rules;
  private RoundExchange exchange = RoundExchange.AUTO;

  /**
   * @param fingerprint identifies everything that decides the run's arithmetic (settings, data,
   *                    start state); a checkpoint resumes only a run with the same fingerprint
   * @param provenance  extra model-file metadata (deterministic: no times, no hosts)
   */
  public TrainRun(SparkSession spark, TrainingSetup setup, int epochs, Outputs outputs, boolean resume,
                  String fingerprint, Map<String, String> provenance) {
    this(spark, setup, epochs, outputs, resume, fingerprint, provenance, EpochRules.Settings.NEUTRAL);
  }

  /** As above, with the driver's rules (learning rates, outer rule, inner state, early stopping). */
  public TrainRun(SparkSession spark, TrainingSetup setup, int epochs, Outputs outputs, boolean resume,
                  String fingerprint, Map<String, String> provenance, EpochRules.Settings rules) {
    this.rules = rules;
    this.spark = spark;
    this.setup = setup;
    this.epochs = epochs;
    this.outputs = outputs;
    this.resume = resume;
    this.fingerprint = fingerprint;
    this.provenance = provenance;
  }

  /** A fresh start: PyTorch's initialisation from {@code train.seed}, optimizer state zero. */
  public static TrainingState freshState(TrainingSetup setup) {
    float[] params = ParameterInit.initialize(setup.model(), ParameterLayout.of(setup.model()), Seeds.init(setup.seed()));
    return new TrainingState(params, setup.optimizer().init(params.length));
  }

  /** {@code train.round-exchange}: not part of the fingerprint, as it changes no bit of the model. */
  public TrainRun roundExchange(RoundExchange mode) {
    this.exchange = mode;
    return this;
  }

  /** Trains; {@code start} is used unless a checkpoint is resumed. Returns the final state. */
  public TrainingState run(BlockStore train, Optional<TrainingRows> validation, TrainingState start)
      throws IOException {
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    FileStore store = new FileStore(sc.hadoopConfiguration(), outputs.permissions());
    Checkpoints checkpoints = new Checkpoints(store, outputs.checkpointDir(), setup.model(), setup.optimizer(),
        fingerprint);
    MetricsLog metrics = new MetricsLog(store, outputs.metrics(), outputs.picture(), outputs.pictureScale());
    TrainingState state = start;
    EpochRules epochRules = new EpochRules(rules, setup);
    int first = 0;
    if (resume) {
      Optional<Checkpoints.Checkpoint> cp = checkpoints.latest();
      if (cp.isPresent()) {
        first = cp.get().epochsDone();
        state = cp.get().state();
        epochRules.restore(cp.get().run(), state);
        LOG.info("resuming after epoch {} from {}", first, outputs.checkpointDir());
      } else {
        LOG.info("train.resume: no usable checkpoint in {}; starting from epoch 1", outputs.checkpointDir());
      }
    }
    metrics.resume(first);
    if (first >= epochs) {
      LOG.info("all {} epochs are already done", epochs);
    }
    TaskFailures failures = new TaskFailures();
    sc.sc().addSparkListener(failures);
    SparkAveragingLoop loop = new SparkAveragingLoop(sc, setup, train, epochRules.rounds()).roundExchange(exchange);
    FaultInjection.configure(sc, loop);
    Validation val = validation.map(v -> new Validation(sc, setup, v.rows)).orElse(null);
    int saved = first; // the newest checkpoint on disk, in epochs done (0 = none)
    try {
      for (int epoch = first; epoch < epochs && !epochRules.stop(); epoch++) {
        long t0 = System.nanoTime();
        long[] gc0 = gcTotals();
        SparkAveragingLoop.EpochOutcome out = loop.trainEpoch(state, epoch, epochs);
        state = out.state();
        double seconds = (System.nanoTime() - t0) / 1e9;
        long[] gc1 = gcTotals();
        Evaluation eval = val == null ? null : val.evaluate(state.parameters(), epoch, epochs);
        epochRules.endEpoch(epoch, eval, state);
        Map<String, Object> line = epochLine(epoch, out, seconds, eval);
        line.putAll(loop.dataMetrics());
        epochRules.describe(line);
        line.put("driver_gc_seconds", (gc1[1] - gc0[1]) / 1e3);
        line.put("driver_gc_collections", gc1[0] - gc0[0]);
        long failed = failures.takeCount();
        List<String> reasons = failures.takeExamples();
        line.put("failed_tasks", failed);
        if (failed > 0) {
          LOG.warn("epoch {}: {} task attempts failed and were retried by Spark (the result does not change); "
              + "for example: {}", epoch + 1, failed, String.join("; ", reasons));
        }
        // metrics first: a resume drops lines past its checkpoint, so a crash between the two is harmless
        metrics.add(line);
        checkpoints.save(epoch + 1, state, epochRules.save());
        saved = epoch + 1;
        LOG.info(describe(epoch, out, seconds, eval));
        if (epochRules.stop()) {
          LOG.info("early stopping after epoch {}: no validation loss improvement for {} epochs (best: epoch {})",
              epoch + 1, rules.earlyStopping().patience(), epochRules.bestEpoch());
        }
      }
      metrics.writePicture("spark-lstm: loss per epoch");
      store.write(outputs.model(), ModelFile.toBytes(setup.model(), epochRules.output(state), provenance));
      if (rules.bestValidation()) {
        LOG.info("output.best-validation: the model is that of epoch {}", epochRules.bestEpoch());
      }
      LOG.info("wrote model {}, metrics {}, loss curve {}", outputs.model(), outputs.metrics(), outputs.picture());
      return state;
    } catch (Exception e) { // on Spark, an executor's DivergenceException arrives inside a SparkException
      DivergenceException d = divergence(e);
      if (d == null) {
        throw e;
      }
      throw new DivergenceException(d.getMessage() + (saved == 0 ? ""
          : "; the checkpoint of epoch " + saved + " is in " + outputs.checkpointDir()));
    } finally {
      sc.sc().removeSparkListener(failures);
      loop.close();
      if (val != null) {
        val.release();
      }
    }
  }

  /**
   * Collections and collection milliseconds of this JVM's garbage collectors so far. This is the
   * driver; with a local master the executors run in it too, so it covers all training work.
   */
  private static long[] gcTotals() {
    long count = 0;
    long millis = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      count += Math.max(0, gc.getCollectionCount());
      millis += Math.max(0, gc.getCollectionTime());
    }
    return new long[] {count, millis};
  }

  /** The divergence in a failure's cause chain (on Spark, inside the task failure), or null. */
  static DivergenceException divergence(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof DivergenceException d) {
        return d;
      }
    }
    return null;
  }

  private Map<String, Object> epochLine(int epoch, SparkAveragingLoop.EpochOutcome out, double seconds,
                                        Evaluation eval) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("epoch", epoch + 1);
    m.put("epochs", epochs);
    m.put("train_loss", out.lossSum() / out.sequences());
    m.put("learning_rate", out.firstLr());
    m.put("learning_rate_last_round", out.lastLr());
    if (eval != null) {
      m.put("validation", new LinkedHashMap<>(eval.metrics()));
    }
    m.put("sequences", out.sequences());
    m.put("rounds", out.rounds());
    m.put("seconds", seconds);
    m.put("sequences_per_second", out.sequences() / seconds);
    m.put("compute_seconds", out.computeNanos() / 1e9);
    m.put("averaging_seconds", out.averagingNanos() / 1e9);
    m.put("placement_seconds", out.placementNanos() / 1e9);
    m.put("finished", Instant.now().toString());
    return m;
  }

  private String describe(int epoch, SparkAveragingLoop.EpochOutcome out, double seconds, Evaluation eval) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("epoch %d/%d  lr %.4g", epoch + 1, epochs, out.firstLr()));
    if (out.lastLr() != out.firstLr()) {
      sb.append(String.format("..%.4g", out.lastLr()));
    }
    sb.append(String.format("  train loss %.6f", out.lossSum() / out.sequences()));
    if (eval != null) {
      sb.append("  validation");
      eval.metrics().forEach((k, v) -> sb.append(String.format(" %s %.6f", k, v)));
    }
    double compute = out.computeNanos() / 1e9;
    double avg = out.averagingNanos() / 1e9;
    double rate = out.sequences() / seconds;
    sb.append(String.format(rate < 10 ? "  %.2f seq/s" : "  %.0f seq/s", rate));
    sb.append(String.format("  %.1fs (compute %.1fs, averaging %.1fs = %.0f%%, %d rounds)",
        seconds, compute, avg, 100 * avg / Math.max(1e-9, compute + avg), out.rounds()));
    return sb.toString();
  }

  /** The metadata line stored with a model: deterministic provenance as JSON. */
  public static String provenanceJson(Map<String, Object> fields) {
    return Json.write(fields);
  }
}
