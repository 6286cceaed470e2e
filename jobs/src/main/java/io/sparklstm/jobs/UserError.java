package io.sparklstm.jobs;

/**
 * A failure the user can fix: a bad config, bad data, a missing path. {@link Main} reports it as one
 * line {@code error: <message>} and exit code 2; the message names the key or column at fault.
 */
public class UserError extends RuntimeException {
  public UserError(String message) {
    super(message);
  }

  public UserError(String message, Throwable cause) {
    super(message, cause);
  }

  /** The error for a key that has no default and was not set. */
  public static UserError missing(String key) {
    return new UserError("missing required key " + key);
  }
}
