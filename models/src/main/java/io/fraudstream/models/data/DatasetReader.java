package io.fraudstream.models.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.fraudstream.features.ChallengeResult;
import io.fraudstream.features.Transaction;
import io.fraudstream.models.data.DatasetMapping.Field;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.zip.GZIPInputStream;

/**
 * Reads payments from a CSV or JSON-lines file, plain or gzipped ({@code .gz}), as a
 * {@link DatasetMapping} describes. Only mapped columns are read. A row that cannot be read
 * stops the read with its line, its column and what was expected.
 */
public final class DatasetReader {

  private static final CsvMapper CSV = new CsvMapper();
  private static final ObjectMapper JSON = new ObjectMapper();

  private DatasetReader() {}

  /** Every payment of the file, in file order. */
  public static List<Transaction> read(Path file, DatasetMapping mapping) throws IOException {
    return read(file, mapping, Integer.MAX_VALUE);
  }

  /** The first {@code limit} payments of the file. */
  public static List<Transaction> read(Path file, DatasetMapping mapping, int limit) throws IOException {
    List<Transaction> rows = new ArrayList<>();
    forEach(file, mapping, limit, rows::add, new HashMap<>());
    return rows;
  }

  /** A dataset read whole: its payments in file order, and the kind of each fraud where the mapping names a {@code fraud.type} column. */
  public record Dataset(List<Transaction> payments, FraudKinds fraudKinds) {}

  /** Every payment of the file, with the kinds of its frauds (none without a {@code fraud.type} column). */
  public static Dataset readDataset(Path file, DatasetMapping mapping) throws IOException {
    List<Transaction> rows = new ArrayList<>();
    FraudKinds kinds = forEach(file, mapping, rows::add);
    return new Dataset(rows, kinds);
  }

  /** Hands each payment of the file to {@code sink} as it is read, in file order; returns the kinds of its frauds. */
  public static FraudKinds forEach(Path file, DatasetMapping mapping, Consumer<Transaction> sink) throws IOException {
    Map<String, String> kinds = new HashMap<>();
    forEach(file, mapping, Long.MAX_VALUE, sink, kinds);
    return mapping.columns().containsKey(Field.FRAUD_TYPE) ? new FraudKinds(kinds) : FraudKinds.NONE;
  }

  /** Hands each payment to {@code sink} as it is read, and the kind of each fraud to {@code kinds}; returns how many. */
  static long forEach(Path file, DatasetMapping mapping, long limit, Consumer<Transaction> sink, Map<String, String> kinds)
      throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(file.toString(), null, "dataset not found");
    }
    try (InputStream raw = Files.newInputStream(file);
         InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw;
         BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16)) {
      RowBuilder rows = new RowBuilder(file, mapping, kinds);
      return mapping.format() == DatasetMapping.Format.CSV
          ? readCsv(reader, mapping, rows, limit, sink)
          : readJsonLines(reader, mapping, rows, limit, sink);
    }
  }

  private static long readCsv(BufferedReader reader, DatasetMapping mapping, RowBuilder rows, long limit,
      Consumer<Transaction> sink) throws IOException {
    CsvSchema schema = CsvSchema.emptySchema().withColumnSeparator(mapping.delimiter()).withQuoteChar(mapping.quote());
    try (CsvParser parser = CSV.getFactory().createParser(reader)) {
      parser.setSchema(schema);
      List<String> cells = new ArrayList<>();
      Map<Field, Integer> positions = null;
      long count = 0;
      for (long line; count < limit && (line = nextRow(parser, cells, rows)) != END_OF_FILE; ) {
        if (positions == null) {
          positions = mapping.header() ? rows.positionsFromHeader(cells) : rows.positionsFromNumbers();
          if (mapping.header()) {
            continue;
          }
        }
        if (cells.size() == 1 && cells.get(0).isEmpty()) {
          continue;   // a blank line
        }
        Map<Field, Integer> at = positions;
        sink.accept(rows.build(line, field -> {
          Integer index = at.get(field);
          if (index == null) {
            return null;
          }
          if (index >= cells.size()) {
            throw new CellException(field, "the row has only " + cells.size() + " columns");
          }
          return cells.get(index);
        }));
        count++;
      }
      return count;
    }
  }

  private static final long END_OF_FILE = -1;

  /** Reads the next row's cells and returns the line it starts on, or {@link #END_OF_FILE}. */
  private static long nextRow(CsvParser parser, List<String> cells, RowBuilder rows) throws IOException {
    cells.clear();
    try {
      JsonToken token = parser.nextToken();
      while (token != null && token != JsonToken.START_ARRAY) {
        token = parser.nextToken();
      }
      if (token == null) {
        return END_OF_FILE;
      }
      // The row's first value knows its line; the array start reports the previous row's.
      long line = 0;
      while ((token = parser.nextToken()) != JsonToken.END_ARRAY && token != null) {
        if (cells.isEmpty()) {
          line = parser.currentTokenLocation().getLineNr();
        }
        cells.add(parser.getText());
      }
      return line;
    } catch (JsonProcessingException e) {
      throw new IOException(rows.file + ": line " + e.getLocation().getLineNr() + ": not valid CSV: " + e.getOriginalMessage(), e);
    }
  }

  private static long readJsonLines(BufferedReader reader, DatasetMapping mapping, RowBuilder rows, long limit,
      Consumer<Transaction> sink) throws IOException {
    long line = 0;
    long count = 0;
    for (String text; count < limit && (text = reader.readLine()) != null; ) {
      line++;
      if (text.isBlank()) {
        continue;
      }
      JsonNode node;
      try {
        node = JSON.readTree(text);
      } catch (JsonProcessingException e) {
        throw new IOException(rows.file + ": line " + line + ": not valid JSON: " + e.getOriginalMessage(), e);
      }
      if (!node.isObject()) {
        throw new IOException(rows.file + ": line " + line + ": expected a JSON object, got " + node.getNodeType());
      }
      sink.accept(rows.build(line, field -> {
        JsonNode value = node.get(mapping.columns().get(field));
        return value == null || value.isNull() ? null : value.asText();
      }));
      count++;
    }
    return count;
  }

  /** A cell that cannot be used, with the field it was meant for. */
  private static final class CellException extends RuntimeException {
    final Field field;

    CellException(Field field, String message) {
      super(message);
      this.field = field;
    }
  }

  /** Turns the cells of one row into a payment, interning the identifiers that repeat. */
  private static final class RowBuilder {
    private final Path file;
    private final DatasetMapping mapping;
    /** One String per distinct user, merchant and category, not one per row. */
    private final Map<String, String> repeated = new HashMap<>();
    private final Map<String, String> kinds;
    private long record;

    RowBuilder(Path file, DatasetMapping mapping, Map<String, String> kinds) {
      this.file = file;
      this.mapping = mapping;
      this.kinds = kinds;
    }

    Map<Field, Integer> positionsFromHeader(List<String> cells) throws IOException {
      // Names are matched without surrounding quotes of the other kind: BankSim quotes its
      // values with ' but its header with ".
      List<String> header = cells.stream().map(RowBuilder::unquoted).toList();
      Map<Field, Integer> positions = new EnumMap<>(Field.class);
      List<String> missing = new ArrayList<>();
      for (Map.Entry<Field, String> column : mapping.columns().entrySet()) {
        if (column.getValue().equals(DatasetMapping.ROW)) {
          continue;
        }
        int index = header.indexOf(column.getValue());
        if (index < 0 && column.getKey() == Field.CHALLENGE) {
          continue;
        }
        if (index < 0) {
          missing.add("'" + column.getValue() + "' (" + column.getKey().key() + ")");
        }
        positions.put(column.getKey(), index);
      }
      if (!missing.isEmpty()) {
        throw new IOException(file + ": line 1: the mapping '" + mapping.name() + "' reads columns " + String.join(", ", missing)
            + " that the header lacks; the header has " + header);
      }
      return positions;
    }

    private static String unquoted(String name) {
      String trimmed = name.trim();
      boolean quoted = trimmed.length() >= 2 && (trimmed.charAt(0) == '"' || trimmed.charAt(0) == '\'')
          && trimmed.charAt(trimmed.length() - 1) == trimmed.charAt(0);
      return quoted ? trimmed.substring(1, trimmed.length() - 1) : trimmed;
    }

    Map<Field, Integer> positionsFromNumbers() throws IOException {
      Map<Field, Integer> positions = new EnumMap<>(Field.class);
      for (Map.Entry<Field, String> column : mapping.columns().entrySet()) {
        if (column.getValue().equals(DatasetMapping.ROW)) {
          continue;
        }
        try {
          int number = Integer.parseInt(column.getValue());
          if (number < 1) {
            throw new NumberFormatException();
          }
          positions.put(column.getKey(), number - 1);
        } catch (NumberFormatException e) {
          throw new IOException("mapping '" + mapping.name() + "': without a header, columns are numbers from 1; "
              + column.getKey().key() + " is '" + column.getValue() + "'");
        }
      }
      return positions;
    }

    Transaction build(long line, Function<Field, String> cell) throws IOException {
      record++;
      try {
        String id = mapping.columns().get(Field.ID).equals(DatasetMapping.ROW) ? Long.toString(record) : required(cell, Field.ID);
        String user = mapping.columns().get(Field.USER).equals(DatasetMapping.ROW) ? "row-" + record : repeat(required(cell, Field.USER));
        Instant time = parse(Field.TIME, required(cell, Field.TIME), mapping.time(),
            "a time in the format '" + mapping.timeFormat() + "'");
        double amount = parse(Field.AMOUNT, required(cell, Field.AMOUNT), Double::parseDouble, "a number");
        Transaction.Builder builder = new Transaction.Builder(id, time, user, amount)
            .currency(repeat(optional(cell, Field.CURRENCY)))
            .merchant(repeat(optional(cell, Field.MERCHANT)))
            .category(repeat(optional(cell, Field.CATEGORY)))
            .channel(repeat(optional(cell, Field.CHANNEL)))
            .counterparty(optional(cell, Field.COUNTERPARTY))
            .device(optional(cell, Field.DEVICE))
            .ip(optional(cell, Field.IP))
            .country(repeat(optional(cell, Field.COUNTRY)));
        String lat = optional(cell, Field.LAT);
        String lon = optional(cell, Field.LON);
        if (lat != null || lon != null) {
          builder.location(lat == null ? null : parse(Field.LAT, lat, Double::valueOf, "a latitude"),
              lon == null ? null : parse(Field.LON, lon, Double::valueOf, "a longitude"));
        }
        String label = optional(cell, Field.LABEL);
        if (label != null) {
          builder.label(label(label));
        }
        String challenge = optional(cell, Field.CHALLENGE);
        if (challenge != null) {
          builder.challenge(parse(Field.CHALLENGE, challenge, ChallengeResult.Outcome::parse, "passed, failed, abandoned or nothing"));
        }
        Transaction tx = builder.build();
        String kind = optional(cell, Field.FRAUD_TYPE);
        if (kind != null && Boolean.TRUE.equals(tx.label())) {
          kinds.put(id, repeat(kind.trim()));
        }
        return tx;
      } catch (CellException e) {
        throw new IOException(file + ": line " + line + ", column '" + mapping.columns().get(e.field) + "' (" + e.field.key()
            + "): " + e.getMessage(), e);
      } catch (IllegalArgumentException e) {
        throw new IOException(file + ": line " + line + ": " + e.getMessage(), e);
      }
    }

    private String required(Function<Field, String> cell, Field field) {
      String value = cell.apply(field);
      if (value == null || value.isBlank()) {
        throw new CellException(field, "expected a value, the cell is empty");
      }
      return value;
    }

    private String optional(Function<Field, String> cell, Field field) {
      if (!mapping.columns().containsKey(field)) {
        return null;
      }
      String value = cell.apply(field);
      return value == null || value.isBlank() ? null : value;
    }

    private static <T> T parse(Field field, String text, Function<String, T> parser, String expected) {
      try {
        return parser.apply(text.trim());
      } catch (RuntimeException e) {
        throw new CellException(field, "expected " + expected + ", got \"" + text + "\"");
      }
    }

    private boolean label(String value) {
      String normalised = value.trim().toLowerCase(Locale.ROOT);
      if (mapping.fraudValues().contains(normalised)) {
        return true;
      }
      if (mapping.legitValues().contains(normalised)) {
        return false;
      }
      throw new CellException(Field.LABEL, "expected one of " + mapping.fraudValues() + " (fraud) or "
          + mapping.legitValues() + " (legitimate), got \"" + value + "\"");
    }

    private String repeat(String value) {
      return value == null ? null : repeated.computeIfAbsent(value, Function.identity());
    }
  }
}
