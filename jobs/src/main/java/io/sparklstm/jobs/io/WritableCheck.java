package io.sparklstm.jobs.io;

import io.sparklstm.jobs.UserError;
import java.io.IOException;
import java.nio.file.Files;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsAction;
import org.apache.hadoop.hdfs.DistributedFileSystem;
import org.apache.hadoop.security.AccessControlException;

/**
 * Before any work: this user may create files in the directory an output goes to (or, when it does
 * not exist yet, in the nearest directory above it), so that a run does not fail at its first
 * checkpoint or its last write. Asked of the system that decides: the kernel for local paths, the
 * namenode for HDFS. Object stores (s3a, gs, abfs, ...) report made-up owners and modes, so there
 * only the write itself can tell.
 */
public final class WritableCheck {
  private WritableCheck() {
  }

  /** Throws a {@link UserError} naming {@code key} when files cannot be created in {@code dir}. */
  public static void requireWritable(Configuration hadoop, String key, Path dir) {
    try {
      FileSystem fs = dir.getFileSystem(hadoop);
      Path existing = fs.makeQualified(dir);
      while (existing.getParent() != null && !fs.exists(existing)) {
        existing = existing.getParent();
      }
      FileStatus st = fs.getFileStatus(existing);
      if (!st.isDirectory()) {
        throw new UserError(key + ": " + existing + " is a file, so nothing can be created under it");
      }
      if (!writable(fs, existing)) {
        throw new UserError(key + ": no permission to write in " + existing + " (owner " + st.getOwner()
            + ", mode " + st.getPermission() + "); choose a directory you may write to");
      }
    } catch (IOException | IllegalArgumentException e) {
      throw new UserError(key + ": cannot use " + dir + ": " + FileSystemErrors.describe(dir.toString(), e), e);
    }
  }

  private static boolean writable(FileSystem fs, Path dir) throws IOException {
    if (fs instanceof LocalFileSystem local) {
      return Files.isWritable(local.pathToFile(dir).toPath()); // access(2): the kernel's answer, root included
    }
    if (!(fs instanceof DistributedFileSystem)) {
      return true;
    }
    try {
      fs.access(dir, FsAction.WRITE);
      return true;
    } catch (AccessControlException e) {
      return false;
    }
  }
}
