package io.fraudstream.models.data;

import io.fraudstream.features.Transaction;
import io.fraudstream.features.TransactionJson;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.zip.GZIPInputStream;

/**
 * Reads the ULB fraud-detection handbook's simulated transactions
 * ({@code TRANSACTION_ID,TX_DATETIME,CUSTOMER_ID,TERMINAL_ID,TX_AMOUNT,...,TX_FRAUD,TX_FRAUD_SCENARIO}),
 * plain or gzipped. The customer is the user and the terminal the merchant; {@code TX_FRAUD} is
 * the label. {@code TX_FRAUD_SCENARIO} is ground truth about how the fraud was made and is never
 * read, so it cannot leak into features.
 */
public final class HandbookReader {

  static final String HEADER_PREFIX = "TRANSACTION_ID,TX_DATETIME,CUSTOMER_ID,TERMINAL_ID,TX_AMOUNT";

  private HandbookReader() {}

  /** Reads every row, or fails with the line number and what was wrong. */
  public static List<Transaction> read(Path file) throws IOException {
    return read(file, Integer.MAX_VALUE);
  }

  /** Reads at most {@code limit} rows from the start of the file. */
  public static List<Transaction> read(Path file, int limit) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(file.toString(), null, "handbook dataset not found");
    }
    try (InputStream raw = Files.newInputStream(file);
         InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw;
         BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16)) {
      String header = reader.readLine();
      if (header == null || !header.startsWith(HEADER_PREFIX)) {
        throw new IOException(file + ": line 1: expected a header starting with " + HEADER_PREFIX + ", got " + header);
      }
      List<Transaction> rows = new ArrayList<>();
      // One String per customer and terminal, not one per row: less memory, and faster lookups
      // of their states when replayed.
      Map<String, String> identifiers = new HashMap<>();
      String line;
      int lineNumber = 1;
      while (rows.size() < limit && (line = reader.readLine()) != null) {
        lineNumber++;
        if (!line.isEmpty()) {
          rows.add(parseRow(file, lineNumber, line, identifiers));
        }
      }
      return rows;
    }
  }

  private static Transaction parseRow(Path file, int lineNumber, String line, Map<String, String> identifiers) throws IOException {
    String[] cells = line.split(",", -1);
    if (cells.length < 8) {
      throw new IOException(file + ": line " + lineNumber + ": expected at least 8 columns, got " + cells.length);
    }
    String column = "TX_DATETIME";
    try {
      var timestamp = TransactionJson.parseTimestamp(cells[1]);
      column = "TX_AMOUNT";
      double amount = Double.parseDouble(cells[4]);
      column = "TX_FRAUD";
      boolean fraud = switch (cells[7].trim()) {
        case "0" -> false;
        case "1" -> true;
        default -> throw new IllegalArgumentException("expected 0 or 1, got \"" + cells[7] + "\"");
      };
      String customer = identifiers.computeIfAbsent(cells[2], Function.identity());
      String terminal = identifiers.computeIfAbsent(cells[3], Function.identity());
      return new Transaction.Builder(cells[0], timestamp, customer, amount).merchant(terminal).label(fraud).build();
    } catch (IllegalArgumentException e) {
      throw new IOException(file + ": line " + lineNumber + ", column " + column + ": " + e.getMessage(), e);
    }
  }
}
