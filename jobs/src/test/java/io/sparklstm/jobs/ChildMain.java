package io.sparklstm.jobs;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code Main} in a fresh JVM, as bin/spark-lstm does (the launcher's JVM options, the shipped
 * log4j2 config): for tests whose point is a fresh process (determinism across JVMs, heap limits).
 */
public final class ChildMain {
  private ChildMain() {}

  /** Exit code and everything the child printed. */
  public record Result(int exit, String output) {}

  /** Runs {@code Main args...} with heap {@code xmx} (e.g. "1g"); waits up to 5 minutes. */
  public static Result run(String xmx, List<String> args) throws Exception {
    return run(xmx, null, args);
  }

  /** As {@link #run(String, List)}, under the file-creation mask {@code umask} (e.g. "077"; null: this JVM's). */
  public static Result run(String xmx, String umask, List<String> args) throws Exception {
    Process p = builder(command(xmx, umask, args)).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(5, TimeUnit.MINUTES), "Main " + args + " did not finish");
    return new Result(p.exitValue(), out);
  }

  /** Starts {@code Main args...} without waiting, everything it prints going to {@code log}. */
  public static Process start(String xmx, Path log, List<String> args) throws Exception {
    return builder(command(xmx, null, args)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  /** With bin/spark-lstm's default of one OpenBLAS thread (unless this JVM's environment sets one). */
  private static ProcessBuilder builder(List<String> command) {
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().putIfAbsent("OPENBLAS_NUM_THREADS", "1");
    return pb;
  }

  private static List<String> command(String xmx, String umask, List<String> args) {
    List<String> cmd = new ArrayList<>();
    if (umask != null) {
      cmd.addAll(List.of("/bin/sh", "-c", "umask " + umask + " && exec \"$@\"", "sh"));
    }
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(Arrays.asList(System.getProperty("sparklstm.jvmOptions", "").trim().split("\\s+")));
    cmd.add("-Xmx" + xmx);
    cmd.add("-Dlog4j2.configurationFile=" + Path.of("..", "conf", "log4j2.properties").toAbsolutePath());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("io.sparklstm.jobs.Main");
    cmd.addAll(args);
    return cmd;
  }
}
