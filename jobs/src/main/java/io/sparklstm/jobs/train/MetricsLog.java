package io.sparklstm.jobs.train;

import io.sparklstm.io.Json;
import io.sparklstm.jobs.config.TrainSection.LossCurveScale;
import io.sparklstm.jobs.io.FileStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The metrics file: one JSON object per completed epoch (JSON lines), rewritten atomically after
 * every epoch, and the loss-curve picture beside it. On resume, lines of epochs after the checkpoint
 * are dropped so the file always matches the model.
 */
final class MetricsLog {
  private final FileStore store;
  private final String path;
  private final String picture;
  private final LossCurveScale pictureScale;
  private final List<Map<String, Object>> epochs = new ArrayList<>();

  MetricsLog(FileStore store, String path, String picture, LossCurveScale pictureScale) {
    this.store = store;
    this.path = path;
    this.picture = picture;
    this.pictureScale = pictureScale;
  }

  String path() {
    return path;
  }

  String picture() {
    return picture;
  }

  /** Keeps the lines of the first {@code epochsDone} epochs of an existing file (for resume). */
  @SuppressWarnings("unchecked")
  void resume(int epochsDone) throws IOException {
    epochs.clear();
    if (!store.exists(path)) {
      return;
    }
    for (String line : new String(store.read(path), StandardCharsets.UTF_8).split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      Map<String, Object> m = (Map<String, Object>) Json.parse(line);
      if (((Number) m.get("epoch")).intValue() <= epochsDone) {
        epochs.add(m);
      }
    }
  }

  void add(Map<String, Object> epoch) throws IOException {
    epochs.add(epoch);
    StringBuilder sb = new StringBuilder();
    for (Map<String, Object> m : epochs) {
      sb.append(Json.write(m)).append('\n');
    }
    store.write(path, sb.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** Draws training and validation loss per epoch. */
  void writePicture(String title) throws IOException {
    double[] train = new double[epochs.size()];
    double[] validation = new double[epochs.size()];
    for (int i = 0; i < epochs.size(); i++) {
      Map<String, Object> m = epochs.get(i);
      train[i] = ((Number) m.get("train_loss")).doubleValue();
      Object v = m.get("validation");
      validation[i] = v instanceof Map<?, ?> vm ? ((Number) vm.get("loss")).doubleValue() : Double.NaN;
    }
    store.write(picture, LossCurve.png(title, train, validation, pictureScale));
  }
}
