package io.fraudstream.features;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Carries a featured payment across the repartitions from user to device and merchant. Only what
 * entity risk and the decision need crosses the topic: the device and the country only as
 * tokens (the decision matches them against block lists), and IP, payee, channel and location
 * not at all, so raw identifiers never reach a topic.
 */
public final class FeaturedTransactionSerde implements Serde<FeaturedTransaction> {

  @Override
  public Serializer<FeaturedTransaction> serializer() {
    return (topic, featured) -> {
      if (featured == null) {
        return null;
      }
      Transaction tx = featured.transaction();
      byte[] json = TransactionJson.write(new Transaction.Builder(tx.id(), tx.timestamp(), tx.user(), tx.amount())
          .currency(tx.currency()).merchant(tx.merchant()).category(tx.category())
          .device(IdentifierHasher.isToken(tx.device()) ? tx.device() : null)
          .country(IdentifierHasher.isToken(tx.country()) ? tx.country() : null).build());
      double[] features = featured.features().toArray();
      ByteBuffer out = ByteBuffer.allocate(Integer.BYTES + json.length + Integer.BYTES + features.length * Double.BYTES + Long.BYTES);
      out.putInt(json.length).put(json).putInt(features.length);
      for (double value : features) {
        out.putDouble(value);
      }
      out.putLong(featured.extractionNanos());
      return out.array();
    };
  }

  @Override
  public Deserializer<FeaturedTransaction> deserializer() {
    return (topic, bytes) -> {
      if (bytes == null) {
        return null;
      }
      try {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        byte[] json = new byte[in.getInt()];
        in.get(json);
        double[] features = new double[in.getInt()];
        for (int i = 0; i < features.length; i++) {
          features[i] = in.getDouble();
        }
        return new FeaturedTransaction(TransactionJson.parseOrThrow(json), new FeatureVector(features), in.getLong());
      } catch (RuntimeException e) {
        throw new SerializationException("cannot read a featured payment from " + topic + ": " + e.getMessage()
            + " (" + Arrays.toString(Arrays.copyOf(bytes, Math.min(8, bytes.length))) + "...)", e);
      }
    };
  }
}
