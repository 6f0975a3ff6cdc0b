/**
 * Kafka plumbing that is not the topology: creating and checking topics, probing the cluster,
 * aborting hanging transactions, and the embedded single-node KRaft broker of the demo and the
 * tests. Depends on {@code topology} for the topic names only.
 */
package io.fraudstream.engine.kafka;
