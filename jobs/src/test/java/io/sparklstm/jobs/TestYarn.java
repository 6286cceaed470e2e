package io.sparklstm.jobs;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.server.MiniYARNCluster;

/**
 * One real YARN for the whole test JVM, started on first use and stopped at exit: a ResourceManager
 * and one NodeManager of {@code hadoop-client-minicluster} on 127.0.0.1, over the {@link TestHdfs}
 * file system, and a Hadoop configuration directory for clients ({@code core-site.xml},
 * {@code yarn-site.xml}), as an installed cluster's {@code HADOOP_CONF_DIR} would be.
 *
 * <p>Containers run as this JVM's user, in processes the NodeManager starts under
 * {@code target/test/data/TestYarn/}; that user gets an HDFS home directory ({@code /user/<name>}, where
 * spark-submit stages the job's files), as a cluster's administrator would make.
 */
public final class TestYarn {
  private static MiniYARNCluster cluster;
  private static Path confDir;

  private TestYarn() {
  }

  /** The client configuration directory (for HADOOP_CONF_DIR and a submitter's classpath). */
  public static synchronized Path confDir() {
    if (cluster == null) {
      cluster = start();
      Runtime.getRuntime().addShutdownHook(new Thread(cluster::stop));
      confDir = writeConf(cluster.getConfig());
    }
    return confDir;
  }

  /** Where the NodeManager keeps the containers' directories and logs (stdout, stderr). */
  public static Path workDir() {
    confDir();
    return cluster.getTestWorkDir().toPath().toAbsolutePath();
  }

  private static MiniYARNCluster start() {
    Path work = Path.of("target", "TestYarn").toAbsolutePath();
    YarnConfiguration conf = new YarnConfiguration();
    // the daemons' own state on local disk (the default file system is the clients' concern: core-site.xml)
    conf.set("yarn.node-attribute.fs-store.root-dir", work.resolve("node-attribute").toUri().toString());
    conf.set("yarn.node-labels.fs-store.root-dir", work.resolve("node-labels").toUri().toString());
    conf.set(YarnConfiguration.RM_HOSTNAME, "127.0.0.1");
    conf.set(YarnConfiguration.NM_WEBAPP_ADDRESS, "127.0.0.1:0");
    conf.set(YarnConfiguration.RM_WEBAPP_ADDRESS, "127.0.0.1:0");
    // room for an application master and one executor of ~1 GB each; no virtual-memory kill (JVMs
    // reserve far more address space than they use), no disk-full check (a full /tmp must not hang it)
    conf.setInt(YarnConfiguration.NM_PMEM_MB, 4096);
    conf.setInt(YarnConfiguration.NM_VCORES, 4);
    conf.setInt(YarnConfiguration.RM_SCHEDULER_MINIMUM_ALLOCATION_MB, 256);
    conf.setBoolean(YarnConfiguration.NM_VMEM_CHECK_ENABLED, false);
    conf.set(YarnConfiguration.NM_MAX_PER_DISK_UTILIZATION_PERCENTAGE, "100.0");
    // the capacity scheduler's one queue: hadoop-client-minicluster has no capacity-scheduler.xml
    conf.set("yarn.scheduler.capacity.root.queues", "default");
    conf.setInt("yarn.scheduler.capacity.root.default.capacity", 100);
    conf.setInt("yarn.scheduler.capacity.root.default.maximum-capacity", 100);
    conf.setFloat("yarn.scheduler.capacity.root.default.user-limit-factor", 1);
    conf.set("yarn.scheduler.capacity.root.default.state", "RUNNING");
    conf.set("yarn.scheduler.capacity.root.default.acl_submit_applications", "*");
    conf.set("yarn.scheduler.capacity.root.default.acl_administer_queue", "*");
    conf.setInt("yarn.scheduler.capacity.node-locality-delay", -1);
    makeHome();
    MiniYARNCluster c = new MiniYARNCluster("TestYarn", 1, 1, 1);
    c.init(conf);
    c.start();
    awaitAddress(c.getConfig());
    return c;
  }

  /** MiniYARNCluster may return from start() before the ResourceManager's port is in its config. */
  private static void awaitAddress(Configuration conf) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (conf.get(YarnConfiguration.RM_ADDRESS).endsWith(":0")) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the ResourceManager has no port after 30 s");
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  /** /user/<this user>, owned by them (made by the HDFS superuser). */
  private static void makeHome() {
    String user = System.getProperty("user.name");
    org.apache.hadoop.fs.Path home = new org.apache.hadoop.fs.Path("/user/" + user);
    TestHdfs.asSuperuser(() -> {
      try (FileSystem fs = FileSystem.newInstance(URI.create(TestHdfs.uri()), new Configuration())) {
        fs.mkdirs(home);
        fs.setOwner(home, user, null);
      }
      return null;
    });
  }

  /** core-site.xml (the default file system) and yarn-site.xml (every yarn.* key, the addresses too) in a new directory. */
  private static Path writeConf(Configuration yarn) {
    try {
      Path dir = Files.createDirectories(cluster.getTestWorkDir().toPath().toAbsolutePath().resolve("hadoop-conf"));
      Configuration core = new Configuration(false);
      core.set("fs.defaultFS", TestHdfs.uri());
      write(core, dir.resolve("core-site.xml"));
      Configuration site = new Configuration(false); // yarn.* only: the rest would override core-site.xml
      for (Map.Entry<String, String> e : yarn) {
        if (e.getKey().startsWith("yarn.")) {
          site.set(e.getKey(), e.getValue());
        }
      }
      write(site, dir.resolve("yarn-site.xml"));
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void write(Configuration conf, Path file) throws IOException {
    try (OutputStream out = Files.newOutputStream(file)) {
      conf.writeXml(out);
    }
  }
}
