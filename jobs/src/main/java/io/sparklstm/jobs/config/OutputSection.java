package io.sparklstm.jobs.config;

import io.sparklstm.jobs.UserError;

/** {@code output.*}: where train writes the model. */
public final class OutputSection {
  private final String model;

  OutputSection(ConfigReader r) {
    this.model = TableSource.emptyToNull(r.optString("output.model"));
  }

  /** {@code output.model}: the trained .safetensors path; required for train. */
  public String model() {
    if (model == null) {
      throw UserError.missing("output.model");
    }
    return model;
  }
}
