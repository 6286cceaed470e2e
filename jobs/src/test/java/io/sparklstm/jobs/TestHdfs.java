package io.sparklstm.jobs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivilegedExceptionAction;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.security.UserGroupInformation;

/**
 * One real HDFS for the whole test JVM, started on first use and stopped at exit: a namenode and a
 * datanode of {@code hadoop-client-minicluster} (the Hadoop version that Spark ships), bound to
 * 127.0.0.1 on free ports, its blocks under {@code target/}.
 *
 * <p>It runs as the HDFS user {@code hdfs}, its superuser, so this JVM's user is an ordinary HDFS
 * user whose permissions the namenode checks. Tests write under {@link #TMP} ({@code /tmp}, mode
 * 1777); {@link #READ_ONLY} ({@code /readonly}, 755, owned by hdfs) is a directory they may not write in.
 */
public final class TestHdfs {
  public static final String SUPERUSER = "hdfs";
  public static final String TMP = "/tmp";
  public static final String READ_ONLY = "/readonly";

  private static MiniDFSCluster cluster;

  private TestHdfs() {
  }

  /** {@code hdfs://127.0.0.1:<port>}: the namenode, for paths. */
  public static synchronized String uri() {
    if (cluster == null) {
      Path base = Path.of("target", "test-hdfs-" + UUID.randomUUID()).toAbsolutePath();
      cluster = start(base);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(base)));
    }
    return "hdfs://127.0.0.1:" + cluster.getNameNodePort();
  }

  /** A fresh directory under /tmp on HDFS, as a full hdfs:// path (without a trailing slash). */
  public static String newDirectory(String name) {
    return uri() + TMP + "/" + name + "-" + UUID.randomUUID();
  }

  /** This JVM's user's view of the HDFS (a cached FileSystem: do not close it). */
  public static FileSystem fs() {
    try {
      return FileSystem.get(URI.create(uri()), new Configuration());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** At exit: the cluster, then its directory (Hadoop's own exit hooks may have stopped part of it already). */
  private static void stop(Path base) {
    try {
      cluster.shutdown();
    } catch (RuntimeException e) {
      // "Shutdown in progress": what is left stops with the JVM
    }
    try (Stream<Path> files = Files.walk(base)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // nothing to delete
    }
  }

  private static MiniDFSCluster start(Path base) {
    Configuration conf = new Configuration();
    conf.set("dfs.replication", "1");
    for (String key : new String[] {"dfs.namenode.http-address", "dfs.datanode.address", "dfs.datanode.http.address",
        "dfs.datanode.ipc.address"}) {
      conf.set(key, "127.0.0.1:0"); // loopback only (MiniDFSCluster's own choice too)
    }
    return asSuperuser(() -> {
      MiniDFSCluster c = new MiniDFSCluster.Builder(conf, base.toFile()).numDataNodes(1).build();
      c.waitActive();
      FileSystem fs = c.getFileSystem();
      fs.mkdirs(new org.apache.hadoop.fs.Path(TMP));
      fs.setPermission(new org.apache.hadoop.fs.Path(TMP), new FsPermission((short) 01777));
      fs.mkdirs(new org.apache.hadoop.fs.Path(READ_ONLY), new FsPermission((short) 0755));
      return c;
    });
  }

  /** Runs {@code action} as the HDFS superuser ({@link #SUPERUSER}). */
  public static <T> T asSuperuser(PrivilegedExceptionAction<T> action) {
    try {
      return UserGroupInformation.createRemoteUser(SUPERUSER).doAs(action);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
