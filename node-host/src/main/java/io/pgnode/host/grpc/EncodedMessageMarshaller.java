package io.pgnode.host.grpc;

import com.google.protobuf.ByteString;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Sends a message that is already encoded (see {@code EncodedStats}): its bytes go to the transport as they
 * are, with their length known up front, the way grpc-protobuf sends a message object. Parsing reads the
 * bytes (clients and tests that use this marshaller parse the message themselves).
 */
final class EncodedMessageMarshaller implements MethodDescriptor.Marshaller<ByteString> {

    static final EncodedMessageMarshaller INSTANCE = new EncodedMessageMarshaller();

    private EncodedMessageMarshaller() {}

    @Override
    public InputStream stream(ByteString bytes) {
        return new BytesStream(bytes);
    }

    @Override
    public ByteString parse(InputStream stream) {
        try {
            return ByteString.readFrom(stream);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read an encoded message", e);
        }
    }

    /** The bytes as a stream gRPC can size and drain in one go; read byte by byte only as a fallback. */
    private static final class BytesStream extends InputStream implements KnownLength, Drainable {

        private ByteString remaining;
        private InputStream reader;

        BytesStream(ByteString bytes) {
            this.remaining = bytes;
        }

        @Override
        public int drainTo(OutputStream target) throws IOException {
            if (reader != null) {
                return (int) reader.transferTo(target);
            }
            int size = remaining.size();
            remaining.writeTo(target);
            remaining = ByteString.EMPTY;
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
                reader = remaining.newInput();
                remaining = ByteString.EMPTY;
            }
            return reader;
        }
    }
}
