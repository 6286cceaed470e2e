package io.sparklstm.jobs.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklstm.jobs.TestSpark;
import io.sparklstm.jobs.UserError;
import io.sparklstm.jobs.config.JobConfig;
import io.sparklstm.jobs.config.TableSink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicWriterTest {
  private static final SparkSession SPARK = TestSpark.session();

  @TempDir
  Path dir;

  private TableSink sink(String hocon) {
    return JobConfig.parse("generate.output { path = \"" + dir.resolve("out") + "\", " + hocon + " }")
        .generate().output();
  }

  private void write(Dataset<Row> df, TableSink sink) throws Exception {
    AtomicWriter.write(SPARK, df, sink, OutputPermissions.DEFAULT);
  }

  private static long entries(Path d) throws Exception {
    try (Stream<Path> s = Files.list(d)) {
      return s.count();
    }
  }

  @Test
  void writesThenRefusesOrOverwrites() throws Exception {
    write(SPARK.range(3).toDF(), sink("format = json"));
    assertEquals(3, SPARK.read().json(dir.resolve("out").toString()).count());
    String m = assertThrows(UserError.class, () -> write(SPARK.range(5).toDF(), sink("format = json")))
        .getMessage();
    assertTrue(m.endsWith("already exists (set generate.output.mode=overwrite to replace it)"), m);
    write(SPARK.range(5).toDF(), sink("format = json, mode = overwrite"));
    assertEquals(5, SPARK.read().json(dir.resolve("out").toString()).count());
    assertEquals(1, entries(dir), "no temporary left");
  }

  @Test
  void failureLeavesNothing() throws Exception {
    Dataset<Row> arrays = SPARK.range(3).selectExpr("array(id, id) as a");
    String m = assertThrows(UserError.class, () -> write(arrays, sink("format = csv")))
        .getMessage();
    assertTrue(m.startsWith("generate.output: "), m);
    assertEquals(0, entries(dir));
    assertThrows(UserError.class, () -> write(arrays, sink("format = nosuchformat")));
    assertEquals(0, entries(dir));
  }

  @Test
  void aTableGetsTheUmasksPermissionsOrTheOnesSet() throws Exception {
    // Hadoop's local writer would make the files 0644 whatever the umask
    Path plainFile = Files.createFile(dir.resolve("plain"));
    Path plainDir = Files.createDirectory(dir.resolve("plain-dir"));
    write(SPARK.range(3).toDF(), sink("format = json"));
    for (Path p : walk(dir.resolve("out"))) {
      Path like = Files.isDirectory(p) ? plainDir : plainFile;
      assertEquals(Files.getPosixFilePermissions(like), Files.getPosixFilePermissions(p), p.toString());
    }
    Path nested = dir.resolve("new/deeper/table");
    AtomicWriter.write(SPARK, SPARK.range(3).toDF(), JobConfig.parse("generate.output { path = \"" + nested
        + "\", format = json }").generate().output(), OutputPermissions.parse("output.permissions", "640"));
    for (Path p : walk(dir.resolve("new"))) {
      assertEquals(Files.isDirectory(p) ? "rwxr-x---" : "rw-r-----",
          PosixFilePermissions.toString(Files.getPosixFilePermissions(p)), p.toString());
    }
  }

  private static List<Path> walk(Path root) throws Exception {
    try (Stream<Path> s = Files.walk(root)) {
      return s.toList();
    }
  }

  @Test
  void failureInATaskLeavesNothing() throws Exception {
    Dataset<Row> failing = SPARK.range(10).selectExpr("assert_true(id < 5) as x");
    assertThrows(Exception.class, () -> write(failing, sink("format = parquet")));
    assertEquals(0, entries(dir));
  }
}
