package io.sparklstm.jobs.train.link;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Mutual challenge-response over a shared secret, so that only this epoch's tasks reach the hub and
 * tasks only talk to their own driver. The hub sends a nonce Nh; the task answers with its shard s,
 * its nonce Nt and HMAC(secret, "task" | Nh | Nt | s); the hub checks it and answers
 * HMAC(secret, "hub" | Nt | Nh | s), which the task checks. Nonces are 32 random bytes.
 */
final class Handshake {
  static final int NONCE = 32;
  private static final SecureRandom RANDOM = new SecureRandom();

  /** What both ends know after a handshake: the shard and both nonces (to derive frame keys from). */
  record Session(int shard, byte[] hubNonce, byte[] taskNonce) {}

  private Handshake() {}

  /** A fresh 32-byte secret for one epoch attempt. */
  static byte[] newSecret() {
    byte[] s = new byte[32];
    RANDOM.nextBytes(s);
    return s;
  }

  /** The hub's side; returns the session, or throws when the task does not know the secret. */
  static Session hub(InputStream in, OutputStream out, byte[] secret, Waiting idle) throws IOException {
    byte[] nh = nonce();
    out.write(nh);
    out.flush();
    byte[] reply = Frames.readFully(in, new byte[4 + NONCE + 32], idle);
    ByteBuffer b = ByteBuffer.wrap(reply);
    int shard = b.getInt();
    byte[] nt = new byte[NONCE];
    b.get(nt);
    byte[] mac = new byte[32];
    b.get(mac);
    if (!MessageDigest.isEqual(mac, mac(secret, "task", nh, nt, shard))) {
      throw new IOException("a connection failed authentication (wrong secret)");
    }
    out.write(mac(secret, "hub", nt, nh, shard));
    out.flush();
    return new Session(shard, nh, nt);
  }

  /** The task's side: proves the secret for {@code shard} and checks the hub's proof. */
  static Session task(InputStream in, OutputStream out, byte[] secret, int shard) throws IOException {
    Waiting wait = () -> { };
    byte[] nh = Frames.readFully(in, new byte[NONCE], wait);
    byte[] nt = nonce();
    out.write(ByteBuffer.allocate(4 + NONCE + 32).putInt(shard).put(nt).put(mac(secret, "task", nh, nt, shard))
        .array());
    out.flush();
    byte[] proof = Frames.readFully(in, new byte[32], wait);
    if (!MessageDigest.isEqual(proof, mac(secret, "hub", nt, nh, shard))) {
      throw new IOException("the round hub failed authentication (wrong secret)");
    }
    return new Session(shard, nh, nt);
  }

  private static byte[] nonce() {
    byte[] n = new byte[NONCE];
    RANDOM.nextBytes(n);
    return n;
  }

  private static byte[] mac(byte[] secret, String role, byte[] first, byte[] second, int shard) {
    try {
      Mac m = Mac.getInstance("HmacSHA256");
      m.init(new SecretKeySpec(secret, "HmacSHA256"));
      m.update(role.getBytes(StandardCharsets.US_ASCII));
      m.update(first);
      m.update(second);
      m.update(ByteBuffer.allocate(4).putInt(shard).array());
      return m.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}
