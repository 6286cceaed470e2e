package io.sparklstm.jobs.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparklstm.jobs.ChildMain;
import io.sparklstm.jobs.Cli;
import io.sparklstm.jobs.UserError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the job writes is readable as the umask says, locally: {@code quickstart} (two tables from
 * Spark, then the model, metrics, loss curve and checkpoints) in a fresh JVM under umask 022 and 077;
 * and {@code output.permissions = 640}, whatever the umask. Every file and directory made is checked.
 */
class OutputPermissionsTest {
  @TempDir
  Path dir;

  @Test
  void umask022GivesFilesEveryoneMayRead() throws Exception {
    assertEquals(Map.of("rw-r--r--", "files", "rwxr-xr-x", "directories"), modes(quickstart("022"), EVERY_KIND));
  }

  @Test
  void umask077KeepsEverythingPrivate() throws Exception {
    assertEquals(Map.of("rw-------", "files", "rwx------", "directories"), modes(quickstart("077"), EVERY_KIND));
  }

  @Test
  void anExplicitModeIsEveryOutputsMode() throws Exception {
    Path data = dir.resolve("data.json");
    Files.writeString(data, "{\"features\":[[0.1],[0.2]],\"label\":0.5}\n{\"features\":[[0.3]],\"label\":0.1}\n");
    Path out = dir.resolve("explicit");
    Cli.Result r = Cli.run("train", "model.lstm.input-size=1", "model.lstm.hidden-size=2", "model.head.output-size=1",
        "data.train.path=" + data, "data.train.format=json", "train.epochs=2", "train.batch-size=1",
        "output.model=" + out.resolve("model/model.safetensors"), "output.permissions=640");
    assertEquals(0, r.code(), r.err());
    assertEquals(Map.of("rw-r-----", "files", "rwxr-x---", "directories"), modes(out, "model.safetensors",
        "model.safetensors.metrics.jsonl", "model.loss.png", "epoch-0001.safetensors"));
  }

  @Test
  void modesThatAreNotOctalOrLockTheOwnerOutAreRefused() {
    assertEquals("rw-r-----", OutputPermissions.parse("k", "0640").fileMode().orElseThrow().toString());
    assertTrue(OutputPermissions.parse("k", "").fileMode().isEmpty());
    for (String bad : List.of("rw-r-----", "64", "0888", "10644", "440", "200")) {
      String m = assertThrows(UserError.class, () -> OutputPermissions.parse("output.permissions", bad)).getMessage();
      assertTrue(m.startsWith("output.permissions must "), m);
    }
    assertEquals("rwxr-x---", OutputPermissions.directoryMode(OutputPermissions.parse("k", "640").fileMode()
        .orElseThrow()).toString());
  }

  /** Runs a small quickstart under {@code umask}; returns the directory it wrote. */
  private Path quickstart(String umask) throws Exception {
    Path out = dir.resolve("qs");
    List<String> args = List.of("quickstart", "--config", Path.of("..", "conf", "quickstart.conf")
        .toAbsolutePath().toString(), "spark.master=local[2]",
        "generate.count=8", "generate.length=40", "generate.output.path=" + out.resolve("series"),
        "window.input.path=" + out.resolve("series"), "window.output.path=" + out.resolve("windows"),
        "window.length=8", "data.train.path=" + out.resolve("windows"), "data.validation.path=" + out.resolve("windows"),
        "data.train.filter=time < 30", "data.validation.filter=time >= 30",
        "model.lstm.hidden-size=4", "model.lstm.num-layers=1", "train.epochs=2",
        "output.model=" + out.resolve("model/model.safetensors"));
    ChildMain.Result r = ChildMain.run("1g", umask, args);
    assertEquals(0, r.exit(), r.output());
    assertTrue(Files.exists(out.resolve("model/model.safetensors.checkpoint/epoch-0002.safetensors")), r.output());
    return out;
  }

  /** What quickstart writes: model, metrics, loss curve, checkpoints; Spark's tables with their .crc files. */
  private static final String[] EVERY_KIND = {"model.safetensors", "model.safetensors.metrics.jsonl",
      "model.loss.png", "epoch-0001.safetensors", "_SUCCESS", ".crc", ".parquet"};

  /**
   * mode -> "files" or "directories", for everything under {@code root} (root included), which must
   * hold files ending with each of {@code kinds}; fails when a file and a directory share a mode.
   */
  private static Map<String, String> modes(Path root, String... kinds) throws Exception {
    Map<String, String> seen = new TreeMap<>();
    List<String> found = new ArrayList<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.toList()) {
        String kind = Files.isDirectory(p) ? "directories" : "files";
        String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
        String before = seen.put(mode, kind);
        assertTrue(before == null || before.equals(kind), "files and directories share mode " + mode + ": " + p);
        found.add(p.getFileName().toString());
      }
    }
    for (String k : kinds) {
      assertTrue(found.stream().anyMatch(f -> f.endsWith(k)), "no " + k + " among " + found);
    }
    return seen;
  }
}
