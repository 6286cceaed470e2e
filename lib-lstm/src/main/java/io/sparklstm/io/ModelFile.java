package io.sparklstm.io;

import io.sparklstm.lstm.LstmConfig;
import io.sparklstm.model.HeadMode;
import io.sparklstm.model.ModelConfig;
import io.sparklstm.model.ParameterLayout;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A SequenceModel ({@code lstm = nn.LSTM(...)}, {@code head = nn.Linear(D*H_out, out)}) as one
 * {@code .safetensors} file, as docs/MODEL_FILES.md describes.
 *
 * <p>Tensors are F32 and named as the PyTorch {@code state_dict()} ({@code lstm.weight_ih_l0}, ...,
 * {@code head.weight}, {@code head.bias}); {@code __metadata__} holds {@code "format": "pt"},
 * {@code "spark-lstm.config"} (the architecture as JSON) and {@code "spark-lstm.format-version"}.
 *
 * <pre>
 * ModelFile.save(path, config, params, Map.of("spark-lstm.provenance", "..."));
 * LoadedModel m = ModelFile.load(path, HeadMode.LAST);   // architecture from the file
 * LoadedModel m = ModelFile.load(path, expectedConfig);  // and it must agree with this one
 * </pre>
 *
 * <p>Loading accepts our files, files without the spark-lstm metadata (architecture inferred from
 * the tensor shapes; batch_first, dropout and the head's mode then come from the caller), and a bare
 * {@code nn.LSTM().state_dict()} (no {@code lstm.} prefix, no head), and training checkpoints
 * (their {@code optimizer.*} tensors are skipped). Every problem is a
 * {@link ModelFileException} naming the file, the tensor or key, and expected vs actual.
 */
public final class ModelFile {
  /** The version this code writes and the newest it reads. */
  public static final int FORMAT_VERSION = 1;
  public static final String FORMAT_KEY = "format";
  public static final String CONFIG_KEY = ConfigJson.KEY;
  public static final String VERSION_KEY = "spark-lstm.format-version";
  /**
   * Metadata key of a training checkpoint (see the jobs' {@code Checkpoints}): such a file is a model
   * file plus the optimizer's buffers as tensors named {@link #OPTIMIZER_PREFIX}{@code <buffer>},
   * which loading a model skips, so a checkpoint also loads as a model.
   */
  public static final String CHECKPOINT_KEY = "spark-lstm.checkpoint";
  public static final String OPTIMIZER_PREFIX = "optimizer.";
  /** In a checkpoint, the prefix of the driver's rule state (outer momentum, per-shard optimizer states, ...). */
  public static final String RUN_PREFIX = "run.";

  private ModelFile() {}

  // ---- writing --------------------------------------------------------------------------------

  /**
   * The file's bytes. Deterministic: the same arguments give the same bytes (tensors in state_dict
   * order, metadata keys in a fixed order, {@code extra} sorted by key, no timestamps).
   *
   * @param parameters every parameter in {@code ParameterLayout.of(config)} order
   * @param extra      more metadata (e.g. provenance), may be null; may not reuse our three keys
   */
  public static byte[] toBytes(ModelConfig config, float[] parameters, Map<String, String> extra) {
    ParameterLayout layout = ParameterLayout.of(config);
    if (parameters.length != layout.size()) {
      throw new IllegalArgumentException("the model " + describe(config) + " has " + layout.size()
          + " parameters, got " + parameters.length);
    }
    List<SafeTensors.NamedTensor> tensors = new ArrayList<>();
    for (ParameterLayout.Entry e : layout.entries()) {
      tensors.add(new SafeTensors.NamedTensor(e.name(), e.shape(),
          Arrays.copyOfRange(parameters, e.offset(), e.offset() + e.size())));
    }
    return SafeTensors.toBytes(metadata(config, extra), tensors);
  }

  /** The {@code spark-lstm.config} metadata value for {@code config}: nn.LSTM kwargs and head, as JSON. */
  public static String configJson(ModelConfig config) {
    return ConfigJson.write(config);
  }

  /** Writes {@link #toBytes} to {@code path} atomically (a reader sees the old file or the new one). */
  public static void save(Path path, ModelConfig config, float[] parameters, Map<String, String> extra)
      throws IOException {
    AtomicFiles.write(path, toBytes(config, parameters, extra));
  }

  private static Map<String, String> metadata(ModelConfig config, Map<String, String> extra) {
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put(FORMAT_KEY, "pt");
    meta.put(CONFIG_KEY, ConfigJson.write(config));
    meta.put(VERSION_KEY, Integer.toString(FORMAT_VERSION));
    if (extra != null) {
      for (Map.Entry<String, String> e : new TreeMap<>(extra).entrySet()) {
        if (meta.containsKey(e.getKey())) {
          throw new IllegalArgumentException("extra metadata may not set \"" + e.getKey() + "\"; ModelFile writes it");
        }
        if (e.getValue() == null) {
          throw new IllegalArgumentException("extra metadata \"" + e.getKey() + "\" is null");
        }
        meta.put(e.getKey(), e.getValue());
      }
    }
    return meta;
  }

  // ---- reading --------------------------------------------------------------------------------

  /** Loads a model; {@code defaultMode} is the head's mode when the file does not say it. */
  public static LoadedModel load(Path path, HeadMode defaultMode) throws IOException {
    return read(SafeTensors.read(path), Map.of(), defaultMode);
  }

  /**
   * Loads a model that must have exactly the architecture {@code expected} (every key is compared;
   * mismatches are listed key by key). A file without metadata takes batch_first, dropout and the
   * head's mode from {@code expected}.
   */
  public static LoadedModel load(Path path, ModelConfig expected) throws IOException {
    return read(SafeTensors.read(path), settings(expected), modeOf(expected));
  }

  /**
   * Loads a model whose architecture must agree with the settings a user gave, e.g.
   * {@code {"model.lstm.hidden-size": 64}} (keys as in the training config: {@code model.lstm.*},
   * {@code model.head.output-size} (0 = no head), {@code model.head.mode}); settings not given are
   * not compared. A file without metadata takes batch-first, dropout and mode from {@code given}
   * when there, else false, 0 and {@code defaultMode}.
   */
  public static LoadedModel load(Path path, Map<String, Object> given, HeadMode defaultMode) throws IOException {
    return read(SafeTensors.read(path), given, defaultMode);
  }

  /** {@link #load(Path, HeadMode)} from a file's bytes (e.g. read through Hadoop's FileSystem). */
  public static LoadedModel fromBytes(byte[] file, String source, HeadMode defaultMode) throws ModelFileException {
    return read(SafeTensors.parse(file, source), Map.of(), defaultMode);
  }

  /** {@link #load(Path, ModelConfig)} from a file's bytes. */
  public static LoadedModel fromBytes(byte[] file, String source, ModelConfig expected) throws ModelFileException {
    return read(SafeTensors.parse(file, source), settings(expected), modeOf(expected));
  }

  /** {@link #load(Path, Map, HeadMode)} from a file's bytes. */
  public static LoadedModel fromBytes(byte[] file, String source, Map<String, Object> given, HeadMode defaultMode)
      throws ModelFileException {
    return read(SafeTensors.parse(file, source), given, defaultMode);
  }

  /** Every setting of {@code config} under its training-config key, as {@code load} compares them. */
  public static Map<String, Object> settings(ModelConfig config) {
    return ConfigAgreement.settings(config);
  }

  private static HeadMode modeOf(ModelConfig config) {
    return config.hasHead() ? config.head().mode() : HeadMode.LAST;
  }

  private static LoadedModel read(SafeTensors file, Map<String, Object> given, HeadMode defaultMode)
      throws ModelFileException {
    ConfigAgreement.checkGiven(given);
    String source = file.source();
    Map<String, String> meta = file.metadata();
    checkVersion(meta, source);
    Map<String, SafeTensors.Entry> entries = modelEntries(file);
    String prefix = ShapeInference.lstmPrefix(entries, source);
    HeadMode mode = given.containsKey(ConfigAgreement.MODE)
        ? HeadMode.parse((String) given.get(ConfigAgreement.MODE)) : defaultMode;
    ModelConfig config;
    String origin;
    if (meta.containsKey(CONFIG_KEY)) {
      config = ConfigJson.read(meta.get(CONFIG_KEY), mode, source + ": metadata \"" + CONFIG_KEY + "\"");
      origin = "its " + CONFIG_KEY + " metadata";
    } else {
      boolean batchFirst = (Boolean) given.getOrDefault(ConfigAgreement.BATCH_FIRST, false);
      double dropout = ((Number) given.getOrDefault(ConfigAgreement.DROPOUT, 0.0)).doubleValue();
      config = ShapeInference.infer(entries, prefix, batchFirst, dropout, mode, source);
      origin = "its tensor shapes";
    }
    float[] params = readParameters(file, entries, config, prefix, describe(config) + " (from " + origin + ")");
    List<String> differences = ConfigAgreement.disagreements(given, config, source);
    if (!differences.isEmpty()) {
      throw new ModelFileException(String.join("; ", differences));
    }
    return new LoadedModel(config, params, Collections.unmodifiableMap(new LinkedHashMap<>(meta)));
  }

  /** The file's tensors that belong to the model: all of them, less the optimizer's and the run's in a checkpoint. */
  private static Map<String, SafeTensors.Entry> modelEntries(SafeTensors file) {
    if (!file.metadata().containsKey(CHECKPOINT_KEY)) {
      return file.entries();
    }
    Map<String, SafeTensors.Entry> model = new LinkedHashMap<>();
    file.entries().forEach((name, entry) -> {
      if (!name.startsWith(OPTIMIZER_PREFIX) && !name.startsWith(RUN_PREFIX)) {
        model.put(name, entry);
      }
    });
    return model;
  }

  /** "format" must be PyTorch's; a version newer than ours is refused. */
  private static void checkVersion(Map<String, String> meta, String source) throws ModelFileException {
    String format = meta.get(FORMAT_KEY);
    if (format != null && !format.equals("pt")) {
      throw new ModelFileException(source + ": metadata \"format\" is \"" + format
          + "\"; expected \"pt\" (a PyTorch state_dict)");
    }
    String version = meta.get(VERSION_KEY);
    if (version == null) {
      return; // not written by spark-lstm, or by hand: read as version 1
    }
    if (!version.matches("[1-9][0-9]{0,8}")) {
      throw new ModelFileException(source + ": metadata \"" + VERSION_KEY + "\" must be a positive integer, got \""
          + (version.length() > 20 ? version.substring(0, 20) + "..." : version) + "\"");
    }
    if (Integer.parseInt(version) > FORMAT_VERSION) {
      throw new ModelFileException(source + ": model file format version " + version + " is newer than this"
          + " spark-lstm reads (version " + FORMAT_VERSION + "); use a newer spark-lstm");
    }
  }

  /**
   * Every tensor of {@code config} present, F32, with its shape, and no other tensor; then the
   * flat parameter buffer. {@code model} describes the architecture and its origin in messages.
   */
  private static float[] readParameters(SafeTensors file, Map<String, SafeTensors.Entry> entries, ModelConfig config,
                                        String prefix, String model) throws ModelFileException {
    String source = file.source();
    if (config.lstm().numLayers() > entries.size()) { // checked before a layout of that size is built
      throw new ModelFileException(source + ": the model " + model + " needs more tensors than the file's "
          + entries.size());
    }
    ParameterLayout layout;
    try {
      layout = ParameterLayout.of(config);
    } catch (IllegalArgumentException e) {
      throw new ModelFileException(source + ": the model " + model + " is too large: " + e.getMessage());
    }
    Set<String> expected = new HashSet<>();
    for (ParameterLayout.Entry e : layout.entries()) {
      String name = fileName(e.name(), prefix);
      expected.add(name);
      if (!entries.containsKey(name)) {
        throw new ModelFileException(source + ": missing tensor \"" + name + "\" (shape " + Arrays.toString(e.shape())
            + "): the model " + model + " needs it" + unexpectedHint(entries, layout, prefix));
      }
    }
    for (String name : entries.keySet()) {
      if (!expected.contains(name)) {
        throw new ModelFileException(source + ": unexpected tensor \"" + name + "\": the model " + model
            + " has no such parameter");
      }
    }
    for (ParameterLayout.Entry e : layout.entries()) {
      String name = fileName(e.name(), prefix);
      SafeTensors.Entry t = entries.get(name);
      if (!t.dtype().equals("F32")) {
        throw new ModelFileException(source + ": tensor \"" + name + "\" has dtype " + t.dtype()
            + ", expected F32 (in PyTorch, call model.float() before saving)");
      }
      if (!Arrays.equals(t.shape(), Arrays.stream(e.shape()).asLongStream().toArray())) {
        throw new ModelFileException(source + ": tensor \"" + name + "\" has shape " + Arrays.toString(t.shape())
            + " but the model " + model + " needs " + Arrays.toString(e.shape()));
      }
    }
    float[] params = new float[layout.size()]; // all shapes checked: the file holds this many floats
    for (ParameterLayout.Entry e : layout.entries()) {
      System.arraycopy(file.floats(fileName(e.name(), prefix)), 0, params, e.offset(), e.size());
    }
    return params;
  }

  /** A bare nn.LSTM state_dict names {@code lstm.weight_ih_l0} as {@code weight_ih_l0}. */
  private static String fileName(String layoutName, String prefix) {
    return prefix.isEmpty() && layoutName.startsWith("lstm.") ? layoutName.substring("lstm.".length()) : layoutName;
  }

  /** When a tensor is missing, the file's names that the model does not know often show why. */
  private static String unexpectedHint(Map<String, SafeTensors.Entry> entries, ParameterLayout layout, String prefix) {
    Set<String> known = new HashSet<>();
    layout.entries().forEach(e -> known.add(fileName(e.name(), prefix)));
    List<String> extra = entries.keySet().stream().filter(n -> !known.contains(n)).limit(5).map(n -> "\"" + n + "\"").toList();
    return extra.isEmpty() ? "" : " (the file has tensors the model does not: " + String.join(", ", extra) + ")";
  }

  /** PyTorch's repr, only non-default arguments: {@code LSTM(3, 6, num_layers=2) + head Linear(6, 1, last)}. */
  static String describe(ModelConfig config) {
    LstmConfig c = config.lstm();
    StringBuilder sb = new StringBuilder("LSTM(").append(c.inputSize()).append(", ").append(c.hiddenSize());
    if (c.numLayers() != 1) {
      sb.append(", num_layers=").append(c.numLayers());
    }
    if (!c.bias()) {
      sb.append(", bias=False");
    }
    if (c.batchFirst()) {
      sb.append(", batch_first=True");
    }
    if (c.dropout() != 0) {
      sb.append(", dropout=").append(c.dropout());
    }
    if (c.bidirectional()) {
      sb.append(", bidirectional=True");
    }
    if (c.projSize() != 0) {
      sb.append(", proj_size=").append(c.projSize());
    }
    sb.append(')');
    if (config.hasHead()) {
      sb.append(" + head Linear(").append(c.outputSize()).append(", ").append(config.head().outputSize())
          .append(", mode ").append(config.head().mode().configName()).append(')');
    } else {
      sb.append(", no head");
    }
    return sb.toString();
  }
}
