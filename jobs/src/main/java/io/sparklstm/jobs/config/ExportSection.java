package io.sparklstm.jobs.config;

import io.sparklstm.jobs.UserError;

/** {@code export.*}: a dataset written as one .safetensors file of padded tensors, for numpy and PyTorch. */
public final class ExportSection {
  private final TableSource input;
  private final String outputPath;
  private final TableSink.Mode mode;

  ExportSection(ConfigReader r) {
    this.input = new TableSource(r, "export.input");
    this.outputPath = TableSource.emptyToNull(r.optString("export.output.path"));
    this.mode = TableSink.Mode.valueOf(r.oneOf("export.output.mode", "error", "overwrite").toUpperCase());
  }

  /** {@code export.input}; its path is required for export. */
  public TableSource input() {
    return input;
  }

  /** {@code export.output.path}: the file to write; required for export. */
  public String outputPath() {
    if (outputPath == null) {
      throw UserError.missing("export.output.path");
    }
    return outputPath;
  }

  /** What to do when the output file exists. */
  public TableSink.Mode mode() {
    return mode;
  }
}
