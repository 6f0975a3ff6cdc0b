package io.fraudstream.models.data;

import com.fasterxml.jackson.databind.SequenceWriter;
import com.fasterxml.jackson.dataformat.csv.CsvGenerator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.fraudstream.features.Transaction;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/**
 * Writes payments as fraudstream's own CSV (the {@code fraudstream} preset of {@link DatasetMapping}),
 * gzipped when the name ends in {@code .gz}. Reading the file back gives the same payments.
 */
public final class DatasetWriter {

  static final String[] HEADER = {"id", "timestamp", "user", "amount", "currency", "merchant", "category", "channel",
      "counterparty", "device", "ip", "country", "lat", "lon", "fraud", "challenge"};
  // Quote only what needs quoting; by default Jackson quotes every long value without looking.
  private static final CsvMapper CSV = CsvMapper.builder().enable(CsvGenerator.Feature.STRICT_CHECK_FOR_QUOTING).build();

  private DatasetWriter() {}

  /** Opens {@code file} for writing, compressed if its name ends in {@code .gz}. */
  public static Writer open(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    OutputStream out = Files.newOutputStream(file);
    if (file.toString().endsWith(".gz")) {
      out = new GZIPOutputStream(out, 1 << 16);
    }
    return new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
  }

  /** Writes the payments with a header; returns how many. */
  public static long write(Path file, Iterable<Transaction> payments) throws IOException {
    long count = 0;
    try (Writer out = open(file);
         SequenceWriter rows = CSV.writerFor(String[].class).with(CsvSchema.emptySchema()).writeValues(out)) {
      rows.write(HEADER);
      for (Transaction tx : payments) {
        String[] row = {tx.id(), tx.timestamp().toString(), tx.user(), Double.toString(tx.amount()), tx.currency(),
            tx.merchant(), tx.category(), tx.channel(), tx.counterparty(), tx.device(), tx.ip(), tx.country(),
            text(tx.lat()), text(tx.lon()), tx.label() == null ? null : tx.label().toString(),
            tx.challenge() == null ? null : tx.challenge().wireName()};
        // Jackson leaves out null array elements, which would shift the columns: absent is empty.
        for (int i = 0; i < row.length; i++) {
          if (row[i] == null) {
            row[i] = "";
          }
        }
        rows.write(row);
        count++;
      }
    }
    return count;
  }

  private static String text(Double value) {
    return value == null ? null : value.toString();
  }
}
