package io.sparklstm.jobs.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklstm.io.Json;
import io.sparklstm.io.ModelFileException;
import io.sparklstm.io.SafeTensors;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A reader that polls a training run's outputs while it writes them, as a serving process or a
 * colleague would, and reads every file it finds whole: a model or checkpoint must parse as
 * safetensors with all its data, the metrics file must be whole JSON lines, the loss curve a whole
 * PNG. It remembers what it found; a partial file, or a model or metrics file that vanished after
 * it had appeared, is reported by {@link #assertOnlyCompleteFiles()}.
 */
final class OutputPoller {
  private static final byte[] PNG_END = {0, 0, 0, 0, 'I', 'E', 'N', 'D', (byte) 0xAE, 0x42, 0x60, (byte) 0x82};

  private final FileSystem fs;
  private final Path dir;
  private final AtomicBoolean running = new AtomicBoolean();
  private final Map<String, Integer> complete = new TreeMap<>();
  private final List<String> problems = new ArrayList<>();
  private final List<String> appeared = new ArrayList<>();
  private Thread thread;

  /** Polls the files in {@code dir} (a run's output directory) and in its checkpoint directory. */
  OutputPoller(FileSystem fs, String dir) {
    this.fs = fs;
    this.dir = new Path(dir);
  }

  void start() {
    running.set(true);
    thread = new Thread(() -> {
      while (running.get()) {
        pollOnce();
        try {
          Thread.sleep(5);
        } catch (InterruptedException e) {
          return;
        }
      }
      pollOnce(); // what the run left
    }, "output-poller");
    thread.setDaemon(true);
    thread.start();
  }

  void stop() throws InterruptedException {
    running.set(false);
    thread.join();
  }

  /** Fails on any partial file seen; also when the poller never saw a model, metrics or checkpoint. */
  void assertOnlyCompleteFiles() {
    assertEquals(List.of(), problems, "the reader saw partial or vanished files");
    for (String kind : List.of("model", "metrics", "checkpoint", "loss curve")) {
      assertTrue(complete.getOrDefault(kind, 0) > 0, "the reader never saw a " + kind + ": " + complete);
    }
  }

  private void pollOnce() {
    try {
      List<Path> files = new ArrayList<>(list(dir));
      files.addAll(list(new Path(dir, "model.safetensors.checkpoint")));
      for (Path p : files) {
        check(p);
      }
      for (String name : appeared) {
        if (!fs.exists(new Path(dir, name))) {
          problems.add(name + " vanished after it had appeared");
        }
      }
    } catch (IOException e) {
      problems.add("polling failed: " + e);
    }
  }

  private List<Path> list(Path d) throws IOException {
    List<Path> out = new ArrayList<>();
    try {
      for (FileStatus st : fs.listStatus(d)) {
        if (st.isFile() && !st.getPath().getName().startsWith(".")) { // .<name>.<uuid>.tmp: being written
          out.add(st.getPath());
        }
      }
    } catch (FileNotFoundException e) {
      // not created yet
    }
    return out;
  }

  private void check(Path p) throws IOException {
    byte[] bytes;
    try (InputStream in = fs.open(p)) {
      bytes = in.readAllBytes();
    } catch (FileNotFoundException e) {
      return; // an old checkpoint removed between listing and reading: no file is fine
    }
    String name = p.getName();
    String kind = name.equals("model.safetensors") ? "model" : name.endsWith(".metrics.jsonl") ? "metrics"
        : name.endsWith(".png") ? "loss curve" : name.startsWith("epoch-") ? "checkpoint" : "other";
    String problem = switch (kind) {
      case "model", "checkpoint" -> safetensorsProblem(bytes);
      case "metrics" -> metricsProblem(bytes);
      case "loss curve" -> bytes.length > PNG_END.length
          && Arrays.equals(PNG_END, Arrays.copyOfRange(bytes, bytes.length - PNG_END.length, bytes.length))
          ? null : "not a whole PNG";
      default -> "unexpected file";
    };
    if (problem != null) {
      problems.add(p + " (" + bytes.length + " bytes): " + problem);
      return;
    }
    complete.merge(kind, 1, Integer::sum);
    if (!kind.equals("checkpoint") && !appeared.contains(name)) {
      appeared.add(name);
    }
  }

  private static String safetensorsProblem(byte[] bytes) {
    try {
      SafeTensors.parse(bytes, "polled");
      return null;
    } catch (ModelFileException e) {
      return e.getMessage();
    }
  }

  private static String metricsProblem(byte[] bytes) {
    String text = new String(bytes, StandardCharsets.UTF_8);
    if (text.isEmpty() || !text.endsWith("\n")) {
      return "not whole lines";
    }
    try {
      text.lines().forEach(Json::parse);
      return null;
    } catch (RuntimeException e) {
      return e.getMessage();
    }
  }
}
