/**
 * Models: training by time (protocol, splits, trainers), the bundle a model ships in, scoring
 * (compiled trees or Tribuo), thresholds, evaluation and the training report, and the offline
 * replay that turns a dataset into the same features the engine computes. Depends on
 * {@code features} and Tribuo; knows nothing of Kafka.
 */
package io.fraudstream.models;
