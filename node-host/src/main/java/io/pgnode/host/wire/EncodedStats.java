package io.pgnode.host.wire;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.ByteOutput;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.ExtensionRegistryLite;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import com.google.protobuf.WireFormat;
import io.pgnode.proto.StatResponse;
import io.pgnode.spi.Stat;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.Consumer;

/**
 * A StatResponse already in its wire form. A stats answer for 100,000 users holds 200,000 stats; built as
 * messages they stay on the heap until the transport has written them (about 30 MB, promoted to the old
 * generation by any collection in between, which then needs a full collection of its own: most of a poll's
 * time went there). Encoded one stat at a time as the backend hands them over, each message is garbage at
 * once and the answer is its bytes, about 10 MB, in chunks that are never copied into one array.
 */
public final class EncodedStats {

    private static final int NAME = io.pgnode.proto.Stat.NAME_FIELD_NUMBER;
    private static final int TYPE = io.pgnode.proto.Stat.TYPE_FIELD_NUMBER;
    private static final int LINK = io.pgnode.proto.Stat.LINK_FIELD_NUMBER;
    private static final int VALUE = io.pgnode.proto.Stat.VALUE_FIELD_NUMBER;

    /** The type and link of nearly every stat, encoded once rather than twice per stat. */
    private static final ByteString UPLINK_BYTES = ByteString.copyFromUtf8(Stat.UPLINK);
    private static final ByteString DOWNLINK_BYTES = ByteString.copyFromUtf8(Stat.DOWNLINK);
    private static final ByteString TRAFFIC_BYTES = ByteString.copyFromUtf8(Stat.TRAFFIC);

    private final ByteString bytes;

    private EncodedStats(ByteString bytes) {
        this.bytes = requireNonNull(bytes, "bytes is null");
    }

    /** Collects the stats a backend hands to {@link #sink()} into one answer. */
    public static final class Writer {

        private final ByteString.Output output = ByteString.newOutput(64 * 1024);
        private final CodedOutputStream coded = CodedOutputStream.newInstance(output, 64 * 1024);

        /** Where the backend puts its stats; each one is encoded right away. */
        public Consumer<Stat> sink() {
            return this::write;
        }

        /**
         * Writes one Stat field straight from the SPI's value, the bytes {@code WireMapping.stat(stat)} would
         * serialize to (proto3: empty strings and a zero value are left out): a message and its builder per stat
         * were most of what a 200,000-stat poll allocated.
         */
        private void write(Stat stat) {
            int size = stringSize(NAME, stat.name()) + wordSize(TYPE, stat.type()) + wordSize(LINK, stat.link())
                    + (stat.value() == 0 ? 0 : CodedOutputStream.computeInt64Size(VALUE, stat.value()));
            try {
                coded.writeTag(StatResponse.STATS_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                coded.writeUInt32NoTag(size);
                writeString(NAME, stat.name());
                writeWord(TYPE, stat.type());
                writeWord(LINK, stat.link());
                if (stat.value() != 0) {
                    coded.writeInt64(VALUE, stat.value());
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot happen: the output is in memory", e);
            }
        }

        private void writeString(int field, String value) throws IOException {
            if (!value.isEmpty()) {
                coded.writeString(field, value);
            }
        }

        /** A type or link: the usual ones go out as the bytes encoded once (a length and the UTF-8, as a string). */
        private void writeWord(int field, String value) throws IOException {
            ByteString known = knownWord(value);
            if (known != null) {
                coded.writeBytes(field, known);
            } else {
                writeString(field, value);
            }
        }

        private static int stringSize(int field, String value) {
            return value.isEmpty() ? 0 : CodedOutputStream.computeStringSize(field, value);
        }

        /** The encoded word, or null; equals() first compares identity, which the SPI's constants pass. */
        private static ByteString knownWord(String value) {
            return value.equals(Stat.UPLINK) ? UPLINK_BYTES : value.equals(Stat.DOWNLINK) ? DOWNLINK_BYTES
                    : value.equals(Stat.TRAFFIC) ? TRAFFIC_BYTES : null;
        }

        private static int wordSize(int field, String value) {
            ByteString known = knownWord(value);
            return known != null ? CodedOutputStream.computeBytesSize(field, known) : stringSize(field, value);
        }

        public EncodedStats finish() {
            try {
                coded.flush();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot happen: the output is in memory", e);
            }
            return new EncodedStats(output.toByteString());
        }
    }

    /** The answer of {@code producer}, which hands its stats to the sink it is given, encoded as they come. */
    public static EncodedStats collect(Consumer<Consumer<Stat>> producer) {
        Writer writer = new Writer();
        producer.accept(writer.sink());
        return writer.finish();
    }

    /** An answer from bytes someone else encoded (a client reading one). */
    public static EncodedStats of(ByteString bytes) {
        return new EncodedStats(bytes);
    }

    /** The StatResponse's bytes, as they go on the wire. */
    public ByteString bytes() {
        return bytes;
    }

    /** How many bytes {@link #writeTo} writes. */
    public int size() {
        return bytes.size();
    }

    /**
     * Writes the bytes, chunk by chunk, without copying them first ({@code ByteString.writeTo(OutputStream)}
     * copies every chunk in case the stream keeps or changes the array; the transports' streams do neither).
     */
    public void writeTo(OutputStream out) throws IOException {
        UnsafeByteOperations.unsafeWriteTo(bytes, new ByteOutput() {
            @Override
            public void write(byte value) throws IOException {
                out.write(value);
            }

            @Override
            public void write(byte[] value, int offset, int length) throws IOException {
                out.write(value, offset, length);
            }

            @Override
            public void writeLazy(byte[] value, int offset, int length) throws IOException {
                out.write(value, offset, length);
            }

            @Override
            public void write(ByteBuffer value) throws IOException {
                byte[] copy = new byte[value.remaining()];
                value.get(copy);
                out.write(copy);
            }

            @Override
            public void writeLazy(ByteBuffer value) throws IOException {
                write(value);
            }
        });
    }

    /**
     * The stats of the answer, parsed from its bytes one at a time as the iteration goes (for giving back an
     * answer that did not reach the panel: a second copy of 200,000 stats is never held).
     */
    public Iterable<Stat> stats() {
        return () -> new Iterator<>() {
            private final CodedInputStream in = bytes.newCodedInput();
            private Stat next = advance();

            private Stat advance() {
                try {
                    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                        if (WireFormat.getTagFieldNumber(tag) != StatResponse.STATS_FIELD_NUMBER) {
                            in.skipField(tag);
                            continue;
                        }
                        io.pgnode.proto.Stat stat = in.readMessage(io.pgnode.proto.Stat.parser(),
                                ExtensionRegistryLite.getEmptyRegistry());
                        return new Stat(stat.getName(), stat.getType(), stat.getLink(), stat.getValue());
                    }
                    return null;
                } catch (IOException e) {
                    throw new IllegalStateException("an encoded StatResponse does not parse", e);
                }
            }

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public Stat next() {
                if (next == null) {
                    throw new NoSuchElementException();
                }
                Stat current = next;
                next = advance();
                return current;
            }
        };
    }

    /** The answer as a message, for whoever needs one (tests, a small answer); parses the bytes. */
    public StatResponse toMessage() {
        try {
            return StatResponse.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("an encoded StatResponse does not parse", e);
        }
    }
}
