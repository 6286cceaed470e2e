package io.sparklstm.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/**
 * A context stopped while it was being built on a standalone master: refused when the master
 * answers, unreachable when nothing listens; other failures pass unchanged. (The whole path, a real
 * secured master refusing a driver, is run by bin/cluster-test.)
 */
class MasterRegistrationTest {
  static final RuntimeException STOPPED = new IllegalStateException("Cannot call methods on a stopped SparkContext.");

  @Test
  void aStoppedContextOnAStandaloneMasterIsExplained() throws Exception {
    try (ServerSocket listening = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      String master = "spark://127.0.0.1:" + listening.getLocalPort();
      assertEquals(MasterRegistration.refused(master), MasterRegistration.explain(master, STOPPED).getMessage());
    }
    String nobody = "spark://127.0.0.1:1";
    assertEquals(MasterRegistration.unreachable(nobody), MasterRegistration.explain(nobody, STOPPED).getMessage());
    assertEquals(MasterRegistration.unreachable(nobody),
        MasterRegistration.explain(nobody, new RuntimeException("wrapped", STOPPED)).getMessage());
  }

  @Test
  void otherFailuresPassUnchanged() {
    assertSame(STOPPED, MasterRegistration.explain("local[2]", STOPPED));
    RuntimeException other = new IllegalStateException("something else");
    assertSame(other, MasterRegistration.explain("spark://127.0.0.1:1", other));
  }
}
