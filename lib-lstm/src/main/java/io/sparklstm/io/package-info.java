/**
 * Files: model files ({@link io.sparklstm.io.ModelFile}, the format in docs/MODEL_FILES.md) on top
 * of a validating safetensors reader and writer ({@link io.sparklstm.io.SafeTensors}), a strict
 * small JSON parser ({@link io.sparklstm.io.Json}) and atomic writes
 * ({@link io.sparklstm.io.AtomicFiles}). Every problem with a file is a
 * {@link io.sparklstm.io.ModelFileException} naming the file, the part at fault and the cause.
 * Nothing is deserialized but JSON and raw little-endian numbers.
 */
package io.sparklstm.io;
