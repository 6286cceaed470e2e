package io.sparklstm.jobs.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklstm.io.SafeTensors;
import io.sparklstm.jobs.ChildMain;
import io.sparklstm.jobs.Cli;
import io.sparklstm.jobs.TestHdfs;
import io.sparklstm.jobs.TestSpark;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.util.VersionInfo;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job on a real HDFS ({@link TestHdfs}): data generated to and read from hdfs://; the model,
 * metrics, loss curve and checkpoints written there, with the same parameters as a run on local
 * files; a run killed mid-epoch (SIGKILL to its JVM) and resumed from its HDFS checkpoints ends with
 * the same bytes as an uninterrupted one, while a reader polling the outputs only ever finds no file
 * or a complete one; predict reads and writes hdfs://; files get HDFS's default permissions (644)
 * or {@code output.permissions}.
 */
class HdfsTest {
  /** 2000 sequences of 12..24 steps; 2 shards, 3 epochs of ~32 mini-batches each. */
  static final String TRAIN = String.join("\n",
      "generate { kind = windows, count = 2000, length = 24, min-length = 12, features = 3, seed = 11, partitions = 3 }",
      "model { lstm { input-size = 3, hidden-size = 16, num-layers = 2 }, head { output-size = 1 } }",
      "train { epochs = 3, batch-size = 32, workers = 2, averaging-frequency = 8, shuffle = true, seed = 5,",
      "        optimizer { type = adam, learning-rate = 0.005 }, clip-grad-norm = 1.0 }",
      "predict { columns = [prediction, h_n], output.format = json }");

  @TempDir
  static Path local;
  static Path config;
  static String hdfsData;
  static String hdfsRun;
  static byte[] hdfsModel;

  @BeforeAll
  static void generateAndTrainOnBoth() throws IOException {
    config = local.resolve("train.conf");
    Files.writeString(config, TRAIN);
    String localData = local.resolve("data").toString();
    hdfsData = TestHdfs.newDirectory("data");
    hdfsRun = TestHdfs.newDirectory("run");
    ok("generate", "generate.output.path=" + localData);
    ok("generate", "generate.output.path=" + hdfsData);
    ok("train", "data.train.path=" + localData, "output.model=" + local.resolve("run/model.safetensors"));
    ok("train", "data.train.path=" + hdfsData, "output.model=" + hdfsRun + "/model.safetensors");
    hdfsModel = read(hdfsRun + "/model.safetensors");
  }

  static void ok(String command, String... overrides) {
    List<String> args = new ArrayList<>(List.of(command, "--config", config.toString()));
    args.addAll(List.of(overrides));
    Cli.Result r = Cli.run(args.toArray(new String[0]));
    assertEquals(0, r.code(), command + " " + List.of(overrides) + ": " + r.err());
  }

  static byte[] read(String path) throws IOException {
    return new FileStore(TestSpark.session().sparkContext().hadoopConfiguration()).read(path);
  }

  @Test
  void theMinicusterIsTheHadoopThatSparkShips() throws IOException {
    Properties p = new Properties();
    try (InputStream in = HdfsTest.class.getResourceAsStream(
        "/META-INF/maven/org.apache.hadoop/hadoop-client-minicluster/pom.properties")) {
      p.load(in);
    }
    assertEquals(VersionInfo.getVersion(), p.getProperty("version"),
        "hadoop.version in pom.xml must be the Hadoop client of Spark (mvn dependency:tree: hadoop-client-api)");
  }

  @Test
  void trainingOnHdfsGivesTheParametersOfTrainingOnLocalFiles() throws IOException {
    // the files differ only in the provenance metadata, which names the data path
    SafeTensors onHdfs = SafeTensors.parse(hdfsModel, "hdfs");
    SafeTensors onDisk = SafeTensors.read(local.resolve("run/model.safetensors"));
    assertEquals(onDisk.entries().keySet(), onHdfs.entries().keySet());
    for (String name : onDisk.entries().keySet()) {
      assertArrayEquals(onDisk.floats(name), onHdfs.floats(name), name);
    }
    FileSystem fs = TestHdfs.fs();
    List<String> written = new ArrayList<>();
    for (FileStatus st : fs.listStatus(new org.apache.hadoop.fs.Path(hdfsRun))) {
      written.add(st.getPath().getName() + " " + st.getPermission());
    }
    written.sort(null);
    assertEquals(List.of("model.loss.png rw-r--r--", "model.safetensors rw-r--r--",
        "model.safetensors.checkpoint rwxr-xr-x", "model.safetensors.metrics.jsonl rw-r--r--"), written);
    assertEquals(2, fs.listStatus(new org.apache.hadoop.fs.Path(hdfsRun + "/model.safetensors.checkpoint")).length);
    assertEquals(metricsNumbers(Files.readString(local.resolve("run/model.safetensors.metrics.jsonl"))),
        metricsNumbers(new String(read(hdfsRun + "/model.safetensors.metrics.jsonl"), StandardCharsets.UTF_8)));
  }

  /** Each metrics line up to its timings (epoch, losses, sequences, rounds). */
  static List<String> metricsNumbers(String jsonl) {
    return jsonl.lines().map(l -> l.replaceAll(",\"seconds\".*", "")).toList();
  }

  @Test
  void aRunKilledMidEpochResumesFromItsHdfsCheckpointsToTheSameBytes() throws Exception {
    String run = TestHdfs.newDirectory("killed");
    String model = run + "/model.safetensors";
    OutputPoller poller = new OutputPoller(TestHdfs.fs(), run);
    poller.start();
    Path log = local.resolve("killed.log");
    Process child = ChildMain.start("1g", log, List.of("train", "--config", config.toString(),
        "spark.master=local[2]", "data.train.path=" + hdfsData, "output.model=" + model));
    FileSystem fs = TestHdfs.fs();
    org.apache.hadoop.fs.Path first = new org.apache.hadoop.fs.Path(run + "/model.safetensors.checkpoint/epoch-0001.safetensors");
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
    while (!fs.exists(first)) {
      assertTrue(child.isAlive(), "the run ended before its first checkpoint:\n" + Files.readString(log));
      assertTrue(System.nanoTime() < deadline, "no first checkpoint within 4 minutes");
      Thread.sleep(20);
    }
    child.destroyForcibly().waitFor(); // SIGKILL, while epoch 2 runs
    assertFalse(fs.exists(new org.apache.hadoop.fs.Path(run + "/model.safetensors.checkpoint/epoch-0002.safetensors")),
        "the kill came after epoch 2 ended");
    assertFalse(fs.exists(new org.apache.hadoop.fs.Path(model)));
    String epoch1 = new String(read(run + "/model.safetensors.metrics.jsonl"), StandardCharsets.UTF_8);
    assertEquals(1, epoch1.lines().count(), epoch1);

    ok("train", "data.train.path=" + hdfsData, "output.model=" + model, "train.resume=true");
    poller.stop();

    assertArrayEquals(hdfsModel, read(model), "the resumed model differs from the uninterrupted one");
    List<String> metrics = new String(read(run + "/model.safetensors.metrics.jsonl"), StandardCharsets.UTF_8)
        .lines().toList();
    assertEquals(3, metrics.size());
    assertEquals(epoch1.strip(), metrics.get(0), "epoch 1 was not resumed from its checkpoint but run again");
    poller.assertOnlyCompleteFiles();
  }

  @Test
  void predictReadsAndWritesHdfsWithTheModesAsked() throws IOException {
    String hdfsOut = TestHdfs.newDirectory("predictions") + "/table";
    String localOut = local.resolve("predictions").toString();
    ok("predict", "predict.model=" + hdfsRun + "/model.safetensors", "predict.input.path=" + hdfsData,
        "predict.output.path=" + hdfsOut, "output.permissions=640");
    ok("predict", "predict.model=" + local.resolve("run/model.safetensors"),
        "predict.input.path=" + local.resolve("data"), "predict.output.path=" + localOut);
    List<Row> fromHdfs = TestSpark.session().read().json(hdfsOut).orderBy("id").collectAsList();
    List<Row> fromDisk = TestSpark.session().read().json(localOut).orderBy("id").collectAsList();
    assertEquals(2000, fromHdfs.size());
    assertEquals(fromDisk, fromHdfs);
    FileSystem fs = TestHdfs.fs();
    org.apache.hadoop.fs.Path table = new org.apache.hadoop.fs.Path(hdfsOut);
    assertEquals("rwxr-x---", fs.getFileStatus(table).getPermission().toString());
    assertEquals("rwxr-x---", fs.getFileStatus(table.getParent()).getPermission().toString(),
        "the directory the job created for the table");
    for (FileStatus st : fs.listStatus(table)) {
      assertEquals("rw-r-----", st.getPermission().toString(), st.getPath().toString());
    }
  }

  @Test
  void aFileBeingWrittenStaysInvisibleUnderItsName() throws Exception {
    String path = TestHdfs.newDirectory("atomic") + "/model.safetensors";
    FileStore store = new FileStore(TestSpark.session().sparkContext().hadoopConfiguration());
    store.write(path, new byte[] {1, 2, 3});
    CountDownLatch half = new CountDownLatch(1);
    CountDownLatch finish = new CountDownLatch(1);
    Thread writer = new Thread(() -> {
      try {
        store.write(path, out -> {
          out.write(new byte[4096]);
          out.flush();
          half.countDown();
          await(finish);
          out.write(new byte[4096]);
        });
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    writer.start();
    assertTrue(half.await(1, TimeUnit.MINUTES));
    assertArrayEquals(new byte[] {1, 2, 3}, read(path), "mid-write, the old file must still be there, whole");
    finish.countDown();
    writer.join();
    assertEquals(8192, read(path).length);
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void filesOnHdfsFollowItsUmaskOrTheModeSet() throws IOException {
    String dir = TestHdfs.newDirectory("modes");
    Configuration umask077 = new Configuration();
    umask077.set("fs.permissions.umask-mode", "077");
    umask077.setBoolean("fs.hdfs.impl.disable.cache", true); // a FileSystem with this conf, not the cached one
    new FileStore(umask077).write(dir + "/private/a", new byte[] {1});
    new FileStore(new Configuration()).write(dir + "/default/a", new byte[] {1});
    new FileStore(new Configuration(), OutputPermissions.parse("output.permissions", "640"))
        .write(dir + "/set/deeper/a", new byte[] {1});
    FileSystem fs = TestHdfs.fs();
    assertEquals(List.of("rwx------", "rw-------"), modes(fs, dir + "/private", dir + "/private/a"));
    assertEquals(List.of("rwxr-xr-x", "rw-r--r--"), modes(fs, dir + "/default", dir + "/default/a"));
    assertEquals(List.of("rwxr-x---", "rwxr-x---", "rw-r-----"),
        modes(fs, dir + "/set", dir + "/set/deeper", dir + "/set/deeper/a"));
  }

  private static List<String> modes(FileSystem fs, String... paths) throws IOException {
    List<String> out = new ArrayList<>();
    for (String p : paths) {
      out.add(fs.getFileStatus(new org.apache.hadoop.fs.Path(p)).getPermission().toString());
    }
    return out;
  }
}
