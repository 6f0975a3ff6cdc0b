package io.fraudstream.features;

/** A record that could not be read: its bytes as they arrived and why, for the dead-letter topic. */
public interface Unreadable {
  byte[] raw();

  String reason();
}
