package io.sparklstm.jobs.io;

import io.sparklstm.io.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Options;

/**
 * Whole files (models, checkpoints, metrics, pictures; exported datasets as a stream) on the local
 * disk or any Hadoop file system (HDFS, S3A, ...), written all-or-nothing: to a temporary name
 * beside the target, then renamed. Local paths use java.nio's atomic move (no Hadoop .crc side
 * files); other schemes use the Hadoop FileSystem API, where the rename replaces the old file
 * atomically on HDFS and is a copy on object stores (whose PUT is itself all-or-nothing). Written
 * files get their {@link OutputPermissions} before the rename.
 */
public final class FileStore {
  private final Configuration hadoop;
  private final OutputPermissions permissions;

  /** A store whose files get each file system's default permissions. */
  public FileStore(Configuration hadoop) {
    this(hadoop, OutputPermissions.DEFAULT);
  }

  public FileStore(Configuration hadoop, OutputPermissions permissions) {
    this.hadoop = hadoop;
    this.permissions = permissions;
  }

  private static boolean isLocal(String path) {
    URI uri = URI.create(path.replace(" ", "%20"));
    return uri.getScheme() == null || uri.getScheme().equals("file");
  }

  private static Path local(String path) {
    return path.startsWith("file:") ? Paths.get(URI.create(path)) : Paths.get(path);
  }

  private FileSystem fs(org.apache.hadoop.fs.Path p) throws IOException {
    return p.getFileSystem(hadoop);
  }

  /**
   * Streams {@code content} to {@code path} atomically, replacing what was there: to a temporary
   * name beside it, renamed when {@code content} returned; deleted when it threw.
   */
  public void write(String path, AtomicFiles.Content content) throws IOException {
    org.apache.hadoop.fs.Path target = isLocal(path) ? new org.apache.hadoop.fs.Path(local(path).toUri())
        : new org.apache.hadoop.fs.Path(path);
    FileSystem fs = fs(target);
    List<org.apache.hadoop.fs.Path> created = permissions.directoriesToCreate(fs, target);
    if (isLocal(path)) {
      AtomicFiles.write(local(path), content,
          permissions.fileMode().map(OutputPermissions::posix).orElse(null));
    } else {
      writeHadoop(fs, target, content);
    }
    permissions.applyToDirectories(fs, created);
  }

  private void writeHadoop(FileSystem fs, org.apache.hadoop.fs.Path target, AtomicFiles.Content content)
      throws IOException {
    org.apache.hadoop.fs.Path tmp = new org.apache.hadoop.fs.Path(target.getParent(),
        "." + target.getName() + "." + UUID.randomUUID() + ".tmp");
    try {
      // made here, not by create(): HDFS gives directories that create() makes the parent's mode
      // (under /tmp, 1777: world-writable); mkdirs() applies the umask
      fs.mkdirs(target.getParent());
      try (OutputStream out = fs.create(tmp, true)) {
        content.writeTo(out);
      }
      permissions.applyToFile(fs, tmp);
      // one atomic step on HDFS (no moment without the file); elsewhere delete, then rename
      FileUtil.rename(fs, tmp, target, Options.Rename.OVERWRITE);
    } finally {
      if (fs.exists(tmp)) {
        fs.delete(tmp, false);
      }
    }
  }

  /** Writes {@code bytes} to {@code path} atomically, replacing what was there. */
  public void write(String path, byte[] bytes) throws IOException {
    write(path, out -> out.write(bytes));
  }

  /** The whole file. */
  public byte[] read(String path) throws IOException {
    if (isLocal(path)) {
      return Files.readAllBytes(local(path));
    }
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
    try (InputStream in = fs(p).open(p)) {
      return in.readAllBytes();
    }
  }

  public boolean exists(String path) throws IOException {
    if (isLocal(path)) {
      return Files.exists(local(path));
    }
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
    return fs(p).exists(p);
  }

  /** Names (not paths) of the files directly in {@code dir}; empty when it does not exist. */
  public List<String> list(String dir) throws IOException {
    List<String> names = new ArrayList<>();
    if (isLocal(dir)) {
      Path d = local(dir);
      if (Files.isDirectory(d)) {
        try (var s = Files.list(d)) {
          s.filter(Files::isRegularFile).forEach(p -> names.add(p.getFileName().toString()));
        }
      }
      return names;
    }
    org.apache.hadoop.fs.Path d = new org.apache.hadoop.fs.Path(dir);
    FileSystem fs = fs(d);
    if (fs.exists(d)) {
      for (FileStatus st : fs.listStatus(d)) {
        if (st.isFile()) {
          names.add(st.getPath().getName());
        }
      }
    }
    return names;
  }

  public void delete(String path) throws IOException {
    if (isLocal(path)) {
      Files.deleteIfExists(local(path));
      return;
    }
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
    fs(p).delete(p, false);
  }

  /** {@code dir/name} for either kind of path. */
  public static String child(String dir, String name) {
    return dir.endsWith("/") ? dir + name : dir + "/" + name;
  }
}
