package io.fraudstream.models;

import com.fasterxml.jackson.databind.SequenceWriter;
import com.fasterxml.jackson.dataformat.csv.CsvGenerator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.fraudstream.features.Feature;
import io.fraudstream.models.data.DatasetWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A training table: one CSV row per replayed payment, in event-time order, with its id, time,
 * user, label and every feature by its catalogue name; gzipped when the name ends in {@code .gz}.
 */
public final class FeatureTable {

  // Quote only what needs quoting; by default Jackson quotes every long value without looking.
  private static final CsvMapper CSV = CsvMapper.builder().enable(CsvGenerator.Feature.STRICT_CHECK_FOR_QUOTING).build();

  private FeatureTable() {}

  /** The header: the payment's columns, then the features in catalogue order. */
  public static List<String> header() {
    List<String> header = new ArrayList<>(List.of("id", "timestamp", "user", "fraud"));
    header.addAll(Feature.names());
    return header;
  }

  public static void write(Path file, List<FeatureRow> rows) throws IOException {
    try (Rows out = open(file)) {
      for (FeatureRow row : rows) {
        out.write(row);
      }
    }
  }

  /** Opens a table for rows written one at a time, with its header written. */
  public static Rows open(Path file) throws IOException {
    return new Rows(file);
  }

  /** A table being written, a row at a time, so that rows need not be held in memory. */
  public static final class Rows implements AutoCloseable {
    private final Writer out;
    private final SequenceWriter csv;
    private final String[] cells = new String[4 + Feature.count()];

    private Rows(Path file) throws IOException {
      out = DatasetWriter.open(file);
      csv = CSV.writerFor(String[].class).with(CsvSchema.emptySchema()).writeValues(out);
      csv.write(header().toArray(String[]::new));
    }

    public void write(FeatureRow row) throws IOException {
      cells[0] = row.transaction().id();
      cells[1] = row.transaction().timestamp().toString();
      cells[2] = row.transaction().user();
      cells[3] = row.transaction().label() == null ? "" : row.transaction().label().toString();
      for (int i = 0; i < Feature.count(); i++) {
        cells[4 + i] = Double.toString(row.features().get(i));
      }
      csv.write(cells);
    }

    @Override
    public void close() throws IOException {
      try (out) {
        csv.close();
      }
    }
  }
}
