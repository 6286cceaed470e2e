package io.sparklstm.jobs.io;

import io.sparklstm.jobs.UserError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * The permissions of what the job writes ({@code output.permissions}).
 *
 * <p>Unset, each file system's own rule: locally 0666 for files and 0777 for directories, less the
 * process umask, as for any program; on HDFS its {@code fs.permissions.umask-mode} (default 022). Set
 * (e.g. 640), every file gets that mode and every directory the job creates the same with x wherever
 * r is set (750). Either way the mode is in place before an output appears under its name.
 */
public final class OutputPermissions {
  /** Each file system's own rule. */
  public static final OutputPermissions DEFAULT = new OutputPermissions(null);

  private static volatile Short umask; // this process's, read once

  private final FsPermission file; // null: the file system's own

  private OutputPermissions(FsPermission file) {
    this.file = file;
  }

  /** {@code text} is an octal mode (640, 0644) whose owner may read and write, or "" for the default. */
  public static OutputPermissions parse(String key, String text) {
    if (text == null || text.isEmpty()) {
      return DEFAULT;
    }
    if (!text.matches("0?[0-7]{3}")) {
      throw new UserError(key + " must be an octal mode such as 640 or 0644 (or \"\" for the file system's"
          + " default), got \"" + text + "\"");
    }
    short mode = Short.parseShort(text, 8);
    if ((mode & 0600) != 0600) {
      throw new UserError(key + " must let the owner read and write (6 or 7 in the first digit): the job"
          + " reads its checkpoints and metrics back and replaces them, got " + text);
    }
    return new OutputPermissions(new FsPermission(mode));
  }

  /** The mode every file gets, if one is set. */
  public Optional<FsPermission> fileMode() {
    return Optional.ofNullable(file);
  }

  /** The directory mode for a file mode: x added wherever r is set (640 -> 750). */
  static FsPermission directoryMode(FsPermission fileMode) {
    short m = fileMode.toShort();
    return new FsPermission((short) (m | ((m & 0444) >> 2)));
  }

  /** {@code mode} as java.nio permissions. */
  static Set<PosixFilePermission> posix(FsPermission mode) {
    return PosixFilePermissions.fromString(mode.toString());
  }

  /**
   * Before a write to {@code target}: the directories above it that do not exist yet, outermost
   * first, which the write will create (empty when their mode is left to the file system).
   */
  List<Path> directoriesToCreate(FileSystem fs, Path target) throws IOException {
    List<Path> missing = new ArrayList<>();
    if (directoryModeOn(fs) != null) {
      for (Path p = target.getParent(); p != null && !fs.exists(p); p = p.getParent()) {
        missing.add(p);
      }
      Collections.reverse(missing);
    }
    return missing;
  }

  /** After the write: the directories it created get the directory mode. */
  void applyToDirectories(FileSystem fs, List<Path> created) throws IOException {
    for (Path p : created) {
      setMode(fs, p, directoryModeOn(fs));
    }
  }

  /** A whole file written under a temporary name on a Hadoop file system, before it is renamed. */
  void applyToFile(FileSystem fs, Path tmp) throws IOException {
    if (file != null) {
      setMode(fs, tmp, file);
    }
  }

  /** A table Spark wrote to {@code dir}, before it is renamed: its files and directories. */
  void applyToTable(FileSystem fs, Path dir) throws IOException {
    FsPermission files = fileModeOn(fs);
    if (files == null) {
      return;
    }
    FsPermission dirs = directoryModeOn(fs);
    if (fs instanceof LocalFileSystem local) {
      try (Stream<java.nio.file.Path> all = Files.walk(local.pathToFile(dir).toPath())) {
        for (java.nio.file.Path p : (Iterable<java.nio.file.Path>) all::iterator) {
          Files.setPosixFilePermissions(p, posix(Files.isDirectory(p) ? dirs : files));
        }
      }
      return;
    }
    fs.setPermission(dir, dirs);
    for (FileStatus st : fs.listStatus(dir)) {
      if (st.isDirectory()) {
        applyToTable(fs, st.getPath());
      } else {
        fs.setPermission(st.getPath(), files);
      }
    }
  }

  /**
   * The mode files written through Hadoop get on {@code fs}, where it must be set: the one configured,
   * or on the local file system the umask's, because Hadoop's local writer applies its own
   * {@code fs.permissions.umask-mode} (022) instead (Spark's tables would be readable by all whatever
   * the umask). Null: the file system's rule stands.
   */
  private FsPermission fileModeOn(FileSystem fs) throws IOException {
    if (file != null) {
      return file;
    }
    return fs instanceof LocalFileSystem ? new FsPermission((short) (0666 & ~umask())) : null;
  }

  /** As {@link #fileModeOn(FileSystem)}, for directories. */
  private FsPermission directoryModeOn(FileSystem fs) throws IOException {
    if (file != null) {
      return directoryMode(file);
    }
    return fs instanceof LocalFileSystem ? new FsPermission((short) (0777 & ~umask())) : null;
  }

  /** Hadoop's local file system sets modes by running chmod (without its native library): java.nio instead. */
  private static void setMode(FileSystem fs, Path p, FsPermission mode) throws IOException {
    if (fs instanceof LocalFileSystem local) {
      Files.setPosixFilePermissions(local.pathToFile(p).toPath(), posix(mode));
    } else {
      fs.setPermission(p, mode);
    }
  }

  /**
   * This process's umask, from the mode a new directory gets in java.io.tmpdir (Java has no call
   * that returns it).
   */
  static short umask() throws IOException {
    if (umask == null) {
      java.nio.file.Path where = java.nio.file.Path.of(System.getProperty("java.io.tmpdir"));
      java.nio.file.Path probe = Files.createDirectory(where.resolve(".spark-lstm-umask-" + UUID.randomUUID()));
      try {
        short mode = Short.parseShort(toOctal(Files.getPosixFilePermissions(probe)), 8);
        umask = (short) (0777 & ~mode);
      } finally {
        Files.delete(probe);
      }
    }
    return umask;
  }

  private static String toOctal(Set<PosixFilePermission> permissions) {
    return Integer.toOctalString(FsPermission.valueOf("-" + PosixFilePermissions.toString(permissions)).toShort());
  }

  @Override
  public String toString() {
    return file == null ? "the file system's default" : String.format("%04o", file.toShort());
  }
}
