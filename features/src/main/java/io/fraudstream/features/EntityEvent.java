package io.fraudstream.features;

import java.nio.ByteBuffer;

/**
 * What the entity sub-topology learns of one entity, in 25 bytes: a payment it took part in (its
 * time, amount and the keyed hash of its user), a confirmed fraud on a payment of a given time, or
 * that an erased user's hash must leave every entity. Payments and frauds are keyed by
 * {@link EntityKind#riskKey}. Nothing else of the payment leaves its user's task.
 */
public record EntityEvent(Type type, long timeMillis, double amount, long userHash) {

  /** What the event says, with the byte that stands for it in the stored form. */
  public enum Type {
    PAYMENT(1), FRAUD(2), FORGET_USER(3);

    private final byte code;

    Type(int code) {
      this.code = (byte) code;
    }

    static Type of(byte code) {
      for (Type type : values()) {
        if (type.code == code) {
          return type;
        }
      }
      return null;
    }
  }

  static final int SIZE = 1 + Long.BYTES + Double.BYTES + Long.BYTES;

  public static EntityEvent payment(long timeMillis, double amount, long userHash) {
    return new EntityEvent(Type.PAYMENT, timeMillis, amount, userHash);
  }

  public static EntityEvent confirmedFraud(long paymentMillis) {
    return new EntityEvent(Type.FRAUD, paymentMillis, 0, 0);
  }

  /** An erased user: every entity forgets the hash (the counts of their payments stay, as numbers). */
  public static EntityEvent forgetUser(long userHash) {
    return new EntityEvent(Type.FORGET_USER, 0, 0, userHash);
  }

  /**
   * Applies a payment or a fraud to its entity's state. A {@link #forgetUser} event is not one
   * entity's: the entity task applies it to every state ({@link EntityState#forgetUsers}).
   */
  public void applyTo(EntityState state) {
    switch (type) {
      case FRAUD -> EntityFeatureExtractor.confirmFraud(state, timeMillis);
      case PAYMENT -> EntityFeatureExtractor.record(state, timeMillis, amount, userHash);
      default -> throw new IllegalArgumentException("a forget-user event applies to every entity, not to one");
    }
  }

  public byte[] toBytes() {
    return ByteBuffer.allocate(SIZE).put(type.code).putLong(timeMillis).putDouble(amount).putLong(userHash).array();
  }

  /** Reads {@link #toBytes}; anything else is refused with the reason. */
  public static EntityEvent fromBytes(byte[] data) {
    Type type = data == null || data.length != SIZE ? null : Type.of(data[0]);
    if (type == null) {
      throw new IllegalArgumentException("not an entity event: " + (data == null ? "no value" : data.length + " bytes"));
    }
    ByteBuffer in = ByteBuffer.wrap(data, 1, SIZE - 1);
    return new EntityEvent(type, in.getLong(), in.getDouble(), in.getLong());
  }
}
