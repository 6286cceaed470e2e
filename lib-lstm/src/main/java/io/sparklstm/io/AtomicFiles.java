package io.sparklstm.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import java.util.UUID;

/**
 * Local files written all-or-nothing: a temporary file in the same directory, then a rename.
 *
 * <p>The file gets the permissions any new file gets (0666 less the process umask), as if it had
 * been written in place, or the ones given, set before the rename. (Not {@code Files.createTempFile},
 * which makes every file owner-only whatever the umask.)
 */
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
    write(path, content, null);
  }

  /**
   * As {@link #write(Path, Content)}, the file getting {@code permissions} (null: the umask's) before
   * it appears under its name.
   */
  public static void write(Path path, Content content, Set<PosixFilePermission> permissions) throws IOException {
    Path target = path.toAbsolutePath();
    Path dir = target.getParent();
    Files.createDirectories(dir);
    Path tmp = createTemporary(dir, target.getFileName().toString());
    try {
      try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.WRITE)) {
        content.writeTo(out);
      }
      if (permissions != null) {
        Files.setPosixFilePermissions(tmp, permissions);
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

  /** A new empty file {@code .<name>.<random>.tmp} in {@code dir}, with the umask's permissions. */
  private static Path createTemporary(Path dir, String name) throws IOException {
    while (true) {
      Path tmp = dir.resolve("." + name + "." + UUID.randomUUID() + ".tmp");
      try {
        return Files.createFile(tmp);
      } catch (FileAlreadyExistsException e) {
        // another writer's temporary file: draw another name
      }
    }
  }
}
