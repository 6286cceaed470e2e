package io.sparklstm.jobs.train.link;

import java.io.IOException;

/** A round's connection failed: a shard disconnected, timed out or the hub went away. */
public final class LinkBroken extends IOException {
  public LinkBroken(String message) {
    super(message);
  }

  public LinkBroken(String message, Throwable cause) {
    super(message, cause);
  }
}
