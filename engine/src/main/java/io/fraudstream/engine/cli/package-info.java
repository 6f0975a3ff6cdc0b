/**
 * The {@code fraudstream} command line (picocli): one class per command, the option mixins shared
 * between them, configuration sources, and the helpers of feeding payments (pacing, progress).
 * Depends on everything else; nothing depends on it but the benchmarks.
 */
package io.fraudstream.engine.cli;
