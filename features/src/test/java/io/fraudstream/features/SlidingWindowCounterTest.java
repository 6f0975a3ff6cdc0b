package io.fraudstream.features;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

public class SlidingWindowCounterTest {

  private static final long WIDTH = 1_000;
  private static final int BUCKETS = 6;

  /**
   * Gaps of every size, from the same bucket to many windows, so the window moves by one bucket,
   * by several and past its whole length; a copy read back from its bytes before every event
   * must keep counting exactly as the counter that never left memory, also when read at a
   * later time.
   */
  @Test
  void countsTheEventsOfTheBucketsInTheWindowAlsoAfterARoundTripThroughItsBytes() {
    Random random = new Random(7);
    SlidingWindowCounter kept = new SlidingWindowCounter(WIDTH * BUCKETS, BUCKETS);
    SlidingWindowCounter stored = new SlidingWindowCounter(WIDTH * BUCKETS, BUCKETS);
    List<long[]> events = new ArrayList<>();
    long time = 1_700_000_000_000L;
    for (int i = 0; i < 5_000; i++) {
      time += switch (random.nextInt(4)) {
        case 0 -> random.nextInt((int) WIDTH);
        case 1 -> WIDTH * (1 + random.nextInt(BUCKETS));
        case 2 -> WIDTH * BUCKETS * (1 + random.nextInt(3));
        default -> random.nextInt((int) (WIDTH * BUCKETS));
      };
      int amount = 1 + random.nextInt(100);
      events.add(new long[] {time, amount});
      kept.add(time, amount);
      stored = roundTrip(stored);
      stored.add(time, amount);

      long newestBucket = Math.floorDiv(time, WIDTH);
      int count = 0;
      long sum = 0;
      for (long[] event : events) {
        if (Math.floorDiv(event[0], WIDTH) > newestBucket - BUCKETS) {
          count++;
          sum += event[1];
        }
      }
      assertEquals(count, kept.count(), "count after event " + i);
      assertEquals(sum, kept.sum(), 1e-6, "sum after event " + i);
      assertEquals(kept.count(), stored.count(), "count read back, after event " + i);
      assertEquals(kept.sum(), stored.sum(), "sum read back, after event " + i);

      // Read at later times without moving the window, as challenge counts are read at a
      // payment's time: from the newest bucket to past the window's end.
      for (int ahead = 0; ahead <= BUCKETS + 1; ahead++) {
        long queryBucket = newestBucket + ahead;
        int inWindow = 0;
        for (int e = events.size() - 1; e >= 0 && Math.floorDiv(events.get(e)[0], WIDTH) > queryBucket - BUCKETS; e--) {
          inWindow++;
        }
        long queryTime = queryBucket * WIDTH + random.nextInt((int) WIDTH);
        assertEquals(inWindow, kept.countAt(queryTime), "count " + ahead + " buckets ahead, after event " + i);
        assertEquals(inWindow, stored.countAt(queryTime), "count read back, " + ahead + " buckets ahead, after event " + i);
      }
    }
  }

  private static SlidingWindowCounter roundTrip(SlidingWindowCounter counter) {
    ByteBuffer bytes = ByteBuffer.allocate(counter.serializedSize());
    counter.write(bytes);
    bytes.flip();
    SlidingWindowCounter read = new SlidingWindowCounter(WIDTH * BUCKETS, BUCKETS);
    read.read(bytes);
    return read;
  }
}
