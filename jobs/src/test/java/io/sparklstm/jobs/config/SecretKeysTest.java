package io.sparklstm.jobs.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The config echo masks keys whose name suggests a secret, and only those. */
class SecretKeysTest {
  static final List<String> SECRETS = List.of(
      "spark.authenticate.secret", "spark.executorEnv._SPARK_AUTH_SECRET", "spark.hadoop.fs.s3a.secret.key",
      "spark.hadoop.fs.s3a.access.key", "spark.hadoop.fs.s3a.session.token", "spark.ssl.keyStorePassword",
      "spark.ssl.keyPassword", "spark.kubernetes.authenticate.submission.oauthToken",
      "spark.hadoop.fs.azure.account.key.store.dfs.core.windows.net",
      "spark.hadoop.fs.gs.auth.service.account.private.key",
      "spark.hadoop.hadoop.security.credential.provider.path", "spark.executorEnv.PGPASSWD");

  static final List<String> ORDINARY = List.of(
      "spark.authenticate", "spark.network.crypto.enabled", "spark.network.crypto.saslFallback",
      "spark.io.encryption.enabled", "spark.io.encryption.keySizeBits", "spark.io.encryption.keygen.algorithm",
      "spark.executor.memory", "spark.executorEnv.OPENBLAS_NUM_THREADS", "spark.hadoop.fs.defaultFS",
      "spark.kryo.registrator", "spark.sql.shuffle.partitions", "spark.driver.extraJavaOptions",
      "spark.hadoop.fs.s3a.endpoint", "spark.task.maxFailures");

  @Test
  void secretsAreMaskedInTheEchoAndTheJson() {
    StringBuilder hocon = new StringBuilder();
    for (String k : SECRETS) {
      hocon.append("spark.conf.\"").append(k).append("\" = hunter2-").append(k.length()).append('\n');
    }
    for (String k : ORDINARY) {
      hocon.append("spark.conf.\"").append(k).append("\" = visible-").append(k.length()).append('\n');
    }
    hocon.append("data.train { path = \"jdbc-table\", options { user = alice, password = hunter2 } }\n");
    JobConfig c = JobConfig.parse(hocon.toString());
    for (String shown : List.of(c.render("spark", "data"), c.renderJson())) {
      assertFalse(shown.contains("hunter2"), shown);
      assertTrue(shown.contains(SecretKeys.MASK), shown);
      for (String k : ORDINARY) {
        assertTrue(shown.contains("visible-" + k.length()), k + " was masked: " + shown);
      }
      assertTrue(shown.contains("alice"), shown);
    }
  }

  @Test
  void noKeyOfReferenceConfLooksSecret() {
    for (ConfigDoc.Entry e : ConfigDoc.entries()) {
      assertFalse(SecretKeys.looksSecret(e.key()), e.key());
    }
    for (String k : ORDINARY) {
      assertFalse(SecretKeys.looksSecret(k), k);
    }
    for (String k : SECRETS) {
      assertTrue(SecretKeys.looksSecret(k), k);
    }
  }
}
