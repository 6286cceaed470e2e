/**
 * {@code export}: a dataset, decoded as {@code train} decodes it, written as one .safetensors file of
 * padded tensors that numpy can memory-map and PyTorch can train on (the end-to-end benchmark's
 * PyTorch side reads it).
 */
package io.sparklstm.jobs.export;
