package io.sparklstm.jobs.train.link;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver's end of direct rounds: listens on an ephemeral port of the driver's address, accepts
 * one authenticated connection per shard ({@link Handshake}; frames encrypted when asked,
 * {@link FrameCipher}), then per round sends each shard its start
 * and gathers one reply per shard in shard order. Every wait polls {@link Waiting} (so a failed Spark
 * job ends it) and gives up after {@code timeout} with the shard's name. Not thread-safe: the driver's
 * epoch thread only.
 */
public final class RoundHub implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RoundHub.class);
  private static final int POLL_MILLIS = 200;
  private static final int HANDSHAKE_MILLIS = 10_000;
  private final ServerSocket server;
  private final byte[] secret = Handshake.newSecret();
  private final long timeoutNanos;
  private final Socket[] sockets;
  private final InputStream[] ins;
  private final OutputStream[] outs;
  private final boolean encrypt;
  private final FrameCipher[] sealers; // per shard when encrypting: frames to it
  private final FrameCipher[] openers; // and from it

  /**
   * @param bindHost the address to listen on (the driver's bind address)
   * @param shards   shards 0..shards-1 may connect
   * @param timeoutMillis longest wait for a connection or a reply
   * @param encrypt  AES-GCM frames ({@link FrameCipher}); the tasks' links must say the same
   */
  public RoundHub(String bindHost, int shards, long timeoutMillis, boolean encrypt) throws IOException {
    this.server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getByName(bindHost), 0), Math.max(50, shards));
    server.setSoTimeout(POLL_MILLIS);
    this.timeoutNanos = timeoutMillis * 1_000_000L;
    this.sockets = new Socket[shards];
    this.ins = new InputStream[shards];
    this.outs = new OutputStream[shards];
    this.encrypt = encrypt;
    this.sealers = new FrameCipher[shards];
    this.openers = new FrameCipher[shards];
  }

  public int port() {
    return server.getLocalPort();
  }

  /** This hub's secret: shipped to the tasks in their closure, never logged. */
  public byte[] secret() {
    return secret.clone();
  }

  /** Waits until every shard in {@code shards} has connected and proved the secret; drops the rest. */
  public void accept(int[] shards, Waiting alive) throws IOException {
    long deadline = System.nanoTime() + timeoutNanos;
    for (int missing = missing(shards); missing >= 0; missing = missing(shards)) {
      Socket s;
      try {
        s = server.accept();
      } catch (SocketTimeoutException e) {
        alive.check();
        if (System.nanoTime() > deadline) {
          throw new LinkBroken("shard " + (missing + 1) + " did not connect to the driver's round hub on port "
              + port() + " within " + timeoutNanos / 1_000_000_000L + " s");
        }
        continue;
      }
      admit(s);
    }
  }

  private void admit(Socket s) throws IOException {
    try {
      s.setTcpNoDelay(true);
      s.setSoTimeout(HANDSHAKE_MILLIS);
      InputStream in = s.getInputStream();
      OutputStream out = new BufferedOutputStream(s.getOutputStream(), 1 << 16);
      Handshake.Session session = Handshake.hub(in, out, secret, () -> {
        throw new LinkBroken("handshake timed out");
      });
      int shard = session.shard();
      if (shard < 0 || shard >= sockets.length || sockets[shard] != null) {
        throw new IOException("shard " + shard + " is not expected");
      }
      s.setSoTimeout(POLL_MILLIS);
      sockets[shard] = s;
      ins[shard] = in;
      outs[shard] = out;
      if (encrypt) {
        sealers[shard] = new FrameCipher(secret, "hub", session);
        openers[shard] = new FrameCipher(secret, "task", session);
      }
    } catch (IOException e) {
      LOG.warn("round hub: dropped a connection from {}: {}", s.getRemoteSocketAddress(), e.getMessage());
      s.close();
    }
  }

  /** The first of {@code shards} not connected yet, or -1. */
  private int missing(int[] shards) {
    for (int w : shards) {
      if (sockets[w] == null) {
        return w;
      }
    }
    return -1;
  }

  /** Sends {@code frame} to {@code shard}. */
  public void send(int shard, byte[] frame) throws IOException {
    try {
      Frames.write(outs[shard], encrypt ? sealers[shard].seal(frame) : frame);
    } catch (IOException e) {
      throw new LinkBroken("shard " + (shard + 1) + " disconnected: " + e.getMessage(), e);
    }
  }

  /** One frame from each of {@code shards}, in that order. */
  public byte[][] gather(int[] shards, Waiting alive) throws IOException {
    long deadline = System.nanoTime() + timeoutNanos;
    byte[][] out = new byte[shards.length][];
    for (int i = 0; i < shards.length; i++) {
      int w = shards[i];
      try {
        byte[] frame = Frames.read(ins[w], () -> {
          alive.check();
          if (System.nanoTime() > deadline) {
            throw new LinkBroken("shard " + (w + 1) + " sent nothing for " + timeoutNanos / 1_000_000_000L + " s");
          }
        });
        out[i] = encrypt ? openers[w].open(frame) : frame;
      } catch (LinkBroken e) {
        throw e;
      } catch (IOException e) {
        throw new LinkBroken("shard " + (w + 1) + " disconnected: " + e.getMessage(), e);
      }
    }
    return out;
  }

  /** Closes the port and every connection: tasks waiting on them see the end and stop. */
  @Override
  public void close() {
    quietly(server);
    for (Socket s : sockets) {
      if (s != null) {
        quietly(s);
      }
    }
  }

  private static void quietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      LOG.debug("round hub: closing: {}", e.getMessage());
    }
  }
}
