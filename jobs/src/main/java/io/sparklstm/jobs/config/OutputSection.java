package io.sparklstm.jobs.config;

import io.sparklstm.jobs.UserError;
import io.sparklstm.jobs.io.OutputPermissions;

/** {@code output.*}: where train writes the model, and the permissions of every file the job writes. */
public final class OutputSection {
  private final String model;
  private final OutputPermissions permissions;
  private final boolean bestValidation;

  OutputSection(ConfigReader r) {
    this.model = TableSource.emptyToNull(r.optString("output.model"));
    String mode = r.optString("output.permissions");
    this.permissions = OutputPermissions.parse("output.permissions", mode == null ? "" : mode);
    this.bestValidation = r.bool("output.best-validation");
  }

  /** {@code output.best-validation}: write the epoch with the lowest validation loss, not the last one. */
  public boolean bestValidation() {
    return bestValidation;
  }

  /** {@code output.permissions}: the mode of what the job writes, or the file system's default. */
  public OutputPermissions permissions() {
    return permissions;
  }

  /** {@code output.model}: the trained .safetensors path; required for train. */
  public String model() {
    if (model == null) {
      throw UserError.missing("output.model");
    }
    return model;
  }
}
