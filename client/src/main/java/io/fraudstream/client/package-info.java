/**
 * A payment service's client of fraudstream's decide endpoint ({@link io.fraudstream.client.DecideClient}):
 * the JDK's HTTP client and Jackson, and no class of the engine.
 */
package io.fraudstream.client;
