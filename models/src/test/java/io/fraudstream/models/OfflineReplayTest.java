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
    // Computed into one array, as a dataset replayed while read is, and packed, the rows are the same.
    OfflineReplay.Streaming packing = new OfflineReplay.Streaming(SECRET, EntityState.DEFAULT_LABEL_DELAY);
    assertTrue(single.size() > 2 * PackedRows.ROWS_PER_BLOCK, "the packed rows span blocks: " + single.size() + " rows");
    PackedRows packed = new PackedRows();
    double[] features = new double[Feature.count()];
    for (FeatureRow row : single) {
      packing.next(row.transaction(), features);
      packed.add(row.transaction(), features);
    }
    assertEquals(single, packed, "computed into one array and packed");
    IllegalArgumentException late = assertThrows(IllegalArgumentException.class, () -> streaming.next(payments.get(0)));
    assertTrue(late.getMessage().contains("a streaming replay needs payments in time order"), late.getMessage());
    // The comparison covers every stage, labels included.
    for (Feature feature : List.of(Feature.TX_COUNT_24H, Feature.DEVICE_USERS_30D, Feature.MERCHANT_USERS_30D,
        Feature.MERCHANT_FRAUDS_30D, Feature.DEVICE_FRAUDS_30D)) {
      assertTrue(single.stream().anyMatch(row -> row.features().get(feature) > 0), feature + " is never set");
    }
  }
}
