package io.sparklstm.io;

import java.io.IOException;

/** A model or tensor file that cannot be used: the message says which file, which part, and why. */
public class ModelFileException extends IOException {
  public ModelFileException(String message) {
    super(message);
  }

  public ModelFileException(String message, Throwable cause) {
    super(message, cause);
  }
}
