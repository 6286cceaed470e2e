package io.sparklstm.jobs.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigSyntax;
import io.sparklstm.jobs.UserError;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The resolved configuration of one run: {@code key=value} overrides over the config file over
 * {@code reference.conf}. Loading rejects unknown keys, wrong types and out-of-range values; keys
 * without a default are checked by the section accessor that needs them ("missing required key").
 *
 * <p>System properties and environment variables are not merged in (a Spark JVM has many
 * {@code spark.*} properties); HOCON substitutions such as {@code ${?HOME}} still see the environment.
 */
public final class JobConfig {
  private final Config user;
  private final Config resolved;
  private final SparkSection spark;
  private final ModelSection model;
  private final DataSection data;
  private final TrainSection train;
  private final OutputSection output;
  private final PredictSection predict;
  private final WindowSection window;
  private final GenerateSection generate;
  private final ExportSection export;

  private JobConfig(Config user) {
    Config reference = reference();
    this.user = user;
    try {
      this.resolved = user.withFallback(reference).resolve(ConfigResolveOptions.defaults());
    } catch (ConfigException e) {
      throw new UserError("config: " + e.getMessage(), e);
    }
    new KeyCheck(reference).check(user, resolved);
    ConfigReader r = new ConfigReader(resolved);
    this.spark = new SparkSection(r);
    this.model = new ModelSection(r);
    this.data = new DataSection(r);
    this.train = new TrainSection(r);
    this.output = new OutputSection(r);
    this.predict = new PredictSection(r);
    this.window = new WindowSection(r);
    this.generate = new GenerateSection(r);
    this.export = new ExportSection(r);
  }

  /**
   * Loads a run's config.
   *
   * @param file      the {@code --config} file, or null for reference.conf and overrides only
   * @param overrides trailing {@code key=value} arguments, later ones winning
   */
  public static JobConfig load(Path file, List<String> overrides) {
    Config fromFile = ConfigFactory.empty();
    if (file != null) {
      if (!Files.isRegularFile(file)) {
        throw new UserError("config file " + file + " does not exist");
      }
      try {
        fromFile = ConfigFactory.parseFile(file.toFile(),
            ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF).setAllowMissing(false));
      } catch (ConfigException e) {
        throw new UserError("config file " + e.getMessage(), e);
      }
    }
    return new JobConfig(Overrides.parse(overrides).withFallback(fromFile));
  }

  /** A config from HOCON text (tests, tools). */
  public static JobConfig parse(String hocon) {
    try {
      return new JobConfig(ConfigFactory.parseString(hocon));
    } catch (ConfigException e) {
      throw new UserError("config: " + e.getMessage(), e);
    }
  }

  /** reference.conf of this jar (not another one that happens to be earlier on the classpath). */
  static Config reference() {
    return ConfigFactory.parseURL(referenceUrl(), ConfigParseOptions.defaults().setAllowMissing(false));
  }

  /** The lines of reference.conf, for the generated docs. */
  static List<String> referenceLines() {
    try (InputStream in = referenceUrl().openStream()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static URL referenceUrl() {
    String self = JobConfig.class.getResource("JobConfig.class").toString();
    String suffix = JobConfig.class.getName().replace('.', '/') + ".class";
    try {
      return URI.create(self.substring(0, self.length() - suffix.length()) + "reference.conf").toURL();
    } catch (MalformedURLException e) {
      throw new UncheckedIOException(e);
    }
  }

  public SparkSection spark() {
    return spark;
  }

  public ModelSection model() {
    return model;
  }

  public DataSection data() {
    return data;
  }

  public TrainSection train() {
    return train;
  }

  public OutputSection output() {
    return output;
  }

  public PredictSection predict() {
    return predict;
  }

  public WindowSection window() {
    return window;
  }

  public GenerateSection generate() {
    return generate;
  }

  public ExportSection export() {
    return export;
  }

  /** True when the user set {@code key} (in the file or an override), as opposed to its default. */
  public boolean isSet(String key) {
    return user.hasPathOrNull(key);
  }

  /**
   * The resolved values of the given top-level sections (all when none given), for the log at
   * start: one line per section, {@code section: {key: value, ...}}; values of keys that look like
   * secrets masked ({@link SecretKeys}).
   */
  public String render(String... sections) {
    Config shown = SecretKeys.mask(resolved);
    String[] names = sections.length > 0 ? sections : shown.root().keySet().stream().sorted()
        .toArray(String[]::new);
    StringBuilder sb = new StringBuilder();
    for (String s : names) {
      if (!shown.hasPath(s)) {
        continue;
      }
      String json = shown.getValue(s).render(ConfigRenderOptions.concise());
      sb.append(sb.length() == 0 ? "" : "\n").append("  ").append(s).append(": ")
          .append(json.replace("\":", ": ").replace("\"", "").replace(",", ", "));
    }
    return sb.toString();
  }

  /** The whole resolved config as one line of JSON, secrets masked as in {@link #render}. */
  public String renderJson() {
    return SecretKeys.mask(resolved).root().render(ConfigRenderOptions.concise());
  }
}
