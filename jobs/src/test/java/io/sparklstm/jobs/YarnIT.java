package io.sparklstm.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklstm.io.SafeTensors;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's YARN recipe, run: the job jar submitted with {@code spark-submit --master yarn
 * --deploy-mode cluster --files train.conf ... train --config train.conf data.train.path=hdfs:///...
 * output.model=hdfs:///...} to a real YARN ({@link TestYarn}, over {@link TestHdfs}); the driver runs
 * in a YARN container and reads the config that --files shipped into its working directory. The
 * model it writes to HDFS has the bytes of a local[2] run of the same config on the same data.
 *
 * <p>An integration test (failsafe, {@code mvn verify}): it needs the job jar. About a minute.
 */
class YarnIT {
  /** 1200 sequences of 12..24 steps; 2 shards; 2 epochs of ~19 mini-batches each. */
  static final String TRAIN = String.join("\n",
      "generate { kind = windows, count = 1200, length = 24, min-length = 12, features = 3, seed = 7, partitions = 2 }",
      "model { lstm { input-size = 3, hidden-size = 16 }, head { output-size = 1 } }",
      "train { epochs = 2, batch-size = 32, workers = 2, averaging-frequency = 4, shuffle = true, seed = 3,",
      "        optimizer { type = adam, learning-rate = 0.005 } }");

  @TempDir
  Path local;

  @Test
  void theReadmeRecipeTrainsInClusterModeTheModelOfALocalRun() throws Exception {
    Path config = local.resolve("train.conf");
    Files.writeString(config, TRAIN);
    // paths as the recipe writes them: on the default file system (core-site.xml's fs.defaultFS)
    String run = "hdfs:///tmp/yarn-it-" + UUID.randomUUID();
    String data = run + "/data";
    String defaultFs = "spark.conf.spark.hadoop.fs.defaultFS=" + TestHdfs.uri();
    local("generate", config, defaultFs, "generate.output.path=" + data);
    local("train", config, defaultFs, "spark.master=local[2]", "data.train.path=" + data,
        "output.model=" + run + "/local/model.safetensors");

    YarnClient client = new YarnClient(Path.of("target", "yarn-client").toAbsolutePath());
    long start = System.nanoTime();
    YarnClient.Result r = client.submit("train", local, 5, List.of(
        "--master", "yarn", "--deploy-mode", "cluster", "--class", "io.sparklstm.jobs.Main",
        "--num-executors", "1", "--executor-cores", "2", "--executor-memory", "512m", "--driver-memory", "512m",
        "--conf", "spark.executorEnv.OPENBLAS_NUM_THREADS=1", "--conf", "spark.yarn.appMasterEnv.OPENBLAS_NUM_THREADS=1",
        "--files", "train.conf",
        jobJar(), "train", "--config", "train.conf",
        "data.train.path=" + data, "output.model=" + run + "/yarn/model.safetensors"));
    System.out.printf("YarnIT: spark-submit to YARN took %.1f s%n", (System.nanoTime() - start) / 1e9);

    String out = r.output();
    assertEquals(0, r.exit(), "spark-submit failed:\n" + tail(out) + containerLogs());
    assertTrue(out.contains("final status: SUCCEEDED"), "no SUCCEEDED application in:\n" + tail(out));
    assertTrue(driverLogs().anyMatch(s -> s.contains("epoch 2/2")),
        "no YARN container logged the driver's training epochs" + containerLogs());
    byte[] expected = read(run + "/local/model.safetensors");
    byte[] actual = read(run + "/yarn/model.safetensors");
    assertArrayEquals(expected, actual, () -> "the model trained on YARN differs from the local[2] one: "
        + difference(expected, actual));
  }

  /** Which metadata entries and tensors differ (both files kept in target/yarn-client/). */
  private static String difference(byte[] expected, byte[] actual) {
    try {
      Files.write(Path.of("target", "yarn-client", "local.safetensors"), expected);
      Files.write(Path.of("target", "yarn-client", "yarn.safetensors"), actual);
      SafeTensors a = SafeTensors.parse(expected, "local");
      SafeTensors b = SafeTensors.parse(actual, "yarn");
      List<String> differ = new ArrayList<>();
      a.metadata().forEach((k, v) -> {
        if (!v.equals(b.metadata().get(k))) {
          differ.add("metadata " + k + ": " + v + " vs " + b.metadata().get(k));
        }
      });
      for (String name : a.entries().keySet()) {
        if (!b.entries().containsKey(name) || !java.util.Arrays.equals(a.floats(name), b.floats(name))) {
          differ.add("tensor " + name);
        }
      }
      return String.join("; ", differ);
    } catch (IOException | RuntimeException e) {
      return e.toString();
    }
  }

  /** Main in a fresh JVM with local Spark; must succeed. */
  private static void local(String command, Path config, String... overrides) throws Exception {
    List<String> args = new ArrayList<>(List.of(command, "--config", config.toString()));
    args.addAll(List.of(overrides));
    ChildMain.Result r = ChildMain.run("1g", args); // OPENBLAS_NUM_THREADS=1 as bin/spark-lstm sets
    assertEquals(0, r.exit(), command + ": " + tail(r.output()));
  }

  private static String jobJar() {
    Path jar = Path.of(System.getProperty("sparklstm.jobJar", "target/spark-lstm-jobs.jar")).toAbsolutePath();
    assertTrue(Files.isRegularFile(jar), "no job jar at " + jar);
    return jar.toString();
  }

  /** A file on the test HDFS, by a path on its default file system. */
  private static byte[] read(String path) throws IOException {
    FileSystem fs = TestHdfs.fs();
    try (InputStream in = fs.open(new org.apache.hadoop.fs.Path(path.replaceFirst("^hdfs://", TestHdfs.uri())))) {
      return in.readAllBytes();
    }
  }

  /** The stderr of every container YARN ran (the driver's is the application master's). */
  private static Stream<String> driverLogs() throws IOException {
    return containerStderr().stream().map(YarnIT::readString);
  }

  private static List<Path> containerStderr() throws IOException {
    try (Stream<Path> files = Files.walk(TestYarn.workDir())) {
      return files.filter(f -> f.getFileName().toString().equals("stderr")).sorted().toList();
    }
  }

  private static String containerLogs() throws IOException {
    StringBuilder b = new StringBuilder();
    for (Path f : containerStderr()) {
      b.append("\n--- ").append(f).append(":\n").append(tail(readString(f)));
    }
    return b.toString();
  }

  private static String readString(Path f) {
    try {
      return Files.readString(f);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String tail(String s) {
    return s.length() <= 6000 ? s : "..." + s.substring(s.length() - 6000);
  }
}
