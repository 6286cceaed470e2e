package io.sparklstm.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sparklstm.jobs.config.JobConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The configs shipped in conf/ load, and generate then window runs end to end through Main. */
class QuickstartTest {
  private static final Path CONF = Path.of("..", "conf");

  @TempDir
  Path dir;

  @Test
  void shippedConfigsLoad() throws Exception {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(CONF, "*.conf")) {
      for (Path f : files) {
        JobConfig.load(f, List.of());
      }
    }
  }

  private int main(String... args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = new Main(Main.commands(), TestSpark.SESSIONS).execute(args, System.out,
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals("", err.toString(StandardCharsets.UTF_8));
    return code;
  }

  @Test
  void generateThenWindow() {
    String series = dir.resolve("series").toString();
    String windows = dir.resolve("windows").toString();
    assertEquals(0, main("generate", "--config", CONF.resolve("generate-series.conf").toString(),
        "generate.count=6", "generate.length=40", "generate.output.path=" + series));
    assertEquals(0, main("window", "--config", CONF.resolve("window.conf").toString(),
        "window.input.path=" + series, "window.output.path=" + windows));
    Dataset<Row> w = TestSpark.session().read().parquet(windows);
    assertEquals(6 * (40 - 24), w.count());
    assertEquals(List.of("series", "time", "features", "label"), List.of(w.schema().fieldNames()));
  }
}
