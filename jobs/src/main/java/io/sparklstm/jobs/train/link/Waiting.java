package io.sparklstm.jobs.train.link;

import java.io.IOException;

/** Called every poll interval while a link waits for bytes; throws to stop waiting (job failed, timed out). */
@FunctionalInterface
public interface Waiting {
  void check() throws IOException;
}
