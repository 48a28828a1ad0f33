package io.pgnode.host.grpc;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.grpc.KnownLength;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.StatusRuntimeException;
import io.pgnode.host.error.ErrorCode;
import io.pgnode.host.error.NodeException;
import io.pgnode.host.wire.BodyLimit;
import java.io.IOException;
import java.io.InputStream;

/**
 * Serves each method with a request marshaller that hands the call the message's bytes, and parses them inside
 * the call. grpc-java parses a request before any interceptor or service code runs, and a request it cannot
 * parse ends the call as UNKNOWN "Application error processing RPC" with a SEVERE stack trace in the log, per
 * call. Parsed here, garbage is INVALID_ARGUMENT {@code INVALID_PROTOBUF} and a message over the node's limit
 * RESOURCE_EXHAUSTED {@code BODY_TOO_LARGE}, each with the {@code error-code} trailer; nothing is logged (it is
 * the client's mistake, and the client is told).
 *
 * <p>The method names, the response marshallers and the bytes on the wire stay as they were.
 */
final class RequestParsing {

    private RequestParsing() {}

    /** The service with every method parsing its own requests, each of at most {@code maxMessageBytes}. */
    static ServerServiceDefinition insideCalls(ServerServiceDefinition service, long maxMessageBytes) {
        ServerServiceDefinition.Builder parsing =
                ServerServiceDefinition.builder(service.getServiceDescriptor().getName());
        for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
            parsing.addMethod(insideCalls(method, maxMessageBytes));
        }
        return parsing.build();
    }

    private static <Q, R> ServerMethodDefinition<InputStream, R> insideCalls(
            ServerMethodDefinition<Q, R> method, long maxMessageBytes) {
        MethodDescriptor<Q, R> typed = method.getMethodDescriptor();
        RequestParser<Q> parser = RequestParser.of(typed, maxMessageBytes);
        MethodDescriptor<InputStream, R> raw =
                typed.toBuilder(BytesMarshaller.INSTANCE, typed.getResponseMarshaller()).build();
        ServerCallHandler<Q, R> handler = method.getServerCallHandler();
        return ServerMethodDefinition.create(raw, (call, headers) -> parsing(call, headers, typed, parser, handler));
    }

    private static <Q, R> ServerCall.Listener<InputStream> parsing(ServerCall<InputStream, R> call, Metadata headers,
            MethodDescriptor<Q, R> typed, RequestParser<Q> parser, ServerCallHandler<Q, R> handler) {
        ServerCall.Listener<Q> next = handler.startCall(new TypedServerCall<>(call, typed), headers);
        return new ParsingListener<>(call, parser, next);
    }

    /** Hands the message's stream over as it is; it is read before the listener returns (then gRPC frees it). */
    private enum BytesMarshaller implements MethodDescriptor.Marshaller<InputStream> {
        INSTANCE;

        @Override
        public InputStream stream(InputStream value) {
            return value;
        }

        @Override
        public InputStream parse(InputStream stream) {
            return stream;
        }
    }

    /**
     * A request marshaller whose messages the call takes as decoded from their wire bytes by the marshaller itself
     * (not a protobuf message object: see {@link EncodedUsersMarshaller}).
     */
    interface WireBytesMarshaller<Q> extends MethodDescriptor.Marshaller<Q> {

        /** The message's protobuf name, for errors. */
        String messageName();

        /** The message in {@code bytes}, which it may keep. */
        Q decode(byte[] bytes) throws InvalidProtocolBufferException;
    }

    /** Reads one request message: from a stream of known length, or from the bytes of a compressed one. */
    private interface Decoder<Q> {
        Q fromStream(InputStream message) throws IOException;

        Q fromBytes(byte[] bytes) throws InvalidProtocolBufferException;
    }

    /** Parses one request message with its protobuf parser (or its {@link WireBytesMarshaller}), within the size limit. */
    private record RequestParser<Q>(Decoder<Q> decoder, String messageName, long maxBytes) {

        @SuppressWarnings("unchecked")
        static <Q> RequestParser<Q> of(MethodDescriptor<Q, ?> method, long maxBytes) {
            if (method.getRequestMarshaller() instanceof WireBytesMarshaller<Q> wire) {
                return new RequestParser<>(new Decoder<>() {
                    @Override
                    public Q fromStream(InputStream message) throws IOException {
                        return wire.decode(message.readAllBytes());
                    }

                    @Override
                    public Q fromBytes(byte[] bytes) throws InvalidProtocolBufferException {
                        return wire.decode(bytes);
                    }
                }, wire.messageName(), maxBytes);
            }
            if (!(method.getRequestMarshaller() instanceof MethodDescriptor.PrototypeMarshaller<Q> prototypes)
                    || !(prototypes.getMessagePrototype() instanceof Message prototype)) {
                throw new IllegalArgumentException(method.getFullMethodName() + " does not take protobuf messages");
            }
            Parser<Q> parser = (Parser<Q>) prototype.getParserForType();
            return new RequestParser<>(new Decoder<>() {
                @Override
                public Q fromStream(InputStream message) throws IOException {
                    return parser.parseFrom(message);
                }

                @Override
                public Q fromBytes(byte[] bytes) throws InvalidProtocolBufferException {
                    return parser.parseFrom(bytes);
                }
            }, prototype.getDescriptorForType().getName(), maxBytes);
        }

        Q parse(InputStream message) {
            try {
                if (message instanceof KnownLength) {
                    if (message.available() > maxBytes) {
                        throw tooLarge();
                    }
                    return decoder.fromStream(message);
                }
                // a compressed message: its size shows as it is inflated
                byte[] bytes = message.readNBytes((int) Math.min(maxBytes + 1, Integer.MAX_VALUE));
                if (bytes.length > maxBytes) {
                    throw tooLarge();
                }
                return decoder.fromBytes(bytes);
            } catch (InvalidProtocolBufferException e) {
                throw new NodeException(ErrorCode.INVALID_PROTOBUF,
                        "The request is not a valid " + messageName + " protobuf message (" + e.getMessage() + ").");
            } catch (IOException e) {
                throw new NodeException(ErrorCode.INVALID_PROTOBUF,
                        "The " + messageName + " request could not be read: " + e.getMessage());
            }
        }

        private NodeException tooLarge() {
            return BodyLimit.exceeded("The " + messageName + " message", maxBytes);
        }
    }

    /**
     * Parses each message before the call sees it. A message that does not parse ends the call with its error;
     * the call then sees nothing more of the client (no further message, no half-close), only its end.
     */
    private static final class ParsingListener<Q, R> extends ServerCall.Listener<InputStream> {

        private final ServerCall<InputStream, R> call;
        private final RequestParser<Q> parser;
        private final ServerCall.Listener<Q> next;
        private boolean refused;

        ParsingListener(ServerCall<InputStream, R> call, RequestParser<Q> parser, ServerCall.Listener<Q> next) {
            this.call = requireNonNull(call, "call is null");
            this.parser = requireNonNull(parser, "parser is null");
            this.next = requireNonNull(next, "next is null");
        }

        @Override
        public void onMessage(InputStream message) {
            if (refused) {
                return;
            }
            Q request;
            try {
                request = parser.parse(message);
            } catch (NodeException e) {
                refused = true;
                StatusRuntimeException status = GrpcErrors.toStatus(e);
                call.close(status.getStatus(), status.getTrailers());
                return;
            }
            next.onMessage(request);
        }

        @Override
        public void onHalfClose() {
            if (!refused) {
                next.onHalfClose();
            }
        }

        @Override
        public void onReady() {
            if (!refused) {
                next.onReady();
            }
        }

        @Override
        public void onCancel() {
            next.onCancel();
        }

        @Override
        public void onComplete() {
            next.onComplete();
        }
    }
}
