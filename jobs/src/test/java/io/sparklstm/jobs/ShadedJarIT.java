package io.sparklstm.jobs;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/** The job jar (after {@code package}; run by failsafe on {@code mvn verify}) holds what spark-submit needs. */
class ShadedJarIT {
  private static JarFile jar() throws Exception {
    Path p = Path.of(System.getProperty("sparklstm.jobJar", "target/spark-lstm-jobs.jar"));
    assertTrue(Files.isRegularFile(p), "no job jar at " + p);
    return new JarFile(p.toFile());
  }

  private static boolean has(JarFile jar, String prefix) {
    return jar.stream().anyMatch(e -> e.getName().startsWith(prefix));
  }

  @Test
  void containsNetlibWithItsNativeLibraryAndF2j() throws Exception {
    try (JarFile jar = jar()) {
      assertNotNull(jar.getEntry("dev/ludovic/netlib/blas/JNIBLAS.class"));
      assertTrue(jar.stream().anyMatch(e -> e.getName().startsWith("resources/native/")
          && e.getName().endsWith(".so")), "netlib's JNI .so resource");
      assertTrue(has(jar, "org/netlib/blas/"), "f2j (arpack_combined_all) BLAS classes");
    }
  }

  @Test
  void containsOurCodeAndRelocatedConfigButNoSpark() throws Exception {
    try (JarFile jar = jar()) {
      assertNotNull(jar.getEntry("io/sparklstm/jobs/Main.class"));
      assertNotNull(jar.getEntry("io/sparklstm/lstm/Lstm.class"));
      assertNotNull(jar.getEntry("reference.conf"));
      assertNotNull(jar.getEntry("io/sparklstm/jobs/log4j2.properties"));
      assertTrue(has(jar, "io/sparklstm/shaded/com/typesafe/config/"));
      assertFalse(has(jar, "com/typesafe/config/"));
      assertFalse(has(jar, "org/apache/spark/"));
      assertFalse(has(jar, "scala/"));
      assertFalse(has(jar, "org/apache/hadoop/"),
          "Hadoop is the cluster's (and the test HDFS, hadoop-client-minicluster, is test scope)");
      assertFalse(jar.getEntry("log4j2.properties") != null, "must not override a cluster's log4j2 config");
    }
  }
}
