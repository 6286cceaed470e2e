package io.sparklstm.jobs.train.link;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;

/** A training task's end of direct rounds: one authenticated connection to the driver's {@link RoundHub}. */
public final class RoundLink implements AutoCloseable {
  private static final int HANDSHAKE_MILLIS = 10_000;
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private FrameCipher sealer; // when encrypting: frames to the hub
  private FrameCipher opener; // and from it

  private RoundLink(Socket socket) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
  }

  /**
   * Connects as {@code shard}, retrying refused connections for up to {@code retryMillis}; with
   * {@code encrypt}, frames are AES-GCM ({@link FrameCipher}), as the hub's must be.
   */
  public static RoundLink connect(String host, int port, byte[] secret, int shard, long retryMillis, boolean encrypt)
      throws IOException {
    long deadline = System.nanoTime() + retryMillis * 1_000_000L;
    while (true) {
      Socket s = new Socket();
      try {
        s.setTcpNoDelay(true);
        s.connect(new InetSocketAddress(host, port), HANDSHAKE_MILLIS);
        s.setSoTimeout(HANDSHAKE_MILLIS);
        RoundLink link = new RoundLink(s);
        Handshake.Session session = Handshake.task(link.in, link.out, secret, shard);
        if (encrypt) {
          link.sealer = new FrameCipher(secret, "task", session);
          link.opener = new FrameCipher(secret, "hub", session);
        }
        s.setSoTimeout(0); // a round waits as long as the slowest shard trains
        return link;
      } catch (ConnectException e) {
        s.close();
        if (System.nanoTime() > deadline) {
          throw new LinkBroken("cannot reach the driver's round hub at " + host + ":" + port + ": " + e.getMessage(), e);
        }
        sleep(100);
      } catch (IOException e) {
        s.close();
        throw e;
      }
    }
  }

  /** The next frame from the hub; blocks until it comes or the hub closes. */
  public byte[] receive() throws IOException {
    byte[] frame = Frames.read(in, () -> { });
    return opener == null ? frame : opener.open(frame);
  }

  public void send(byte[] frame) throws IOException {
    Frames.write(out, sealer == null ? frame : sealer.seal(frame));
  }

  /** Closes the connection; the hub sees its end. */
  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // nothing left to release
    }
  }

  private static void sleep(long millis) throws IOException {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LinkBroken("interrupted while connecting");
    }
  }
}
