package io.fraudstream.features.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fraudstream.features.GoldenFiles;
import io.fraudstream.features.IdentifierHasher;
import io.fraudstream.features.StoredFormatsTest;
import io.fraudstream.features.Transaction;
import io.fraudstream.features.TransactionJson;
import java.io.IOException;
import org.apache.kafka.common.utils.Bytes;
import org.junit.jupiter.api.Test;

/** The stored forms of the Kafka pieces' own stores, checked in beside the states' (see {@link StoredFormatsTest}). */
class StoredKeysTest {

  @Test
  void shouldReadTheReorderBuffersEntriesAndKeys() throws IOException {
    Transaction buffered = new IdentifierHasher(StoredFormatsTest.SECRET).pseudonymise(StoredFormatsTest.history().get(3));
    long time = StoredFormatsTest.T0.toEpochMilli();
    GoldenFiles.write("reorder-buffer-entry.json", TransactionJson.write(buffered));
    GoldenFiles.write("reorder-buffer-key.bin", FeatureProcessor.bufferKey(time, 3, 12_345L).get());

    assertEquals(buffered, TransactionJson.parseOrThrow(GoldenFiles.read("reorder-buffer-entry.json")));
    assertEquals(time, FeatureProcessor.timeOf(Bytes.wrap(GoldenFiles.read("reorder-buffer-key.bin"))));
  }
}
