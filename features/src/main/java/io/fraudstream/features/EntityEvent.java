package io.fraudstream.features;

import java.nio.ByteBuffer;

/**
 * What the entity sub-topology learns of one entity, in 25 bytes: a payment it took part in (its
 * time, amount and the keyed hash of its user) or a confirmed fraud on a payment of a given time.
 * Keyed by {@link EntityKind#riskKey}. Nothing else of the payment leaves its user's task.
 */
public record EntityEvent(boolean fraud, long timeMillis, double amount, long userHash) {

  private static final byte PAYMENT = 1;
  private static final byte FRAUD = 2;
  static final int SIZE = 1 + Long.BYTES + Double.BYTES + Long.BYTES;

  public static EntityEvent payment(long timeMillis, double amount, long userHash) {
    return new EntityEvent(false, timeMillis, amount, userHash);
  }

  public static EntityEvent confirmedFraud(long paymentMillis) {
    return new EntityEvent(true, paymentMillis, 0, 0);
  }

  /** Applies the event to an entity's state. */
  public void applyTo(EntityState state) {
    if (fraud) {
      EntityFeatureExtractor.confirmFraud(state, timeMillis);
    } else {
      EntityFeatureExtractor.record(state, timeMillis, amount, userHash);
    }
  }

  public byte[] toBytes() {
    return ByteBuffer.allocate(SIZE).put(fraud ? FRAUD : PAYMENT).putLong(timeMillis).putDouble(amount).putLong(userHash).array();
  }

  /** Reads {@link #toBytes}; anything else is refused with the reason. */
  public static EntityEvent fromBytes(byte[] data) {
    if (data == null || data.length != SIZE || (data[0] != PAYMENT && data[0] != FRAUD)) {
      throw new IllegalArgumentException("not an entity event: " + (data == null ? "no value" : data.length + " bytes"));
    }
    ByteBuffer in = ByteBuffer.wrap(data);
    boolean fraud = in.get() == FRAUD;
    return new EntityEvent(fraud, in.getLong(), in.getDouble(), in.getLong());
  }
}
