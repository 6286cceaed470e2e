package io.sparklstm.jobs.train.link;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;

/**
 * Length-prefixed frames: a 4-byte big-endian length, then the payload. Reads survive a socket's
 * read timeout (SO_TIMEOUT): each timeout calls {@code idle} (which may throw) and the read goes on
 * where it stopped, so a frame is never half-consumed.
 */
final class Frames {
  /** Frames larger than this are refused: 2 GiB - 8 bytes, Java's largest array. */
  static final int MAX_BYTES = Integer.MAX_VALUE - 8;

  private Frames() {}

  static void write(OutputStream out, byte[] payload) throws IOException {
    byte[] head = {(byte) (payload.length >>> 24), (byte) (payload.length >>> 16), (byte) (payload.length >>> 8),
        (byte) payload.length};
    out.write(head);
    out.write(payload);
    out.flush();
  }

  static byte[] read(InputStream in, Waiting idle) throws IOException {
    byte[] head = readFully(in, new byte[4], idle);
    int n = ((head[0] & 0xff) << 24) | ((head[1] & 0xff) << 16) | ((head[2] & 0xff) << 8) | (head[3] & 0xff);
    if (n < 0 || n > MAX_BYTES) {
      throw new IOException("bad frame length " + n);
    }
    return readFully(in, new byte[n], idle);
  }

  static byte[] readFully(InputStream in, byte[] b, Waiting idle) throws IOException {
    int off = 0;
    while (off < b.length) {
      int n;
      try {
        n = in.read(b, off, b.length - off);
      } catch (SocketTimeoutException e) {
        idle.check();
        continue;
      }
      if (n < 0) {
        throw new EOFException("connection closed after " + off + " of " + b.length + " bytes");
      }
      off += n;
    }
    return b;
  }
}
