package io.fraudstream.models.data;

import io.fraudstream.features.TransactionJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * How to read a dataset nobody planned for: which column holds each field of a payment, how
 * times are written, which values mean fraud. Read from a small properties file, or one of the
 * built-in presets for well-known public datasets ({@link #presets()}).
 *
 * <pre>
 * format=csv            # or jsonl (one JSON object per line; columns are its field names)
 * delimiter=,           # csv only
 * quote="               # csv only; BankSim uses '
 * header=true           # csv only; without a header, columns are numbered from 1
 * id=TRANSACTION_ID     # or @row: the record number
 * time=TX_DATETIME
 * time.format=iso       # iso | epoch-seconds | epoch-millis | seconds-since|hours-since|days-since ORIGIN | a pattern
 * time.zone=UTC         # for patterns without an offset
 * user=CUSTOMER_ID      # or @row: each payment its own user
 * amount=TX_AMOUNT
 * merchant= category= channel= counterparty= device= ip= country= currency= lat= lon=   (optional)
 * label=TX_FRAUD        # optional
 * label.fraud=1,true    # values meaning fraud; label.legit likewise
 * fraud.type=TX_FRAUD_SCENARIO   # optional: the kind of each fraud, for recall per kind in reports
 * challenge=challenge  # optional: how the payment's step-up verification ended (passed, failed, abandoned, or empty)
 * </pre>
 */
public record DatasetMapping(
    String name,
    Format format,
    char delimiter,
    char quote,
    boolean header,
    Map<Field, String> columns,
    Function<String, Instant> time,
    String timeFormat,
    Set<String> fraudValues,
    Set<String> legitValues) {

  /** Stands for the record number, for datasets without an id or a user column. */
  public static final String ROW = "@row";
  private static final String PRESET_DIRECTORY = "presets/";
  private static final List<String> PRESETS = List.of("handbook", "banksim", "paysim", "sparkov", "ulb-creditcard", "fraudstream");

  public enum Format { CSV, JSONL }

  /** The fields of a payment a column can fill; the first four are required. */
  public enum Field {
    ID, TIME, USER, AMOUNT, CURRENCY, MERCHANT, CATEGORY, CHANNEL, COUNTERPARTY, DEVICE, IP, COUNTRY, LAT, LON, LABEL,
    /** How a fraud was made: ground truth for reports (recall per kind), never part of a payment, so never a feature. */
    FRAUD_TYPE,
    /**
     * How the payment's step-up verification ended (passed, failed, abandoned; empty for none):
     * applied after the payment, as a challenge result would be. A file whose header lacks the
     * column has none, so files written before it existed still read.
     */
    CHALLENGE;

    String key() {
      return this == FRAUD_TYPE ? "fraud.type" : name().toLowerCase(Locale.ROOT);
    }
  }

  public DatasetMapping {
    columns = Collections.unmodifiableMap(new EnumMap<>(columns));
    fraudValues = Set.copyOf(fraudValues);
    legitValues = Set.copyOf(legitValues);
  }

  /** The names of the built-in presets. */
  public static List<String> presets() {
    return PRESETS;
  }

  /** A built-in preset, by name. */
  public static DatasetMapping preset(String name) {
    if (!PRESETS.contains(name)) {
      throw new IllegalArgumentException("unknown dataset format '" + name + "'; known formats: " + String.join(", ", PRESETS)
          + " (or describe your columns in a mapping file)");
    }
    try (InputStream in = DatasetMapping.class.getResourceAsStream(PRESET_DIRECTORY + name + ".properties")) {
      Properties properties = new Properties();
      properties.load(in);
      return parse(properties, name);
    } catch (IOException e) {
      throw new IllegalStateException("built-in preset " + name + " cannot be read", e);
    }
  }

  /**
   * The built-in preset whose columns the file's header has, for files given without a format.
   * The presets name different columns, so at most one fits.
   */
  public static DatasetMapping detect(Path file) throws IOException {
    List<String> fitting = new ArrayList<>();
    for (String name : PRESETS) {
      try {
        DatasetReader.read(file, preset(name), 1);
        fitting.add(name);
      } catch (IOException e) {
        if (e instanceof NoSuchFileException) {
          throw e;
        }
      }
    }
    if (fitting.size() != 1) {
      throw new IllegalArgumentException("cannot tell the format of " + file + (fitting.isEmpty() ? "" : " (it fits " + fitting + ")")
          + "; pass --format (one of " + String.join(", ", PRESETS) + ") or describe its columns in a --mapping file");
    }
    return preset(fitting.get(0));
  }

  /** Reads a mapping file, or says what in it is wrong. */
  public static DatasetMapping load(Path file) throws IOException {
    Properties properties = new Properties();
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      properties.load(in);
    }
    try {
      return parse(properties, file.toString());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("mapping file " + file + ": " + e.getMessage(), e);
    }
  }

  static DatasetMapping parse(Properties properties, String name) {
    Set<String> known = new TreeSet<>(List.of("format", "delimiter", "quote", "header", "time.format", "time.zone",
        "label.fraud", "label.legit"));
    for (Field field : Field.values()) {
      known.add(field.key());
    }
    for (String key : properties.stringPropertyNames()) {
      if (!known.contains(key)) {
        throw new IllegalArgumentException("unknown key '" + key + "'; known keys: " + known);
      }
    }
    Format format = switch (properties.getProperty("format", "csv").trim().toLowerCase(Locale.ROOT)) {
      case "csv" -> Format.CSV;
      case "jsonl", "json-lines", "ndjson" -> Format.JSONL;
      default -> throw new IllegalArgumentException("format must be csv or jsonl, got '" + properties.getProperty("format") + "'");
    };
    Map<Field, String> columns = new EnumMap<>(Field.class);
    for (Field field : Field.values()) {
      String column = properties.getProperty(field.key());
      if (column != null && !column.isBlank()) {
        columns.put(field, column.trim());
      }
    }
    columns.putIfAbsent(Field.ID, ROW);
    for (Field required : List.of(Field.TIME, Field.USER, Field.AMOUNT)) {
      if (!columns.containsKey(required)) {
        throw new IllegalArgumentException("'" + required.key() + "' is required: name the column that holds it"
            + (required == Field.USER ? " (or user=@row if the data has none)" : ""));
      }
    }
    if (columns.containsKey(Field.LAT) != columns.containsKey(Field.LON)) {
      throw new IllegalArgumentException("'lat' and 'lon' must be mapped together");
    }
    String timeFormat = properties.getProperty("time.format", "iso").trim();
    ZoneId zone;
    try {
      zone = ZoneId.of(properties.getProperty("time.zone", "UTC").trim());
    } catch (DateTimeException e) {
      throw new IllegalArgumentException("time.zone: " + e.getMessage());
    }
    return new DatasetMapping(name, format,
        single(properties, "delimiter", ','), single(properties, "quote", '"'),
        Boolean.parseBoolean(properties.getProperty("header", "true").trim()),
        columns, timeParser(timeFormat, zone), timeFormat,
        values(properties, "label.fraud", "1,1.0,true,yes"), values(properties, "label.legit", "0,0.0,false,no"));
  }

  private static char single(Properties properties, String key, char fallback) {
    String value = properties.getProperty(key);
    if (value == null || value.isEmpty()) {
      return fallback;
    }
    String unescaped = value.equals("\\t") || value.equals("tab") ? "\t" : value;
    if (unescaped.length() != 1) {
      throw new IllegalArgumentException(key + " must be a single character, got '" + value + "'");
    }
    return unescaped.charAt(0);
  }

  private static Set<String> values(Properties properties, String key, String fallback) {
    Set<String> values = new LinkedHashSet<>();
    for (String value : properties.getProperty(key, fallback).split(",")) {
      values.add(value.trim().toLowerCase(Locale.ROOT));
    }
    return values;
  }

  /** The parser of {@code time.format}: parses one cell, or throws saying what was expected. */
  static Function<String, Instant> timeParser(String format, ZoneId zone) {
    String[] parts = format.split("\\s+", 2);
    switch (parts[0]) {
      case "iso":
        return TransactionJson::parseTimestamp;
      case "epoch-seconds":
        return text -> Instant.ofEpochMilli(new BigDecimal(text.trim()).movePointRight(3).longValue());
      case "epoch-millis":
        return text -> Instant.ofEpochMilli(new BigDecimal(text.trim()).longValue());
      case "seconds-since", "hours-since", "days-since": {
        if (parts.length < 2) {
          throw new IllegalArgumentException("time.format " + parts[0] + " needs an origin, e.g. '" + parts[0] + " 2018-04-01T00:00:00Z'");
        }
        Instant origin;
        try {
          origin = Instant.parse(parts[1].trim());
        } catch (DateTimeParseException e) {
          throw new IllegalArgumentException("time.format origin must be an ISO instant like 2018-04-01T00:00:00Z, got '" + parts[1] + "'");
        }
        long unitMillis = switch (parts[0]) {
          case "seconds-since" -> 1_000L;
          case "hours-since" -> 3_600_000L;
          default -> 86_400_000L;
        };
        return text -> origin.plusMillis(Math.round(parseDecimal(text) * unitMillis));
      }
      default:
        DateTimeFormatter pattern;
        try {
          pattern = DateTimeFormatter.ofPattern(format, Locale.ROOT);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("time.format '" + format + "' is neither iso, epoch-seconds, epoch-millis, "
              + "seconds-since/hours-since/days-since ORIGIN nor a valid date-time pattern: " + e.getMessage());
        }
        return text -> LocalDateTime.parse(text.trim(), pattern).atZone(zone).toInstant();
    }
  }

  private static double parseDecimal(String text) {
    double value = Double.parseDouble(text.trim());
    if (!Double.isFinite(value)) {
      throw new NumberFormatException("not a finite number: " + text);
    }
    return value;
  }
}
