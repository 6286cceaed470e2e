package io.sparklstm.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Local files written all-or-nothing: a temporary file in the same directory, then a rename. */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** A file's content, written to a stream (so files too large for memory can be written). */
  @FunctionalInterface
  public interface Content {
    void writeTo(OutputStream out) throws IOException;
  }

  /** Writes {@code bytes} to {@code path} atomically (the directory is created if needed). */
  public static void write(Path path, byte[] bytes) throws IOException {
    write(path, out -> out.write(bytes));
  }

  /**
   * Streams {@code content} to {@code path} atomically: to a temporary name beside it, renamed when
   * {@code content} returned, deleted when it threw.
   */
  public static void write(Path path, Content content) throws IOException {
    Path target = path.toAbsolutePath();
    Path dir = target.getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
    try {
      try (OutputStream out = Files.newOutputStream(tmp)) {
        content.writeTo(out);
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
