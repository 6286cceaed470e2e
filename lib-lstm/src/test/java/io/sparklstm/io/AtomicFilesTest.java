package io.sparklstm.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Atomic local writes: the umask's permissions (not owner-only), or the ones asked for; nothing left on failure. */
class AtomicFilesTest {
  @TempDir
  Path dir;

  @Test
  void aWrittenFileHasThePermissionsOfAnyNewFile() throws IOException {
    Path plain = Files.createFile(dir.resolve("plain")); // 0666 less this JVM's umask
    Path written = dir.resolve("sub/model.safetensors");
    AtomicFiles.write(written, new byte[] {1, 2, 3});
    assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(written));
    assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(written));
  }

  @Test
  void givenPermissionsAreSetBeforeTheFileAppears() throws IOException {
    Path written = dir.resolve("model.safetensors");
    AtomicFiles.write(written, out -> out.write(7), PosixFilePermissions.fromString("rw-r-----"));
    assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(written)));
    AtomicFiles.write(written, out -> out.write(8), PosixFilePermissions.fromString("rw-------"));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(written)));
    assertEquals(List.of("model.safetensors"), names());
  }

  @Test
  void aFailedWriteLeavesTheOldFileAndNoTemporary() throws IOException {
    Path written = dir.resolve("metrics.jsonl");
    AtomicFiles.write(written, new byte[] {1});
    assertThrows(IOException.class, () -> AtomicFiles.write(written, out -> {
      out.write(new byte[] {9, 9});
      throw new IOException("disk full");
    }));
    assertArrayEquals(new byte[] {1}, Files.readAllBytes(written));
    assertEquals(List.of("metrics.jsonl"), names());
  }

  private List<String> names() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
