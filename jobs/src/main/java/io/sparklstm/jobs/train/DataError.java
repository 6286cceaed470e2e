package io.sparklstm.jobs.train;

import io.sparklstm.jobs.UserError;

/**
 * Bad training data found on an executor: the message names the row (0-based, in input order), the
 * column and the problem. Spark wraps it in its own exception; the driver unwraps it into a
 * user error, reported as one line by Main.
 */
public final class DataError extends UserError {
  private static final long serialVersionUID = 1L;

  public DataError(String message) {
    super(message);
  }
}
