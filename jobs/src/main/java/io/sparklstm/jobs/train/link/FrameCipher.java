package io.sparklstm.jobs.train.link;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM for one direction of one connection (with {@code spark.network.crypto.enabled}). The
 * key is HMAC-SHA256(secret, "frames" | direction | Nh | Nt | shard): fresh per connection and
 * direction, since the nonces are; the IV is the frame's sequence number, so no IV repeats under a
 * key, and a frame replayed, reordered, cut or altered fails its 128-bit tag.
 */
final class FrameCipher {
  private static final int TAG_BITS = 128;
  private final SecretKeySpec key;
  private final Cipher cipher;
  private long sequence;

  /** @param direction "hub" for frames the hub sends, "task" for frames the task sends */
  FrameCipher(byte[] secret, String direction, Handshake.Session session) {
    try {
      Mac m = Mac.getInstance("HmacSHA256");
      m.init(new SecretKeySpec(secret, "HmacSHA256"));
      m.update(("frames|" + direction).getBytes(StandardCharsets.US_ASCII));
      m.update(session.hubNonce());
      m.update(session.taskNonce());
      m.update(ByteBuffer.allocate(4).putInt(session.shard()).array());
      this.key = new SecretKeySpec(m.doFinal(), "AES");
      this.cipher = Cipher.getInstance("AES/GCM/NoPadding");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM or HmacSHA256 is not available", e);
    }
  }

  byte[] seal(byte[] plain) throws IOException {
    return run(Cipher.ENCRYPT_MODE, plain);
  }

  byte[] open(byte[] sealed) throws IOException {
    return run(Cipher.DECRYPT_MODE, sealed);
  }

  private byte[] run(int mode, byte[] in) throws IOException {
    byte[] iv = ByteBuffer.allocate(12).putLong(4, sequence++).array();
    try {
      cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, iv));
      return cipher.doFinal(in);
    } catch (AEADBadTagException e) {
      throw new IOException("a frame failed authentication (altered, replayed or out of order)", e);
    } catch (GeneralSecurityException e) {
      throw new IOException("AES-GCM: " + e.getMessage(), e);
    }
  }
}
