package io.fraudstream.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fraudstream.features.EntityState;
import io.fraudstream.features.Feature;
import io.fraudstream.features.Transaction;
import io.fraudstream.models.data.SyntheticGenerator;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    // In blocks, packed, as a dataset replayed while read is: the same rows, across the packed arrays.
    assertTrue(single.size() > 2 * PackedRows.ROWS_PER_BLOCK, "the packed rows span arrays: " + single.size() + " rows");
    for (int size : new int[] {1, 7, 1_000, single.size()}) {
      assertEquals(single, inBlocks(single, size), "in blocks of " + size);
    }
    IllegalArgumentException late = assertThrows(IllegalArgumentException.class, () -> streaming.next(payments.get(0)));
    assertTrue(late.getMessage().contains("a streaming replay needs payments in time order"), late.getMessage());
    // The comparison covers every stage, labels included.
    for (Feature feature : List.of(Feature.TX_COUNT_24H, Feature.DEVICE_USERS_30D, Feature.MERCHANT_USERS_30D,
        Feature.MERCHANT_FRAUDS_30D, Feature.DEVICE_FRAUDS_30D)) {
      assertTrue(single.stream().anyMatch(row -> row.features().get(feature) > 0), feature + " is never set");
    }
  }

  /**
   * A block is taken state by state, not payment by payment, so its rows are only right if each
   * state still sees its payments in time order. A block that is not in time order, or starts
   * before the previous one ended, is refused and changes nothing.
   */
  @Test
  void shouldReplayBlocksStateByStateAndRefuseOnesOutOfOrder() {
    List<FeatureRow> single = OfflineReplay.replay(SyntheticGenerator.generate(SyntheticGenerator.Settings.of(300, 20, 5)), SECRET);
    List<Transaction> payments = single.stream().map(FeatureRow::transaction).toList();
    OfflineReplay.Streaming streaming = new OfflineReplay.Streaming(SECRET, EntityState.DEFAULT_LABEL_DELAY);
    PackedRows rows = new PackedRows();
    int half = payments.size() / 2;
    assertTrue(streaming.nextBlock(payments.subList(0, half), rows));

    List<Transaction> swapped = new ArrayList<>(payments.subList(half, half + 100));
    Collections.swap(swapped, 10, 60);
    assertFalse(streaming.nextBlock(swapped, rows), "a block out of order within");
    assertFalse(streaming.nextBlock(payments.subList(0, 100), rows), "a block starting before the last one's end");
    assertEquals(half, rows.size(), "nothing appended");

    assertTrue(streaming.nextBlock(payments.subList(half, payments.size()), rows));
    assertEquals(single, rows, "the refused blocks changed no state");
  }

  @Test
  void shouldGroupEachKeysPaymentsInTheirOrderLeavingOutThoseWithoutOne() {
    Instant t = Instant.parse("2026-01-01T00:00:00Z");
    List<Transaction> block = new ArrayList<>();
    String[] merchants = {"m1", "m2", null, "m1", "m3", "m2", null, "m1"};
    for (int i = 0; i < merchants.length; i++) {
      block.add(new Transaction.Builder("p" + i, t.plusSeconds(i), "u" + i % 2, 10).merchant(merchants[i]).build());
    }
    int[] grouped = OfflineReplay.Streaming.groupedBy(block, Transaction::merchant);
    assertEquals(6, grouped.length, "the two payments without a merchant are left out");
    Map<String, List<Integer>> byMerchant = new LinkedHashMap<>();
    for (int position : grouped) {
      byMerchant.computeIfAbsent(merchants[position], m -> new ArrayList<>()).add(position);
    }
    assertEquals(Map.of("m1", List.of(0, 3, 7), "m2", List.of(1, 5), "m3", List.of(4)), byMerchant);
    // These three ids fall in different groups, so each one's payments come together.
    for (int j = 1; j < grouped.length; j++) {
      boolean sameAsBefore = merchants[grouped[j]].equals(merchants[grouped[j - 1]]);
      assertTrue(sameAsBefore || byMerchant.get(merchants[grouped[j]]).get(0) == grouped[j], "each merchant's payments together");
    }
  }

  @Test
  void shouldKeepEachKeysOrderWhenMoreKeysThanGroupsShareThem() {
    Instant t = Instant.parse("2026-01-01T00:00:00Z");
    int keys = 2 * OfflineReplay.Streaming.GROUPS + 5;
    List<Transaction> block = new ArrayList<>();
    for (int round = 0; round < 3; round++) {
      for (int k = 0; k < keys; k++) {
        block.add(new Transaction.Builder("p" + block.size(), t.plusSeconds(block.size()), "u", 10).merchant("m" + k).build());
      }
    }
    int[] grouped = OfflineReplay.Streaming.groupedBy(block, Transaction::merchant);
    assertEquals(block.size(), grouped.length);
    Map<String, List<Integer>> byMerchant = new LinkedHashMap<>();
    for (int position : grouped) {
      byMerchant.computeIfAbsent(block.get(position).merchant(), m -> new ArrayList<>()).add(position);
    }
    assertEquals(keys, byMerchant.size());
    byMerchant.forEach((merchant, positions) -> {
      int k = Integer.parseInt(merchant.substring(1));
      assertEquals(List.of(k, keys + k, 2 * keys + k), positions, merchant + "'s payments in block order");
    });
  }

  private static List<FeatureRow> inBlocks(List<FeatureRow> rows, int size) {
    List<Transaction> payments = rows.stream().map(FeatureRow::transaction).toList();
    OfflineReplay.Streaming streaming = new OfflineReplay.Streaming(SECRET, EntityState.DEFAULT_LABEL_DELAY);
    PackedRows packed = new PackedRows();
    for (int from = 0; from < payments.size(); from += size) {
      assertTrue(streaming.nextBlock(payments.subList(from, Math.min(payments.size(), from + size)), packed));
    }
    return packed;
  }
}
