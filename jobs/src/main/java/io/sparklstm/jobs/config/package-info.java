/**
 * Configuration: HOCON files and {@code key=value} overrides over {@code reference.conf}, checked for
 * unknown keys, and read through typed, validated sections (one per top-level key) so that commands
 * never read raw strings.
 */
package io.sparklstm.jobs.config;
