package io.sparklstm.jobs.train.link;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The hub and its links on loopback: authentication, shard order, and the errors that name a shard. */
class RoundHubTest {
  private final ExecutorService pool = Executors.newCachedThreadPool();

  @AfterEach
  void stop() throws InterruptedException {
    pool.shutdownNow();
    assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
  }

  @ParameterizedTest(name = "encrypted frames: {0}")
  @ValueSource(booleans = {false, true})
  void aWrongSecretIsRefusedAndTheRoundGoesOn(boolean encrypt) throws Exception {
    try (RoundHub hub = new RoundHub("127.0.0.1", 2, 10_000, encrypt)) {
      byte[] wrong = hub.secret();
      wrong[0] ^= 1;
      Future<?> intruder = pool.submit(() -> RoundLink.connect("127.0.0.1", hub.port(), wrong, 0, 1000, encrypt));
      Future<byte[]> second = pool.submit(() -> {
        assertThrows(Exception.class, intruder::get); // the intruder first, as shard 0
        return echo(hub, 1, 0, encrypt);
      });
      Future<byte[]> first = pool.submit(() -> {
        assertThrows(Exception.class, intruder::get);
        return echo(hub, 0, 300, encrypt); // sends last: the hub still answers in shard order
      });
      hub.accept(new int[] {0, 1}, () -> { });
      byte[][] got = hub.gather(new int[] {0, 1}, () -> { });
      assertArrayEquals(bytes("from shard 0"), got[0]);
      assertArrayEquals(bytes("from shard 1"), got[1]);
      byte[] reply = bytes("mean");
      hub.send(0, reply);
      hub.send(1, reply);
      assertArrayEquals(reply, first.get(10, TimeUnit.SECONDS));
      assertArrayEquals(reply, second.get(10, TimeUnit.SECONDS));
      IOException refused = (IOException) assertThrows(Exception.class, intruder::get).getCause();
      assertTrue(refused.getMessage() != null, "the intruder learns nothing but a closed connection");
    }
  }

  @Test
  void aShardThatDisconnectsIsNamed() throws Exception {
    try (RoundHub hub = new RoundHub("127.0.0.1", 2, 10_000, false)) {
      pool.submit(() -> {
        RoundLink link = RoundLink.connect("127.0.0.1", hub.port(), hub.secret(), 0, 1000, false);
        link.send(bytes("state"));
        return link; // stays open
      });
      pool.submit(() -> {
        RoundLink.connect("127.0.0.1", hub.port(), hub.secret(), 1, 1000, false).close();
        return null;
      });
      hub.accept(new int[] {0, 1}, () -> { });
      LinkBroken e = assertThrows(LinkBroken.class, () -> hub.gather(new int[] {0, 1}, () -> { }));
      assertTrue(e.getMessage().startsWith("shard 2 disconnected"), e.getMessage());
    }
  }

  @Test
  void aSilentShardTimesOutByName() throws Exception {
    try (RoundHub hub = new RoundHub("127.0.0.1", 1, 500, false)) {
      Future<RoundLink> link = pool.submit(() -> RoundLink.connect("127.0.0.1", hub.port(), hub.secret(), 0, 1000, false));
      hub.accept(new int[] {0}, () -> { });
      LinkBroken e = assertThrows(LinkBroken.class, () -> hub.gather(new int[] {0}, () -> { }));
      assertTrue(e.getMessage().startsWith("shard 1 sent nothing for"), e.getMessage());
      link.get().close();
    }
  }

  @Test
  void aShardThatNeverConnectsIsNamed() throws Exception {
    try (RoundHub hub = new RoundHub("127.0.0.1", 2, 500, false)) {
      LinkBroken e = assertThrows(LinkBroken.class, () -> hub.accept(new int[] {0, 1}, () -> { }));
      assertTrue(e.getMessage().startsWith("shard 1 did not connect"), e.getMessage());
    }
  }

  /** A frame is unreadable on the wire, and one altered, replayed or sealed for another direction is refused. */
  @Test
  void encryptedFramesHideAndRefuseTampering() throws Exception {
    byte[] secret = Handshake.newSecret();
    Handshake.Session session = new Handshake.Session(3, Handshake.newSecret(), Handshake.newSecret());
    byte[] plain = bytes("parameters of shard 3, parameters of shard 3");
    FrameCipher hubSends = new FrameCipher(secret, "hub", session);
    FrameCipher taskReads = new FrameCipher(secret, "hub", session);
    byte[] first = hubSends.seal(plain);
    assertTrue(!new String(first, StandardCharsets.ISO_8859_1).contains("shard"), "plaintext on the wire");
    assertArrayEquals(plain, taskReads.open(first));
    byte[] second = hubSends.seal(plain);
    assertTrue(!Arrays.equals(first, second), "the same frame twice encrypts the same way");
    byte[] altered = second.clone();
    altered[5] ^= 1;
    assertThrows(IOException.class, () -> taskReads.open(altered));
    assertThrows(IOException.class, () -> new FrameCipher(secret, "task", session).open(first)); // other direction
    FrameCipher replayed = new FrameCipher(secret, "hub", session);
    replayed.open(first);
    assertThrows(IOException.class, () -> replayed.open(first));
  }

  /** A task: connects as {@code shard}, waits {@code delayMillis}, sends, returns the hub's reply. */
  private static byte[] echo(RoundHub hub, int shard, long delayMillis, boolean encrypt) throws Exception {
    try (RoundLink link = RoundLink.connect("127.0.0.1", hub.port(), hub.secret(), shard, 1000, encrypt)) {
      Thread.sleep(delayMillis);
      link.send(bytes("from shard " + shard));
      return link.receive();
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
