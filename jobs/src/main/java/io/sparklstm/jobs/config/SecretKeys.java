package io.sparklstm.jobs.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Keys whose name suggests a secret, whose values the config echo at start-up masks: Spark's own
 * redaction pattern ({@code spark.redaction.regex}: secret, password, token, access key) plus
 * credential, passwd and the private and account keys of cloud stores, e.g.
 * {@code spark.conf."spark.hadoop.fs.s3a.secret.key"} or {@code data.train.options.password}.
 * Ordinary keys such as {@code spark.authenticate} or {@code spark.io.encryption.keySizeBits} stay.
 */
public final class SecretKeys {
  /** Matched anywhere in the full key, ignoring case. */
  public static final Pattern PATTERN =
      Pattern.compile("(?i)secret|password|passwd|token|credential|access[.]?key|private[.]?key|account[.]key");

  /** What a masked value shows (Spark's own text). */
  public static final String MASK = "*********(redacted)";

  private SecretKeys() {
  }

  /** True when {@code key} (a full path such as {@code spark.conf."a.b"}) suggests a secret. */
  public static boolean looksSecret(String key) {
    return PATTERN.matcher(key).find();
  }

  /** {@code config} with the value of every such key replaced by {@link #MASK}. */
  static Config mask(Config config) {
    Config masked = config;
    for (Map.Entry<String, ConfigValue> e : config.entrySet()) {
      if (looksSecret(e.getKey())) {
        masked = masked.withValue(e.getKey(), ConfigValueFactory.fromAnyRef(MASK));
      }
    }
    return masked;
  }
}
