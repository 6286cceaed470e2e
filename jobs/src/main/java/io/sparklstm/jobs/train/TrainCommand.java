package io.sparklstm.jobs.train;

import io.sparklstm.io.LoadedModel;
import io.sparklstm.io.ModelFile;
import io.sparklstm.io.ModelFileException;
import io.sparklstm.jobs.Command;
import io.sparklstm.jobs.UserError;
import io.sparklstm.jobs.config.DataSection;
import io.sparklstm.jobs.config.JobConfig;
import io.sparklstm.jobs.config.ModelSection;
import io.sparklstm.jobs.config.OptimizerSection;
import io.sparklstm.jobs.config.TableSource;
import io.sparklstm.jobs.config.TrainSection;
import io.sparklstm.jobs.io.FileStore;
import io.sparklstm.jobs.io.FileSystemErrors;
import io.sparklstm.jobs.io.Tables;
import io.sparklstm.jobs.io.WritableCheck;
import io.sparklstm.lstm.Kernels;
import io.sparklstm.model.LossType;
import io.sparklstm.model.ModelConfig;
import io.sparklstm.train.DivergenceException;
import io.sparklstm.train.TrainingSetup;
import io.sparklstm.train.TrainingState;
import io.sparklstm.train.optim.Adam;
import io.sparklstm.train.optim.Optimizer;
import io.sparklstm.train.optim.Sgd;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code train}: reads the training (and validation) data, checks it against the model, and runs
 * the parameter-averaging loop (DESIGN.md section 7), writing the model, per-epoch metrics,
 * checkpoints and a loss-curve picture.
 */
public final class TrainCommand implements Command {
  private static final Logger LOG = LoggerFactory.getLogger(TrainCommand.class);
  private static final List<String> MODEL_KEYS = List.of("model.lstm.input-size", "model.lstm.hidden-size",
      "model.lstm.num-layers", "model.lstm.bias", "model.lstm.batch-first", "model.lstm.dropout",
      "model.lstm.bidirectional", "model.lstm.proj-size", "model.head.output-size", "model.head.mode");

  @Override
  public String name() {
    return "train";
  }

  @Override
  public String summary() {
    return "train a model with parameter averaging";
  }

  @Override
  public String[] sections() {
    return new String[] {"spark", "model", "data", "train", "output"};
  }

  @Override
  public void validate(JobConfig config) {
    config.data().train().path();
    config.output().model();
    if (config.model().init().isEmpty()) {
      config.model().lstmConfig();
      config.model().headConfig();
    }
    optimizer(config.train().optimizer(), config);
    String needs = config.train().rules().needsValidation();
    if (needs == null && config.output().bestValidation()) {
      needs = "output.best-validation = true";
    }
    if (needs != null && config.data().validation().isEmpty()) {
      throw new UserError(needs + " needs a validation set: set data.validation.path");
    }
  }

  @Override
  public void run(SparkSession spark, JobConfig config) throws Exception {
    FileStore store = new FileStore(spark.sparkContext().hadoopConfiguration());
    LOG.info("kernels on the driver: {}", Kernels.best().describe());
    TrainRun.Outputs outputs = outputs(config);
    checkOutputs(spark, outputs);
    Optional<LoadedModel> init = loadInit(config, store);
    ModelConfig model = init.map(LoadedModel::config).orElseGet(
        () -> new ModelConfig(config.model().lstmConfig(), config.model().headConfig()));
    TrainSection t = config.train();
    TrainingSetup setup;
    try {
      setup = new TrainingSetup(model, loss(config.model()), optimizer(t.optimizer(), config), t.clipGradNorm(),
          t.tbptt(), t.batchSize(), t.workers(), t.averagingFrequency(), t.shuffle(), t.seed());
      setup.newTrainer(Kernels.best());
    } catch (IllegalArgumentException e) {
      throw new UserError("train: " + e.getMessage(), e);
    }
    DataSection data = config.data();
    RowDecoder decoder = new RowDecoder(data.featuresColumn(), data.labelColumn(), model, setup.loss(), true);
    TrainingRows train = rows(spark, data.train(), decoder, false);
    if (train.count < t.workers()) {
      throw new UserError("data.train has " + train.count + " rows, fewer than train.workers = " + t.workers()
          + "; lower train.workers");
    }
    // decodes and checks every row (a bad one stops the run here) while placing them (docs/DATA_LAYOUT.md)
    BlockStore blocks = BlockStore.build(JavaSparkContext.fromSparkContext(spark.sparkContext()), train.rows,
        train.count, setup);
    try {
      MemoryCheck.check(setup, blocks.maxSteps, MemoryCheck.executors(spark.sparkContext()));
      train(spark, config, outputs, setup, init, blocks, decoder);
    } finally {
      blocks.release();
    }
  }

  /**
   * {@code train.averaging-frequency = auto} picks k = 4 from 16 workers on because direct rounds make
   * a round cheap (docs/SCALING.md); where rounds will be Spark jobs (fewer task slots than shards, or
   * {@code train.round-exchange = jobs}) k = 16 is about twice as fast: say so, once, before training.
   */
  static Optional<String> autoFrequencyWarning(TrainSection t, RoundExchange exchange, int slots) {
    boolean jobs = exchange == RoundExchange.JOBS || slots < t.workers();
    if (!t.averagingFrequencyAuto() || t.averagingFrequency() >= 16 || !jobs) {
      return Optional.empty();
    }
    return Optional.of("train.averaging-frequency = auto chose " + t.averagingFrequency() + " for " + t.workers()
        + " workers, which pays with direct rounds; here each round is a Spark job ("
        + (exchange == RoundExchange.JOBS ? "train.round-exchange = jobs" : slots + " task slots for " + t.workers()
        + " shards") + "), where train.averaging-frequency = 16 trains about twice as fast (docs/SCALING.md)");
  }

  /** Trains on the placed rows, validating on {@code data.validation} when set. */
  private static void train(SparkSession spark, JobConfig config, TrainRun.Outputs outputs, TrainingSetup setup,
                            Optional<LoadedModel> init, BlockStore blocks, RowDecoder decoder) throws Exception {
    TrainSection t = config.train();
    DataSection data = config.data();
    long rows = blocks.plan.rows();
    Optional<TrainingRows> validation = data.validation().map(v -> rows(spark, v, decoder, true));
    LOG.info("training on {} rows in {} shards{}", rows, t.workers(),
        validation.map(v -> ", validating on " + v.count + " rows").orElse(""));
    TrainingState start = init.map(m -> new TrainingState(m.parameters(), setup.optimizer().init(m.parameters().length)))
        .orElseGet(() -> TrainRun.freshState(setup));
    EpochRules.Settings rules = new EpochRules.Settings(t.rules().rules(), t.rules().earlyStopping(),
        config.output().bestValidation());
    String fingerprint = fingerprint(setup + "|" + rules, data.train(), rows, start);
    Map<String, String> provenance = new LinkedHashMap<>();
    provenance.put("spark-lstm.training", TrainRun.provenanceJson(provenanceFields(config, rows)));
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    FaultInjection.configure(sc, config.spark().conf());
    autoFrequencyWarning(t, RoundExchange.of(t.roundExchange()), RoundExchange.slots(sc)).ifPresent(LOG::warn);
    try {
      new TrainRun(spark, setup, t.epochs(), outputs, t.resume(), fingerprint, provenance, rules)
          .roundExchange(RoundExchange.of(t.roundExchange())).run(blocks, validation, start);
    } catch (DivergenceException e) { // TrainRun unwraps it from Spark's task failure
      throw new UserError(e.getMessage(), e);
    } finally {
      validation.ifPresent(TrainingRows::release);
    }
  }

  private static TrainRun.Outputs outputs(JobConfig config) {
    TrainSection t = config.train();
    String modelPath = config.output().model();
    return new TrainRun.Outputs(modelPath,
        t.checkpointDir().orElse(modelPath + ".checkpoint"),
        t.metrics().orElse(modelPath + ".metrics.jsonl"),
        stripExtension(t.metrics().orElse(modelPath)) + ".loss.png", t.lossCurveScale(),
        config.output().permissions());
  }

  /**
   * Before any work: a directory where a file is written (or the reverse), or a directory this user
   * may not write in, would otherwise fail only when the first checkpoint, or the model after the
   * last epoch, is written.
   */
  private static void checkOutputs(SparkSession spark, TrainRun.Outputs o) {
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    String[][] files = {{"output.model", o.model()}, {"train.metrics", o.metrics()},
        {"the loss-curve picture", o.picture()}};
    for (String[] f : files) {
      FileStatus st = status(hadoop, f[0], f[1]);
      if (st != null && st.isDirectory()) {
        throw new UserError(f[0] + ": " + f[1] + " is a directory; expected a file name");
      }
    }
    FileStatus cp = status(hadoop, "train.checkpoint-dir", o.checkpointDir());
    if (cp != null && !cp.isDirectory()) {
      throw new UserError("train.checkpoint-dir: " + o.checkpointDir() + " is a file; expected a directory");
    }
    for (String[] f : files) {
      WritableCheck.requireWritable(hadoop, f[0], qualified(hadoop, f[0], f[1]).getParent());
    }
    WritableCheck.requireWritable(hadoop, "train.checkpoint-dir", qualified(hadoop, "train.checkpoint-dir",
        o.checkpointDir()));
  }

  private static FileStatus status(Configuration hadoop, String key, String path) {
    try {
      org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
      FileSystem fs = p.getFileSystem(hadoop);
      return fs.exists(p) ? fs.getFileStatus(p) : null;
    } catch (java.io.IOException | IllegalArgumentException e) {
      throw new UserError(key + ": cannot use " + path + ": " + FileSystemErrors.describe(path, e), e);
    }
  }

  private static org.apache.hadoop.fs.Path qualified(Configuration hadoop, String key, String path) {
    try {
      org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
      return p.getFileSystem(hadoop).makeQualified(p);
    } catch (java.io.IOException | IllegalArgumentException e) {
      throw new UserError(key + ": cannot use " + path + ": " + FileSystemErrors.describe(path, e), e);
    }
  }

  /** The rows of {@code source}, decoded and checked now, or (training) counted only ({@link TrainingRows#counted}). */
  private static TrainingRows rows(SparkSession spark, TableSource source, RowDecoder decoder, boolean decode) {
    Dataset<Row> table = Tables.read(spark, source);
    if (table.schema().isEmpty()) { // e.g. empty JSON files: Spark finds no columns at all
      throw noRows(source);
    }
    TrainingRows rows = decode ? TrainingRows.decode(table, decoder, source.key(), false) // batches are cached
        : TrainingRows.counted(table, decoder, source.key());
    if (rows.count == 0) {
      rows.release();
      throw noRows(source);
    }
    return rows;
  }

  private static UserError noRows(TableSource source) {
    return new UserError(source.key() + " (" + source.path() + ") has no rows"
        + (source.filter().isEmpty() ? "" : " after " + source.key() + ".filter"));
  }

  /** model.init, checked against the model keys the user also set. */
  private static Optional<LoadedModel> loadInit(JobConfig config, FileStore store) {
    Optional<String> path = config.model().init();
    if (path.isEmpty()) {
      return Optional.empty();
    }
    Map<String, Object> given = new LinkedHashMap<>();
    ModelSection m = config.model();
    for (String key : MODEL_KEYS) {
      if (config.isSet(key)) {
        given.put(key, settingValue(m, key));
      }
    }
    try {
      if (!store.exists(path.get())) {
        throw new UserError("model.init: " + path.get() + " does not exist");
      }
      return Optional.of(ModelFile.fromBytes(store.read(path.get()), path.get(), given, m.headMode()));
    } catch (ModelFileException e) {
      throw new UserError("model.init: " + e.getMessage(), e);
    } catch (java.io.IOException e) {
      throw new UserError("model.init: cannot read " + path.get() + ": " + FileSystemErrors.describe(path.get(), e), e);
    }
  }

  private static Object settingValue(ModelSection m, String key) {
    return switch (key) {
      case "model.lstm.input-size" -> m.inputSize().getAsInt();
      case "model.lstm.hidden-size" -> m.hiddenSize().getAsInt();
      case "model.lstm.num-layers" -> m.numLayers();
      case "model.lstm.bias" -> m.bias();
      case "model.lstm.batch-first" -> m.batchFirst();
      case "model.lstm.dropout" -> m.dropout();
      case "model.lstm.bidirectional" -> m.bidirectional();
      case "model.lstm.proj-size" -> m.projSize();
      case "model.head.output-size" -> m.outputSize().getAsInt();
      case "model.head.mode" -> m.headMode().configName();
      default -> throw new IllegalStateException(key);
    };
  }

  private static LossType loss(ModelSection m) {
    return LossType.parse(m.loss().configName());
  }

  /** PyTorch's optimizer from train.optimizer.*; keys another type uses are ignored with a warning. */
  static Optimizer optimizer(OptimizerSection o, JobConfig config) {
    String p = "train.optimizer.";
    List<String> unused = switch (o.type()) {
      case SGD -> List.of("beta1", "beta2", "epsilon");
      case ADAM, ADAMW -> List.of("momentum", "dampening", "nesterov");
    };
    for (String k : unused) {
      if (config.isSet(p + k)) {
        LOG.warn("{}{} is not used by optimizer {}", p, k, o.type().name().toLowerCase());
      }
    }
    try {
      return switch (o.type()) {
        case SGD -> new Sgd(o.learningRate(), o.momentum(), o.dampening(), o.nesterov(), o.weightDecay());
        case ADAM -> new Adam(o.learningRate(), o.beta1(), o.beta2(), o.epsilon(), o.weightDecay(), false, false);
        case ADAMW -> new Adam(o.learningRate(), o.beta1(), o.beta2(), o.epsilon(), o.weightDecay(), false, true);
      };
    } catch (IllegalArgumentException e) {
      throw new UserError(p + e.getMessage(), e);
    }
  }

  /** Everything the run's arithmetic depends on, hashed: a checkpoint only resumes its own run. */
  private static String fingerprint(String settings, TableSource data, long rows, TrainingState start) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(settings.getBytes(StandardCharsets.UTF_8));
      sha.update((data.path() + "|" + data.format() + "|" + data.options() + "|" + data.filter() + "|" + rows)
          .getBytes(StandardCharsets.UTF_8));
      java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(4 * start.parameters().length);
      buf.asFloatBuffer().put(start.parameters());
      sha.update(buf);
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Deterministic provenance for the model file: what was trained on what (no times, no hosts). */
  private static Map<String, Object> provenanceFields(JobConfig config, long rows) {
    Map<String, Object> m = new LinkedHashMap<>();
    TableSource train = config.data().train();
    m.put("data", train.path());
    m.put("format", train.format());
    m.put("filter", train.filter());
    m.put("rows", rows);
    TrainSection t = config.train();
    m.put("epochs", t.epochs());
    m.put("batch_size", t.batchSize());
    m.put("workers", t.workers());
    m.put("averaging_frequency", t.averagingFrequency());
    m.put("shuffle", t.shuffle());
    m.put("seed", t.seed());
    m.put("optimizer", t.optimizer().type().name().toLowerCase());
    m.put("learning_rate", t.optimizer().learningRate());
    m.put("loss", config.model().loss().configName());
    m.put("init", config.model().init().orElse(""));
    return m;
  }

  private static String stripExtension(String path) {
    int slash = path.lastIndexOf('/');
    int dot = path.lastIndexOf('.');
    String base = dot > slash ? path.substring(0, dot) : path;
    return base.endsWith(".metrics") ? base.substring(0, base.length() - ".metrics".length()) : base;
  }
}
