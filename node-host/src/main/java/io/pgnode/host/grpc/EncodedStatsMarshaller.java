package io.pgnode.host.grpc;

import com.google.protobuf.ByteString;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.pgnode.host.wire.EncodedStats;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Sends a stats answer that is already encoded ({@link EncodedStats}): its bytes go to the transport as they
 * are, with their length known up front, the way grpc-protobuf sends a message object. Parsing reads the
 * bytes (a client using this marshaller parses the message itself).
 */
final class EncodedStatsMarshaller implements MethodDescriptor.Marshaller<EncodedStats> {

    static final EncodedStatsMarshaller INSTANCE = new EncodedStatsMarshaller();

    /** What a stream holds once its bytes went out. */
    private static final EncodedStats EMPTY = EncodedStats.of(ByteString.EMPTY);

    private EncodedStatsMarshaller() {}

    @Override
    public InputStream stream(EncodedStats stats) {
        return new BytesStream(stats);
    }

    @Override
    public EncodedStats parse(InputStream stream) {
        try {
            return EncodedStats.of(ByteString.readFrom(stream));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read an encoded message", e);
        }
    }

    /** The bytes as a stream gRPC can size and drain in one go; read byte by byte only as a fallback. */
    private static final class BytesStream extends InputStream implements KnownLength, Drainable {

        private EncodedStats remaining;
        private InputStream reader;

        BytesStream(EncodedStats stats) {
            this.remaining = stats;
        }

        @Override
        public int drainTo(OutputStream target) throws IOException {
            if (reader != null) {
                return (int) reader.transferTo(target);
            }
            int size = remaining.size();
            remaining.writeTo(target);
            remaining = EMPTY;
            return size;
        }

        @Override
        public int available() throws IOException {
            return reader != null ? reader.available() : remaining.size();
        }

        @Override
        public int read() throws IOException {
            return reader().read();
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            return reader().read(buffer, offset, length);
        }

        private InputStream reader() {
            if (reader == null) {
                reader = remaining.bytes().newInput();
                remaining = EMPTY;
            }
            return reader;
        }
    }
}
