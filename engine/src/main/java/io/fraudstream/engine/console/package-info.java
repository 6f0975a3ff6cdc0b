/** The analyst console: the alert queue, each payment's page, labels and block lifts, served over HTTP apart from the engine. */
package io.fraudstream.engine.console;
