package io.sparklstm.jobs;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A YARN client machine for {@link TestYarn}: {@code spark-submit} (Spark's {@code SparkSubmit} in a
 * fresh JVM, as the {@code spark-submit} script starts it) with {@code HADOOP_CONF_DIR} set and a
 * {@code spark-defaults.conf} like an installed Spark's.
 *
 * <p>The Spark installation is the one Maven resolved: the job jar's {@code provided} jars
 * ({@code target/spark-classpath.txt}) plus {@code spark-yarn} (test scope). Every node being this
 * machine, {@code spark.yarn.jars} names them as {@code local:} jars, so YARN containers use them in
 * place (what a cluster with Spark installed on its nodes does) instead of an upload of ~300 MB.
 */
public final class YarnClient {
  /** Exit code of spark-submit and where its output went. */
  public record Result(int exit, Path log) {
    public String output() throws IOException {
      return Files.readString(log);
    }
  }

  private final Path dir;
  private final List<String> sparkJars;

  /** A client whose spark-defaults.conf and logs go to {@code dir}. */
  public YarnClient(Path dir) throws IOException {
    this.dir = Files.createDirectories(dir);
    this.sparkJars = sparkJars();
    Files.writeString(dir.resolve("spark-defaults.conf"), String.join("\n", defaults()) + "\n");
  }

  /**
   * Runs {@code spark-submit args...} in {@code cwd} (so relative --files paths resolve there), waiting
   * up to {@code minutes}; its output goes to {@code <dir>/<name>.log}.
   */
  public Result submit(String name, Path cwd, int minutes, List<String> args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(Arrays.asList(System.getProperty("sparklstm.jvmOptions", "").trim().split("\\s+")));
    cmd.add("-Xmx512m");
    cmd.add("-cp");
    // the spark-class script puts the Hadoop configuration directory first on the classpath
    cmd.add(TestYarn.confDir() + File.pathSeparator + String.join(File.pathSeparator, sparkJars));
    cmd.add("org.apache.spark.deploy.SparkSubmit");
    cmd.addAll(args);
    Path log = dir.resolve(name + ".log");
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    Map<String, String> env = pb.environment();
    env.put("HADOOP_CONF_DIR", TestYarn.confDir().toString());
    env.put("SPARK_CONF_DIR", dir.toString());
    env.put("SPARK_LOCAL_IP", "127.0.0.1");
    Process p = pb.start();
    try {
      assertTrue(p.waitFor(minutes, TimeUnit.MINUTES), "spark-submit " + name + " did not finish in "
          + minutes + " minutes; its log: " + log);
    } finally {
      p.destroyForcibly();
    }
    return new Result(p.exitValue(), log);
  }

  /**
   * What an installed cluster's spark-defaults.conf would say: where Spark's jars are, the Java and
   * the loopback address of the nodes, no web UI. Nothing about the job: that is the README's command.
   */
  private List<String> defaults() {
    String javaHome = System.getProperty("java.home");
    return List.of(
        "spark.yarn.jars " + sparkJars.stream().map(j -> "local:" + j).collect(Collectors.joining(",")),
        "spark.yarn.appMasterEnv.JAVA_HOME " + javaHome,
        "spark.executorEnv.JAVA_HOME " + javaHome,
        "spark.yarn.appMasterEnv.SPARK_LOCAL_IP 127.0.0.1",
        "spark.executorEnv.SPARK_LOCAL_IP 127.0.0.1",
        "spark.ui.enabled false",
        "spark.yarn.maxAppAttempts 1"); // a test: a failed driver fails the application at once
  }

  /** Spark's runtime jars as Maven resolved them, and spark-yarn from this JVM's classpath. */
  private static List<String> sparkJars() throws IOException {
    Path file = Path.of(System.getProperty("sparklstm.sparkClasspath", "target/spark-classpath.txt"));
    assertTrue(Files.isRegularFile(file), "no " + file + " (made by `mvn package`)");
    List<String> jars = new ArrayList<>(Arrays.asList(Files.readString(file).trim().split(File.pathSeparator)));
    List<String> yarn = Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(e -> Path.of(e).getFileName().toString().startsWith("spark-yarn_")).toList();
    assertTrue(!yarn.isEmpty(), "spark-yarn is not on the test classpath (a test dependency in jobs/pom.xml)");
    jars.addAll(yarn);
    return jars;
  }
}
