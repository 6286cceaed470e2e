package io.sparklstm.jobs.config;

import java.util.Optional;

/** {@code data.*}: the training and validation datasets and their column names. */
public final class DataSection {
  private final TableSource train;
  private final TableSource validation;
  private final String featuresColumn;
  private final String labelColumn;

  DataSection(ConfigReader r) {
    this.train = new TableSource(r, "data.train");
    this.validation = new TableSource(r, "data.validation");
    this.featuresColumn = TableSource.nonEmpty(r, "data.features-column");
    this.labelColumn = TableSource.nonEmpty(r, "data.label-column");
  }

  /** {@code data.train}; its path is required for train. */
  public TableSource train() {
    return train;
  }

  /** {@code data.validation}, when its path is set. */
  public Optional<TableSource> validation() {
    return validation.hasPath() ? Optional.of(validation) : Optional.empty();
  }

  public String featuresColumn() {
    return featuresColumn;
  }

  public String labelColumn() {
    return labelColumn;
  }
}
