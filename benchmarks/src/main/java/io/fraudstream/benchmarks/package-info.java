/**
 * Benchmarks, run by hand, never by the tests: JMH micro-benchmarks of the per-payment work and
 * end-to-end runs on the embedded broker. Results go to {@code benchmarks/RESULTS.md}.
 */
package io.fraudstream.benchmarks;
