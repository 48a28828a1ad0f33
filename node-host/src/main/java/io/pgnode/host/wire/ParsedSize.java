package io.pgnode.host.wire;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.WireFormat;
import java.io.IOException;

/**
 * What a request will cost in heap once parsed, estimated from its bytes before they are parsed. The wire limit
 * alone does not bound the heap: a panel's user costs 4 times its wire size, but bytes can be chosen to cost far
 * more (measured, protobuf-java 4.33, compressed oops): an empty user is 2 bytes on the wire and 42 in the heap,
 * a one-letter inbound tag 3 and about 54, an empty account 2 and about 40, 18 to 21 times. So a request the
 * node's {@link BodyLimit#maxParsedBytes()} does not cover is refused before a single object is made
 * ({@link ParseBudget}).
 *
 * <p>The figures lean high, so that no request costs more than its estimate: a message object 48 bytes, a
 * string 48 plus its length (twice its length when it is not all ASCII), an element of a list 8, a list 64.
 * Unknown fields cost nothing because the node parses with them dropped ({@link RequestMessages}). Measured on
 * 200,000 users each, the estimate is 1.05 to 1.35 times the heap they take; a panel's user (a numeric email,
 * four accounts, four inbounds: 249 bytes on the wire, 1,002 parsed) is estimated at 1,133, 4.5 times its wire
 * size.
 */
public final class ParsedSize {

    static final int MESSAGE_BYTES = 48;
    static final int STRING_BYTES = 48;
    static final int SLOT_BYTES = 8;
    static final int LIST_BYTES = 64;
    /** protobuf-java's own recursion limit: a deeper message does not parse, so its bytes count as one string. */
    private static final int MAX_DEPTH = 100;

    private ParsedSize() {}

    /**
     * The estimated heap of a {@code type} parsed from {@code bytes}. Bytes that are not a valid message end the
     * estimate where they stop making sense (the parser then says what is wrong).
     */
    public static long of(Descriptor type, byte[] bytes) {
        Walk walk = new Walk(bytes);
        try {
            walk.message(type, 0);
        } catch (IOException | RuntimeException e) {
            // malformed: what was counted so far stands
        }
        return walk.estimate;
    }

    /** One pass over the bytes of one request. */
    private static final class Walk {

        private final byte[] bytes;
        private final CodedInputStream in;
        long estimate;

        Walk(byte[] bytes) {
            this.bytes = bytes;
            this.in = CodedInputStream.newInstance(bytes);
        }

        void message(Descriptor type, int depth) throws IOException {
            estimate += MESSAGE_BYTES;
            boolean[] listed = new boolean[type.getFields().size()]; // by field index: a list is made once
            while (true) {
                int tag = in.readTag();
                if (tag == 0) {
                    return;
                }
                FieldDescriptor field = type.findFieldByNumber(WireFormat.getTagFieldNumber(tag));
                if (field == null) {
                    in.skipField(tag); // dropped while parsing
                    continue;
                }
                if (field.isRepeated()) {
                    if (!listed[field.getIndex()]) {
                        listed[field.getIndex()] = true;
                        estimate += LIST_BYTES;
                    }
                    estimate += SLOT_BYTES;
                }
                if (WireFormat.getTagWireType(tag) != WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                    in.skipField(tag); // a number: part of its message object (or of its list's slot)
                    continue;
                }
                int length = in.readRawVarint32();
                FieldDescriptor.JavaType kind = field.getJavaType();
                if (kind == FieldDescriptor.JavaType.MESSAGE && depth < MAX_DEPTH) {
                    int outer = in.pushLimit(length);
                    message(field.getMessageType(), depth + 1);
                    in.popLimit(outer);
                } else if (kind == FieldDescriptor.JavaType.STRING || kind == FieldDescriptor.JavaType.BYTE_STRING
                        || kind == FieldDescriptor.JavaType.MESSAGE) {
                    estimate += STRING_BYTES + textBytes(in.getTotalBytesRead(), length);
                    in.skipRawBytes(length);
                } else {
                    in.skipRawBytes(length); // packed numbers: one or more bytes each, a slot each
                    estimate += (long) length * SLOT_BYTES;
                }
            }
        }

        // UTF-8 of ASCII only becomes one byte a character, anything else at most two
        private long textBytes(int offset, int length) {
            int end = Math.min(bytes.length, offset + Math.max(0, length));
            for (int i = offset; i < end; i++) {
                if (bytes[i] < 0) {
                    return 2L * length;
                }
            }
            return length;
        }
    }
}
