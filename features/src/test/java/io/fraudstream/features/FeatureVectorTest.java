package io.fraudstream.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class FeatureVectorTest {

  @Test
  void shouldReadOnlyItsOwnValuesWhenSharingAnArrayWithOthers() {
    int count = Feature.count();
    double[] shared = new double[3 * count];
    for (int i = 0; i < shared.length; i++) {
      shared[i] = i;
    }
    FeatureVector middle = FeatureVector.within(shared, count);
    double[] own = new double[count];
    for (int i = 0; i < count; i++) {
      own[i] = count + i;
    }
    FeatureVector alone = new FeatureVector(own);

    assertEquals(count, middle.get(0));
    assertEquals(2 * count - 1, middle.get(count - 1));
    assertEquals(count + Feature.AMOUNT.ordinal(), middle.get(Feature.AMOUNT));
    assertArrayEquals(own, middle.toArray());
    assertEquals(alone, middle);
    assertEquals(middle, alone);
    assertEquals(alone.hashCode(), middle.hashCode());
    assertEquals(alone.toMap(), middle.toMap());
    assertNotEquals(FeatureVector.within(shared, 0), middle);
    // Past its last value lies the next vector's first: it must not be readable through this one.
    assertThrows(IndexOutOfBoundsException.class, () -> middle.get(count));
    assertThrows(IndexOutOfBoundsException.class, () -> middle.get(-1));
    assertThrows(IllegalArgumentException.class, () -> FeatureVector.within(shared, 2 * count + 1));
    assertThrows(IllegalArgumentException.class, () -> FeatureVector.within(shared, -1));

    double[] copy = middle.toArray();
    copy[0] = -1;
    assertEquals(count, middle.get(0), "toArray is a copy");
  }
}
