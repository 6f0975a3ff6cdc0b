package io.fraudstream.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fraudstream.features.EntityState;
import io.fraudstream.features.Feature;
import io.fraudstream.features.Transaction;
import io.fraudstream.models.data.SyntheticGenerator;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class OfflineReplayTest {

  private static final byte[] SECRET = "replay-test-secret-16".getBytes(StandardCharsets.UTF_8);

  @Test
  void shouldGiveTheSameRowsOnOneThreadAndOnMany() {
    List<Transaction> payments = SyntheticGenerator.generate(SyntheticGenerator.Settings.of(500, 30, 12));
    List<FeatureRow> single = OfflineReplay.replay(payments, SECRET, EntityState.DEFAULT_LABEL_DELAY, 1);
    for (int threads : new int[] {2, 3, 8}) {
      assertEquals(single, OfflineReplay.replay(payments, SECRET, EntityState.DEFAULT_LABEL_DELAY, threads), threads + " threads");
    }
    OfflineReplay.Streaming streaming = new OfflineReplay.Streaming(SECRET, EntityState.DEFAULT_LABEL_DELAY);
    assertEquals(single, single.stream().map(row -> streaming.next(row.transaction())).toList(), "one payment at a time");
    // Located far ahead, as the reader of a dataset does, the payments give the same rows.
    OfflineReplay.Streaming ahead = new OfflineReplay.Streaming(SECRET, EntityState.DEFAULT_LABEL_DELAY);
    List<OfflineReplay.Located> located = single.stream().map(row -> ahead.locate(row.transaction())).toList();
    assertEquals(single, located.stream().map(ahead::next).toList(), "all located first");
    IllegalArgumentException unlocated = assertThrows(IllegalArgumentException.class,
        () -> ahead.next(OfflineReplay.Located.unlocated(single.get(single.size() - 1).transaction())));
    assertTrue(unlocated.getMessage().contains("was not located"), unlocated.getMessage());
    IllegalArgumentException late = assertThrows(IllegalArgumentException.class, () -> streaming.next(payments.get(0)));
    assertTrue(late.getMessage().contains("a streaming replay needs payments in time order"), late.getMessage());
    // The comparison covers every stage, labels included.
    for (Feature feature : List.of(Feature.TX_COUNT_24H, Feature.DEVICE_USERS_30D, Feature.MERCHANT_USERS_30D,
        Feature.MERCHANT_FRAUDS_30D, Feature.DEVICE_FRAUDS_30D)) {
      assertTrue(single.stream().anyMatch(row -> row.features().get(feature) > 0), feature + " is never set");
    }
  }
}
