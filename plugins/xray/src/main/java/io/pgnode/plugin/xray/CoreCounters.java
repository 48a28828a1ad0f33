package io.pgnode.plugin.xray;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import io.grpc.MethodDescriptor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The counters of one QueryStats answer, kept as the answer's own wire bytes: each counter is a name (a range
 * of those bytes) and a value. A 100,000-user answer holds 200,000 counters; parsed into messages that would be
 * 200,000 objects and 200,000 strings per poll, while a stats answer needs only the email or tag of each
 * ({@link #counterName(int)}). The wire format is {@code QueryStatsResponse} of core_stats.proto: field 1,
 * repeated {@code CoreStat} {name = 1, value = 2}. Other fields of a stat are skipped; anything but stats at the
 * top, or a name that is missing or not UTF-8 (what protobuf's own parser refuses in a proto3 string), makes the
 * answer unreadable rather than silently shorter.
 *
 * <p>The bytes of a big answer (100,000 users' is ~16 MB) go into an array kept from the last one and handed back
 * by {@link #close}: a new array per read lived through the collections of the poll that read it, was promoted,
 * and every poll or two ended in a full collection (about 200 ms with 100,000 users held).
 */
final class CoreCounters implements AutoCloseable {

    /** Reads QueryStats answers straight into this form (the plugin never sends one). */
    static final MethodDescriptor.Marshaller<CoreCounters> MARSHALLER = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(CoreCounters value) {
            throw new UnsupportedOperationException("the plugin only receives QueryStats answers");
        }

        @Override
        public CoreCounters parse(InputStream stream) {
            try {
                return read(stream);
            } catch (IOException e) {
                throw new UnreadableAnswer(e);
            }
        }
    };

    /**
     * An answer that arrived but does not parse (gRPC reports it as CANCELLED "Failed to read message." with this as
     * the cause). Answers of the v2fly core arrive like that now and then under load: the node saw them, and so did
     * a client straight to the core, both on grpc-java 1.85 and Netty 4.2; which side corrupts them is not known.
     */
    static final class UnreadableAnswer extends RuntimeException {
        UnreadableAnswer(IOException cause) {
            super("the core's QueryStats answer is not valid: " + cause.getMessage(), cause);
        }
    }

    private static final int STAT = 1 << 3 | 2;   // field 1, length-delimited
    private static final int NAME = 1 << 3 | 2;   // CoreStat.name
    private static final int VALUE = 2 << 3;      // CoreStat.value, varint

    /** Answers from this size on are read into {@link #SPARE}; smaller ones into an array of their own. */
    static final int KEPT_FROM = 1 << 20;

    /** The array of the last big answer once it was closed: taken by one read at a time (getAndSet). */
    private static final AtomicReference<byte[]> SPARE = new AtomicReference<>();

    private byte[] wire;
    private final boolean kept;
    private final int[] nameStart;
    private final int[] nameLength;
    private final long[] values;
    private final int size;

    private CoreCounters(byte[] wire, boolean kept, int[] nameStart, int[] nameLength, long[] values, int size) {
        this.wire = wire;
        this.kept = kept;
        this.nameStart = nameStart;
        this.nameLength = nameLength;
        this.values = values;
        this.size = size;
    }

    /** Parses a serialized {@code QueryStatsResponse}. */
    static CoreCounters parse(byte[] wire) throws IOException {
        return parse(wire, wire.length, false);
    }

    /**
     * @param answerLength how many of the array's bytes are the answer
     * @param kept whether the array goes back to {@link #SPARE} on {@link #close}
     */
    private static CoreCounters parse(byte[] wire, int answerLength, boolean kept) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(wire, 0, answerLength);
        // exact: count() walks the same top-level fields and has refused any that is not a counter
        int counters = count(wire, answerLength);
        int[] starts = new int[counters];
        int[] lengths = new int[counters];
        long[] values = new long[counters];
        int size = 0;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
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
            if (length == 0 || !isUtf8(wire, start, length)) {
                throw new InvalidProtocolBufferException("counter " + (size + 1) + " has "
                        + (length == 0 ? "no name." : "a name that is not UTF-8."));
            }
            starts[size] = start;
            lengths[size] = length;
            values[size] = value;
            size++;
        }
        return new CoreCounters(wire, kept, starts, lengths, values, size);
    }

    /**
     * How many stats the answer holds: one pass over the top-level fields, skipping each stat's bytes. Stats are
     * all a QueryStatsResponse holds; any other field means the bytes are not the core's answer (out of step, or
     * damaged on the way), and skipping it would drop the counters it covers without a word, read with reset too.
     */
    private static int count(byte[] wire, int length) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(wire, 0, length);
        int stats = 0;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (tag != STAT) {
                throw new InvalidProtocolBufferException("field " + WireFormat.getTagFieldNumber(tag) + " (wire type "
                        + WireFormat.getTagWireType(tag) + ") after " + stats + " counters: a QueryStatsResponse holds only counters.");
            }
            stats++;
            in.skipField(tag);
        }
        return stats;
    }

    /** Whether the bytes are UTF-8: ASCII in one pass (the panel's emails are numbers), the rest by the JDK's decoder. */
    private static boolean isUtf8(byte[] bytes, int start, int length) {
        for (int i = start; i < start + length; i++) {
            if (bytes[i] < 0) {
                try {
                    StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes, i, start + length - i));
                    return true;
                } catch (CharacterCodingException e) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Reads a message stream whole: into one array of the size the stream announces (gRPC's streams know it), the
     * spare one when the answer is big and fits it.
     */
    private static CoreCounters read(InputStream stream) throws IOException {
        int announced = stream.available();
        boolean big = announced >= KEPT_FROM;
        byte[] bytes = big ? spareOf(announced) : new byte[announced];
        int read = stream.readNBytes(bytes, 0, announced);
        int next = stream.read();
        if (next < 0) {
            try {
                return parse(bytes, read, big);
            } catch (IOException | RuntimeException e) {
                if (big) {
                    giveBack(bytes);
                }
                throw e;
            }
        }
        if (big) {
            giveBack(bytes); // the stream held more than it announced: not a gRPC message; read it the long way
        }
        ByteArrayOutputStream all = new ByteArrayOutputStream(read + 8192);
        all.write(bytes, 0, read);
        all.write(next);
        stream.transferTo(all);
        return parse(all.toByteArray());
    }

    /** The spare array if it holds {@code size} bytes, else a new one with some room for a growing answer. */
    private static byte[] spareOf(int size) {
        byte[] spare = SPARE.getAndSet(null);
        return spare != null && spare.length >= size ? spare : new byte[size + size / 16];
    }

    /** Keeps the bigger of the spare and {@code bytes} for the next big answer. */
    private static void giveBack(byte[] bytes) {
        SPARE.accumulateAndGet(bytes, (spare, given) -> spare == null || given.length > spare.length ? given : spare);
    }

    /** Lets the kept array go: a stopped backend answers no more polls (16 MB with 100,000 users). */
    static void dropSpare() {
        SPARE.set(null);
    }

    /** How big the kept array is now, 0 without one. */
    static int spareBytes() {
        byte[] spare = SPARE.get();
        return spare == null ? 0 : spare.length;
    }

    /**
     * Hands a big answer's array on to the next read; the counters cannot be read after this (a read fails rather
     * than see another answer's bytes). Closing twice, or an answer of its own array, does nothing.
     */
    @Override
    public void close() {
        byte[] bytes = wire;
        wire = null;
        if (kept && bytes != null) {
            giveBack(bytes);
        }
    }

    int size() {
        return size;
    }

    long value(int index) {
        return values[index];
    }

    /** The counter's full name. */
    String name(int index) {
        return new String(open(), nameStart[index], nameLength[index], StandardCharsets.UTF_8);
    }

    /** The counter as a traffic counter, or null for any other counter; only the email or tag is a new string. */
    CounterName counterName(int index) {
        return CounterName.parse(open(), nameStart[index], nameLength[index]);
    }

    private byte[] open() {
        byte[] bytes = wire;
        if (bytes == null) {
            throw new IllegalStateException("the counters were closed: their bytes may hold another answer by now");
        }
        return bytes;
    }
}
