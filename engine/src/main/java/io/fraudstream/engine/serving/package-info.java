/**
 * What a running engine shows and takes in while it runs: its metrics, the HTTP endpoints for
 * metrics and health, and the watcher that hot-reloads the model and rules files. Depends on
 * {@code decision} and {@code rules}.
 */
package io.fraudstream.engine.serving;
