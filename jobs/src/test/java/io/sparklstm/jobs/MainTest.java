package io.sparklstm.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklstm.jobs.config.JobConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

class MainTest {
  /** A command whose run does what the test says. */
  private record Probe(String name, Runnable body) implements Command {
    @Override
    public String summary() {
      return "test command";
    }

    @Override
    public String[] sections() {
      return new String[] {"train"};
    }

    @Override
    public void run(SparkSession spark, JobConfig config) {
      body.run();
    }
  }

  private String out;
  private String err;

  private int run(String... args) {
    List<Command> commands = new ArrayList<>(Main.commands());
    commands.add(new Probe("ok", () -> { }));
    commands.add(new Probe("user-fails", () -> {
      throw new UserError("data.train.path: /x does not exist");
    }));
    commands.add(new Probe("bug", () -> {
      throw new IllegalStateException("boom\nsecond line");
    }));
    commands.add(new Probe("oom", () -> {
      throw new IllegalStateException("Job aborted", new OutOfMemoryError("Java heap space"));
    }));
    commands.add(new Probe("task-fails", () -> TestSpark.session().range(4).map(
        (org.apache.spark.api.java.function.MapFunction<Long, Long>) i -> {
          if (i == 3) {
            throw new UserError("window.time-column: time 3 appears twice");
          }
          return i;
        }, Encoders.LONG()).collectAsList()));
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    int code = new Main(commands, TestSpark.SESSIONS).execute(args,
        new PrintStream(o, true, StandardCharsets.UTF_8), new PrintStream(e, true, StandardCharsets.UTF_8));
    out = o.toString(StandardCharsets.UTF_8);
    err = e.toString(StandardCharsets.UTF_8);
    return code;
  }

  private void assertOneLine(String prefix) {
    assertTrue(err.startsWith(prefix), err);
    assertEquals(1, err.lines().count(), err);
  }

  @Test
  void success() {
    assertEquals(0, run("ok", "train.epochs=2"));
    assertEquals("", err);
  }

  @Test
  void helpAndUsage() {
    assertEquals(0, run("--help"));
    assertTrue(out.contains("usage: spark-lstm <command>"), out);
    assertTrue(out.contains("window") && out.contains("generate") && out.contains("train"), out);
    assertEquals(0, run("help", "window"));
    assertTrue(out.startsWith("usage: spark-lstm window"), out);
    assertEquals(0, run("generate", "--help"));
    assertTrue(out.startsWith("usage: spark-lstm generate"), out);
    assertEquals(2, run());
    assertTrue(err.contains("usage:"), err);
  }

  @Test
  void unknownCommand() {
    assertEquals(2, run("fly"));
    assertOneLine("error: unknown command \"fly\"");
  }

  @Test
  void badConfigIsOneLineAndExit2() {
    assertEquals(2, run("ok", "train.epoch=3"));
    assertOneLine("error: unknown key train.epoch (did you mean train.epochs?)");
    assertEquals(2, run("ok", "--config", "/no/such/file.conf"));
    assertOneLine("error: config file /no/such/file.conf does not exist");
    assertEquals(2, run("ok", "--frobnicate"));
    assertOneLine("error: unknown option --frobnicate");
  }

  @Test
  void missingRequiredKeyBeforeSparkStarts() {
    assertEquals(2, run("window", "window.input.path=/tmp/in"));
    assertOneLine("error: missing required key window.output.path");
  }

  @Test
  void trainAndPredictNeedTheirPathsBeforeSparkStarts() {
    assertEquals(2, run("train"));
    assertOneLine("error: missing required key data.train.path");
    assertEquals(2, run("predict"));
    assertOneLine("error: missing required key predict.model");
  }

  @Test
  void userErrorInRun() {
    assertEquals(2, run("user-fails"));
    assertEquals("error: data.train.path: /x does not exist\n", err);
  }

  @Test
  void userErrorInASparkTaskIsStillAUserError() {
    assertEquals(2, run("task-fails"));
    assertOneLine("error: window.time-column: time 3 appears twice");
  }

  @Test
  void outOfMemoryIsExit2AndSaysWhatToChange() {
    assertEquals(2, run("oom"));
    assertOneLine("error: out of memory (java.lang.OutOfMemoryError: Java heap space); give the JVM more heap"
        + " (SPARK_LSTM_DRIVER_MEMORY with bin/spark-lstm, spark.executor.memory with spark-submit) or lower"
        + " train.batch-size / predict.batch-size");
  }

  @Test
  void internalErrorIsExit1WithStackOnlyWhenDebugging() {
    assertEquals(1, run("bug"));
    assertOneLine("error: internal: java.lang.IllegalStateException: boom (--debug shows the stack trace)");
    assertEquals(1, run("bug", "--debug"));
    assertTrue(err.startsWith("error: internal: java.lang.IllegalStateException: boom\n"), err);
    assertTrue(err.contains("\tat "), err);
  }

  @Test
  void julIsRoutedToSlf4j() {
    JulBridge.install();
    var handlers = java.util.logging.Logger.getLogger("").getHandlers();
    assertEquals(1, handlers.length);
    assertEquals("org.slf4j.bridge.SLF4JBridgeHandler", handlers[0].getClass().getName());
  }
}
