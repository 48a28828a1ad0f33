package io.pgnode.plugin.xray;

import com.google.protobuf.CodedInputStream;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The counters of one QueryStats answer, kept as the answer's own wire bytes: each counter is a name (a range
 * of those bytes) and a value. A 100,000-user answer holds 200,000 counters; parsed into messages that would be
 * 200,000 objects and 200,000 strings per poll, while a stats answer needs only the email or tag of each
 * ({@link #counterName(int)}). The wire format is {@code QueryStatsResponse} of core_stats.proto: field 1,
 * repeated {@code CoreStat} {name = 1, value = 2}; other fields are skipped.
 */
final class CoreCounters {

    /** Reads QueryStats answers straight into this form (the plugin never sends one). */
    static final MethodDescriptor.Marshaller<CoreCounters> MARSHALLER = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(CoreCounters value) {
            throw new UnsupportedOperationException("the plugin only receives QueryStats answers");
        }

        @Override
        public CoreCounters parse(InputStream stream) {
            try {
                return CoreCounters.parse(readAll(stream));
            } catch (IOException e) {
                throw Status.INTERNAL.withDescription("the core's QueryStats answer is not valid: " + e.getMessage())
                        .withCause(e).asRuntimeException();
            }
        }
    };

    private static final int STAT = 1 << 3 | 2;   // field 1, length-delimited
    private static final int NAME = 1 << 3 | 2;   // CoreStat.name
    private static final int VALUE = 2 << 3;      // CoreStat.value, varint

    private final byte[] wire;
    private final int[] nameStart;
    private final int[] nameLength;
    private final long[] values;
    private final int size;

    private CoreCounters(byte[] wire, int[] nameStart, int[] nameLength, long[] values, int size) {
        this.wire = wire;
        this.nameStart = nameStart;
        this.nameLength = nameLength;
        this.values = values;
        this.size = size;
    }

    /** Parses a serialized {@code QueryStatsResponse}. */
    static CoreCounters parse(byte[] wire) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(wire);
        int capacity = Math.max(16, count(wire)); // exact: no growing copies of 200,000 entries
        int[] starts = new int[capacity];
        int[] lengths = new int[capacity];
        long[] values = new long[capacity];
        int size = 0;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (tag != STAT) {
                in.skipField(tag);
                continue;
            }
            int limit = in.pushLimit(in.readRawVarint32());
            int start = 0;
            int length = 0;
            long value = 0;
            for (int field = in.readTag(); field != 0; field = in.readTag()) {
                if (field == NAME) {
                    length = in.readRawVarint32();
                    start = in.getTotalBytesRead();
                    in.skipRawBytes(length);
                } else if (field == VALUE) {
                    value = in.readInt64();
                } else {
                    in.skipField(field);
                }
            }
            in.popLimit(limit);
            if (size == capacity) {
                capacity *= 2;
                starts = Arrays.copyOf(starts, capacity);
                lengths = Arrays.copyOf(lengths, capacity);
                values = Arrays.copyOf(values, capacity);
            }
            starts[size] = start;
            lengths[size] = length;
            values[size] = value;
            size++;
        }
        return new CoreCounters(wire, starts, lengths, values, size);
    }

    /** How many stats the answer holds: one pass over the top-level fields, skipping each stat's bytes. */
    private static int count(byte[] wire) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(wire);
        int stats = 0;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (tag == STAT) {
                stats++;
            }
            in.skipField(tag);
        }
        return stats;
    }

    /** Reads a message stream whole: in one array of the size the stream announces (gRPC's streams know it). */
    private static byte[] readAll(InputStream stream) throws IOException {
        byte[] bytes = new byte[stream.available()];
        int read = stream.readNBytes(bytes, 0, bytes.length);
        int next = stream.read();
        if (next < 0) {
            return read == bytes.length ? bytes : Arrays.copyOf(bytes, read);
        }
        ByteArrayOutputStream all = new ByteArrayOutputStream(read + 8192);
        all.write(bytes, 0, read);
        all.write(next);
        stream.transferTo(all);
        return all.toByteArray();
    }

    int size() {
        return size;
    }

    long value(int index) {
        return values[index];
    }

    /** The counter's full name. */
    String name(int index) {
        return new String(wire, nameStart[index], nameLength[index], StandardCharsets.UTF_8);
    }

    /** The counter as a traffic counter, or null for any other counter; only the email or tag is a new string. */
    CounterName counterName(int index) {
        return CounterName.parse(wire, nameStart[index], nameLength[index]);
    }
}
