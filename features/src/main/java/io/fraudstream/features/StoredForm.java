package io.fraudstream.features;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.Function;
import java.util.function.ObjDoubleConsumer;
import java.util.function.ObjLongConsumer;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * The stored form of a state ({@link UserState}, {@link EntityState}) as one ordered list of its
 * parts. Clearing, sizing, writing and reading all walk the same list, so a part added to the
 * state is added in one place and cannot be written without being read. The golden files of
 * {@code StoredFormatsTest} pin the order: changing it is a new format version.
 *
 * @param <S> the state
 */
final class StoredForm<S> {

  /** A fixed-size structure of a state that stores itself: windows, statistics, histograms, sets. */
  interface Part {
    void clear();

    int serializedSize();

    void write(ByteBuffer out);

    void read(ByteBuffer in);
  }

  /** One part of a state: how to clear, size, write and read it on a given state. */
  interface Field<S> {
    void clear(S state);

    int size(S state);

    void write(S state, ByteBuffer out);

    void read(S state, ByteBuffer in);
  }

  private final byte version;
  private final String name;
  private final boolean exact;
  private final List<Field<S>> fields;
  /** An earlier version this form still reads, and how many of its first fields that version had; -1 for none. */
  private final byte earlierVersion;
  private final int earlierFields;

  private StoredForm(byte version, String name, boolean exact, List<Field<S>> fields, byte earlierVersion, int earlierFields) {
    this.version = version;
    this.name = name;
    this.exact = exact;
    this.fields = fields;
    this.earlierVersion = earlierVersion;
    this.earlierFields = earlierFields;
  }

  /** A form of {@code version}, for error messages called {@code name}, of these fields in this order. */
  @SafeVarargs
  static <S> StoredForm<S> of(int version, String name, Field<S>... fields) {
    return new StoredForm<>((byte) version, name, true, List.of(fields), (byte) -1, 0);
  }

  /**
   * The same form, also reading {@code version}, whose fields were the first {@code fields} of
   * this one: a state written before fields were added at the end is read with those fields
   * cleared, as if they had never had anything to remember. What is written is always this version.
   */
  StoredForm<S> readingEarlier(int version, int fields) {
    if (fields <= 0 || fields >= this.fields.size()) {
      throw new IllegalArgumentException("an earlier form must have some, not all, of the fields");
    }
    return new StoredForm<>(this.version, name, exact, this.fields, (byte) version, fields);
  }

  /**
   * The same form, read without refusing bytes after its last field: the entity state's format 1
   * was read so from the start, and stays so.
   */
  StoredForm<S> ignoringTrailingBytes() {
    return new StoredForm<>(version, name, false, fields, earlierVersion, earlierFields);
  }

  /** A structure that stores itself. */
  static <S> Field<S> part(Function<S, Part> part) {
    return new Field<>() {
      @Override
      public void clear(S state) {
        part.apply(state).clear();
      }

      @Override
      public int size(S state) {
        return part.apply(state).serializedSize();
      }

      @Override
      public void write(S state, ByteBuffer out) {
        part.apply(state).write(out);
      }

      @Override
      public void read(S state, ByteBuffer in) {
        part.apply(state).read(in);
      }
    };
  }

  /** A long field, cleared to {@code cleared}. */
  static <S> Field<S> longField(ToLongFunction<S> get, ObjLongConsumer<S> set, long cleared) {
    return new Field<>() {
      @Override
      public void clear(S state) {
        set.accept(state, cleared);
      }

      @Override
      public int size(S state) {
        return Long.BYTES;
      }

      @Override
      public void write(S state, ByteBuffer out) {
        out.putLong(get.applyAsLong(state));
      }

      @Override
      public void read(S state, ByteBuffer in) {
        set.accept(state, in.getLong());
      }
    };
  }

  /** A double field, cleared to {@code cleared}. */
  static <S> Field<S> doubleField(ToDoubleFunction<S> get, ObjDoubleConsumer<S> set, double cleared) {
    return new Field<>() {
      @Override
      public void clear(S state) {
        set.accept(state, cleared);
      }

      @Override
      public int size(S state) {
        return Double.BYTES;
      }

      @Override
      public void write(S state, ByteBuffer out) {
        out.putDouble(get.applyAsDouble(state));
      }

      @Override
      public void read(S state, ByteBuffer in) {
        set.accept(state, in.getDouble());
      }
    };
  }

  void clear(S state) {
    for (Field<S> field : fields) {
      field.clear(state);
    }
  }

  byte[] write(S state) {
    int size = 1;
    for (Field<S> field : fields) {
      size += field.size(state);
    }
    ByteBuffer out = ByteBuffer.allocate(size);
    out.put(version);
    for (Field<S> field : fields) {
      field.write(state, out);
    }
    return out.array();
  }

  /** Reads {@code data} into {@code state}, refusing another version, a short form or trailing bytes. */
  S read(byte[] data, S state) {
    ByteBuffer in = ByteBuffer.wrap(data);
    try {
      byte found = in.get();
      if (found != version && (earlierVersion < 0 || found != earlierVersion)) {
        throw new IllegalArgumentException("unsupported " + name + " format " + found + ", expected " + version
            + (earlierVersion < 0 ? "" : " or " + earlierVersion));
      }
      int present = found == version ? fields.size() : earlierFields;
      for (int i = 0; i < fields.size(); i++) {
        if (i < present) {
          fields.get(i).read(state, in);
        } else {
          fields.get(i).clear(state);
        }
      }
    } catch (BufferUnderflowException e) {
      throw new IllegalArgumentException("corrupt " + name + ": " + data.length + " bytes is too short", e);
    }
    if (exact && in.hasRemaining()) {
      throw new IllegalArgumentException("corrupt " + name + ": " + in.remaining() + " unexpected trailing bytes");
    }
    return state;
  }

  byte version() {
    return version;
  }

  StoredFormat format() {
    return new StoredFormat(name, version, earlierVersion < 0 ? List.of((int) version) : List.of((int) earlierVersion, (int) version));
  }
}
