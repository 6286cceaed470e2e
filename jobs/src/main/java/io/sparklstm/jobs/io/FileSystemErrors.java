package io.sparklstm.jobs.io;

import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;

/**
 * One line for a file system failure, for {@code error: ...}. A server that cannot be reached (an
 * HDFS namenode that is down, a wrong host or port) is said as such, with the address from the path,
 * instead of Hadoop's "Call From host/ip to ... failed on connection exception ... see wiki" text.
 */
public final class FileSystemErrors {
  private FileSystemErrors() {
  }

  /** What went wrong with {@code path}. */
  public static String describe(String path, Exception e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String why = unreachable(t);
      if (why != null) {
        return "cannot reach " + server(path) + " (" + why + "); is the file system (e.g. the HDFS namenode)"
            + " running, and is the address right?";
      }
    }
    return Tables.firstLine(e.getMessage());
  }

  private static String unreachable(Throwable t) {
    if (t instanceof ConnectException) {
      return "connection refused";
    } else if (t instanceof UnknownHostException) {
      return "unknown host";
    } else if (t instanceof SocketTimeoutException) {
      return "timed out";
    } else if (t instanceof SocketException) {
      return t.getClass().getSimpleName();
    }
    return null;
  }

  /** {@code scheme://authority} of the path, or the path when it has none. */
  private static String server(String path) {
    try {
      URI uri = new org.apache.hadoop.fs.Path(path).toUri();
      return uri.getAuthority() == null ? path : uri.getScheme() + "://" + uri.getAuthority();
    } catch (IllegalArgumentException e) {
      return path;
    }
  }
}
