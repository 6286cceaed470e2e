package io.sparklstm.jobs;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import org.apache.spark.SparkContext;

/**
 * A Spark standalone master that did not register the application: unreachable, or it refused the
 * driver because their {@code spark.authenticate} settings or secrets differ. Spark then gives up
 * after three attempts 20 s apart ("All masters are unresponsive! Giving up.") and hands back a
 * context that is being stopped, whose first use fails with "Cannot call methods on a stopped
 * SparkContext"; this turns that into a one-line user error saying which of the two it is.
 */
public final class MasterRegistration {
  /** The id Spark gives an application that no master registered (a registered one is app-...). */
  private static final String UNREGISTERED_ID_PREFIX = "spark-application-";

  private MasterRegistration() {
  }

  /** Throws a {@link UserError} when {@code sc} runs on a standalone master that did not register it. */
  public static void check(SparkContext sc) {
    String master = sc.master();
    if (master.startsWith("spark://") && sc.applicationId().startsWith(UNREGISTERED_ID_PREFIX)) {
      throw notRegistered(master);
    }
  }

  /**
   * {@code failure} of starting a context on {@code master}, explained: when the master gave up on
   * the application while the context was still being built, Spark's stop can fail the build itself.
   */
  public static RuntimeException explain(String master, RuntimeException failure) {
    boolean stopped = false;
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      stopped |= t instanceof IllegalStateException && String.valueOf(t.getMessage()).contains("stopped");
    }
    return master.startsWith("spark://") && stopped ? notRegistered(master) : failure;
  }

  private static UserError notRegistered(String master) {
    return new UserError(anyReachable(master) ? refused(master) : unreachable(master));
  }

  /** The error when the master answers but refuses the driver. */
  public static String refused(String master) {
    return "the Spark master " + master + " refused this application: spark.authenticate and its secret must be"
        + " the cluster's (a missing or wrong secret, or authentication on one side only); see docs/SECURITY.md";
  }

  /** The error when no master answers. */
  public static String unreachable(String master) {
    return "cannot reach the Spark master " + master + "; is it running, and is the address right?";
  }

  /** True when a TCP connection to one of the masters ({@code spark://h1:p1,h2:p2}) succeeds. */
  private static boolean anyReachable(String master) {
    for (String hostPort : master.substring("spark://".length()).split(",")) {
      int colon = hostPort.lastIndexOf(':');
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1))),
            5_000);
        return true;
      } catch (IOException | RuntimeException e) {
        // this one is down or the address is wrong: try the next
      }
    }
    return false;
  }
}
