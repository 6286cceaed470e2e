package io.sparklstm.jobs.train;

import io.sparklstm.io.Json;
import io.sparklstm.io.ModelFile;
import io.sparklstm.io.ModelFileException;
import io.sparklstm.io.SafeTensors;
import io.sparklstm.jobs.io.FileStore;
import io.sparklstm.model.ModelConfig;
import io.sparklstm.model.ParameterLayout;
import io.sparklstm.train.TrainingState;
import io.sparklstm.train.rules.RunState;
import io.sparklstm.train.optim.Optimizer;
import io.sparklstm.train.optim.OptimizerState;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.LoggerFactory;
import org.slf4j.Logger;

/**
 * One checkpoint per completed epoch, {@code epoch-0003.safetensors} in the checkpoint directory:
 * the model's tensors under their PyTorch names (so a checkpoint also loads as a model), the
 * optimizer's buffers ({@code optimizer.<buffer>}, flat), and in the metadata the epoch, the exact
 * optimizer step count and a fingerprint of everything that decides the run's arithmetic; the
 * driver's rule state ({@link RunState}) as tensors {@code run.<name>} and metadata strings.
 *
 * <p>Written atomically; the newest two are kept. Resuming takes the newest one that loads and
 * whose fingerprint matches, and says why it skips any other.
 */
final class Checkpoints {
  private static final Logger LOG = LoggerFactory.getLogger(Checkpoints.class);
  private static final String PREFIX = "epoch-";
  private static final String SUFFIX = ".safetensors";
  private static final String KEY = ModelFile.CHECKPOINT_KEY;
  private static final int VERSION = 1;
  private static final int KEEP = 2;

  private final FileStore store;
  private final String dir;
  private final ModelConfig model;
  private final Optimizer optimizer;
  private final String fingerprint;

  Checkpoints(FileStore store, String dir, ModelConfig model, Optimizer optimizer, String fingerprint) {
    this.store = store;
    this.dir = dir;
    this.model = model;
    this.optimizer = optimizer;
    this.fingerprint = fingerprint;
  }

  /** A completed epoch, the state after it and the driver's rule state. */
  record Checkpoint(int epochsDone, TrainingState state, RunState run) {}

  String dir() {
    return dir;
  }

  /** Writes the state after {@code epochsDone} epochs, then removes all but the newest {@link #KEEP}. */
  void save(int epochsDone, TrainingState state, RunState run) throws IOException {
    ParameterLayout layout = ParameterLayout.of(model);
    List<SafeTensors.NamedTensor> tensors = new ArrayList<>();
    float[] params = state.parameters();
    for (ParameterLayout.Entry e : layout.entries()) {
      tensors.add(new SafeTensors.NamedTensor(e.name(), e.shape(),
          java.util.Arrays.copyOfRange(params, e.offset(), e.offset() + e.size())));
    }
    OptimizerState opt = state.optimizer();
    List<String> names = optimizer.bufferNames();
    for (int b = 0; b < names.size(); b++) {
      tensors.add(new SafeTensors.NamedTensor(ModelFile.OPTIMIZER_PREFIX + names.get(b), new int[] {params.length},
          java.util.Arrays.copyOfRange(opt.buffers(), opt.offset(b), opt.offset(b) + params.length)));
    }
    run.tensors().forEach((name, v) -> tensors.add(
        new SafeTensors.NamedTensor(ModelFile.RUN_PREFIX + name, new int[] {v.length}, v)));
    Map<String, Object> info = new LinkedHashMap<>();
    info.put("version", VERSION);
    info.put("epochs_done", epochsDone);
    info.put("optimizer_step", Double.toString(opt.step()));
    info.put("fingerprint", fingerprint);
    if (!run.values().isEmpty()) {
      info.put("run", new LinkedHashMap<>(run.values()));
    }
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put(ModelFile.FORMAT_KEY, "pt");
    meta.put(ModelFile.CONFIG_KEY, ModelFile.configJson(model));
    meta.put(KEY, Json.write(info));
    store.write(FileStore.child(dir, name(epochsDone)), SafeTensors.toBytes(meta, tensors));
    List<Integer> epochs = epochsOnDisk();
    for (int i = 0; i < epochs.size() - KEEP; i++) {
      store.delete(FileStore.child(dir, name(epochs.get(i))));
    }
  }

  /** The newest usable checkpoint, if any. */
  Optional<Checkpoint> latest() throws IOException {
    List<Integer> epochs = epochsOnDisk();
    Collections.reverse(epochs);
    for (int e : epochs) {
      String path = FileStore.child(dir, name(e));
      try {
        return Optional.of(load(path, e));
      } catch (ModelFileException | IllegalArgumentException ex) {
        LOG.warn("skipping checkpoint {}: {}", path, ex.getMessage());
      }
    }
    return Optional.empty();
  }

  private Checkpoint load(String path, int epochsDone) throws IOException {
    SafeTensors file = SafeTensors.parse(store.read(path), path);
    String infoText = file.metadata().get(KEY);
    if (infoText == null) {
      throw new ModelFileException(path + ": not a spark-lstm checkpoint (no " + KEY + " metadata)");
    }
    Map<?, ?> info = (Map<?, ?>) Json.parse(infoText);
    if (!Long.valueOf(VERSION).equals(info.get("version"))) {
      throw new ModelFileException(path + ": checkpoint version " + info.get("version") + ", expected " + VERSION);
    }
    if (!fingerprint.equals(info.get("fingerprint"))) {
      throw new ModelFileException(path + ": written by a run with other settings or data (model, loss, optimizer, "
          + "batching, workers, seed or dataset differ); delete " + dir + " or set train.resume=false");
    }
    if (!Long.valueOf(epochsDone).equals(info.get("epochs_done"))) {
      throw new ModelFileException(path + ": says epochs_done=" + info.get("epochs_done"));
    }
    ParameterLayout layout = ParameterLayout.of(model);
    float[] params = new float[layout.size()];
    for (ParameterLayout.Entry e : layout.entries()) {
      float[] v = file.floats(e.name());
      if (v.length != e.size()) {
        throw new ModelFileException(path + ": tensor " + e.name() + " has " + v.length + " values, expected " + e.size());
      }
      System.arraycopy(v, 0, params, e.offset(), e.size());
    }
    List<String> names = optimizer.bufferNames();
    float[] buffers = new float[names.size() * params.length];
    for (int b = 0; b < names.size(); b++) {
      float[] v = file.floats(ModelFile.OPTIMIZER_PREFIX + names.get(b));
      if (v.length != params.length) {
        throw new ModelFileException(path + ": " + ModelFile.OPTIMIZER_PREFIX + names.get(b) + " has " + v.length + " values, expected "
            + params.length);
      }
      System.arraycopy(v, 0, buffers, b * params.length, params.length);
    }
    double step = Double.parseDouble((String) info.get("optimizer_step"));
    RunState run = RunState.empty();
    for (String name : file.entries().keySet()) {
      if (name.startsWith(ModelFile.RUN_PREFIX)) {
        run.tensors().put(name.substring(ModelFile.RUN_PREFIX.length()), file.floats(name));
      }
    }
    if (info.get("run") instanceof Map<?, ?> values) {
      values.forEach((k, v) -> run.values().put((String) k, (String) v));
    }
    return new Checkpoint(epochsDone, new TrainingState(params, new OptimizerState(step, params.length, buffers)), run);
  }

  private List<Integer> epochsOnDisk() throws IOException {
    List<Integer> epochs = new ArrayList<>();
    for (String n : store.list(dir)) {
      if (n.startsWith(PREFIX) && n.endsWith(SUFFIX)) {
        try {
          epochs.add(Integer.parseInt(n.substring(PREFIX.length(), n.length() - SUFFIX.length())));
        } catch (NumberFormatException ignored) {
          // not ours
        }
      }
    }
    Collections.sort(epochs);
    return epochs;
  }

  private static String name(int epochsDone) {
    return String.format("%s%04d%s", PREFIX, epochsDone, SUFFIX);
  }
}
