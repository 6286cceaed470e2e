package io.sparklstm.train;

/**
 * Training produced a non-finite loss or parameter. The message names where (epoch, round, shard,
 * batch) and what to try; the last good checkpoint is left in place by the caller.
 */
public final class DivergenceException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public DivergenceException(String message) {
    super(message);
  }
}
