package io.sparklstm.io;

import io.sparklstm.model.ModelConfig;
import java.util.Map;

/**
 * A model read from a file.
 *
 * @param config     the architecture (from the file's metadata, else inferred from tensor shapes)
 * @param parameters every parameter in {@code ParameterLayout.of(config)} order (a new array)
 * @param metadata   the file's whole {@code __metadata__} (unmodifiable; empty if it had none)
 */
public record LoadedModel(ModelConfig config, float[] parameters, Map<String, String> metadata) {}
