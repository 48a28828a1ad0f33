package io.pgnode.host.grpc;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
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
import io.pgnode.host.wire.ParseBudget;
import io.pgnode.host.wire.RequestMessages;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * Serves each method with a request marshaller that hands the call the message's bytes, and parses them inside
 * the call. grpc-java parses a request before any interceptor or service code runs, and a request it cannot
 * parse ends the call as UNKNOWN "Application error processing RPC" with a SEVERE stack trace in the log, per
 * call. Parsed here, garbage is INVALID_ARGUMENT {@code INVALID_PROTOBUF} and a message over the node's limit
 * RESOURCE_EXHAUSTED {@code BODY_TOO_LARGE}, each with the {@code error-code} trailer; nothing is logged (it is
 * the client's mistake, and the client is told). The limit is the node's {@link BodyLimit}: on the wire per
 * message, and once parsed ({@link ParseBudget}) per message, or for all messages of an upload, whose messages
 * are held until the call ends.
 *
 * <p>The method names, the response marshallers and the bytes on the wire stay as they were.
 */
final class RequestParsing {

    private RequestParsing() {}

    /**
     * The service with every method parsing its own requests within {@code limit}.
     *
     * @param uploads the methods (full names) whose request messages are all held until the call ends, and the
     *     name their errors give such an upload: their messages share one budget
     */
    static ServerServiceDefinition insideCalls(ServerServiceDefinition service, BodyLimit limit,
            Map<String, String> uploads) {
        ServerServiceDefinition.Builder parsing =
                ServerServiceDefinition.builder(service.getServiceDescriptor().getName());
        for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
            parsing.addMethod(insideCalls(method, limit,
                    uploads.get(method.getMethodDescriptor().getFullMethodName())));
        }
        return parsing.build();
    }

    private static <Q, R> ServerMethodDefinition<InputStream, R> insideCalls(
            ServerMethodDefinition<Q, R> method, BodyLimit limit, String upload) {
        MethodDescriptor<Q, R> typed = method.getMethodDescriptor();
        RequestParser<Q> parser = RequestParser.of(typed, limit, upload);
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

        /** The message in {@code bytes}, which it may keep, once {@code budget} took what it will cost. */
        Q decode(byte[] bytes, ParseBudget budget) throws InvalidProtocolBufferException;
    }

    /** Turns one request message's bytes into what the call takes, charging what it keeps parsed to the budget. */
    private interface Decoder<Q> {
        Q decode(byte[] bytes, ParseBudget budget) throws InvalidProtocolBufferException;
    }

    /**
     * Parses the request messages of one method within the limit.
     *
     * @param upload the name an upload's errors give it, or null when each message is a request of its own
     */
    private record RequestParser<Q>(Decoder<Q> decoder, String messageName, BodyLimit limit, String upload) {

        @SuppressWarnings("unchecked") // the method's prototype is a Q
        static <Q> RequestParser<Q> of(MethodDescriptor<Q, ?> method, BodyLimit limit, String upload) {
            if (method.getRequestMarshaller() instanceof WireBytesMarshaller<Q> wire) {
                return new RequestParser<>(wire::decode, wire.messageName(), limit, upload);
            }
            if (!(method.getRequestMarshaller() instanceof MethodDescriptor.PrototypeMarshaller<Q> prototypes)
                    || !(prototypes.getMessagePrototype() instanceof Message prototype)) {
                throw new IllegalArgumentException(method.getFullMethodName() + " does not take protobuf messages");
            }
            RequestMessages<? extends Message> messages = RequestMessages.of(prototype);
            return new RequestParser<>((bytes, budget) -> (Q) messages.parse(bytes, budget), messages.messageName(),
                    limit, upload);
        }

        /** The budget of a call: the upload's, or null when each message has its own. */
        ParseBudget callBudget() {
            return upload == null ? null : new ParseBudget(limit, upload);
        }

        Q parse(InputStream message, ParseBudget callBudget) {
            long maxBytes = limit.maxBytes();
            try {
                if (message instanceof KnownLength && message.available() > maxBytes) {
                    throw tooLarge();
                }
                // read whole (a compressed message shows its size only as it is inflated): the estimate needs them
                byte[] bytes = message.readNBytes((int) Math.min(maxBytes + 1, Integer.MAX_VALUE));
                if (bytes.length > maxBytes) {
                    throw tooLarge();
                }
                ParseBudget budget = callBudget != null ? callBudget : new ParseBudget(limit, what());
                return decoder.decode(bytes, budget);
            } catch (InvalidProtocolBufferException e) {
                throw new NodeException(ErrorCode.INVALID_PROTOBUF,
                        "The request is not a valid " + messageName + " protobuf message (" + e.getMessage() + ").");
            } catch (IOException e) {
                throw new NodeException(ErrorCode.INVALID_PROTOBUF,
                        "The " + messageName + " request could not be read: " + e.getMessage());
            }
        }

        private NodeException tooLarge() {
            return limit.exceeded(what());
        }

        private String what() {
            return "The " + messageName() + " message";
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
        private final ParseBudget budget;
        private boolean refused;

        ParsingListener(ServerCall<InputStream, R> call, RequestParser<Q> parser, ServerCall.Listener<Q> next) {
            this.call = requireNonNull(call, "call is null");
            this.parser = requireNonNull(parser, "parser is null");
            this.next = requireNonNull(next, "next is null");
            this.budget = parser.callBudget();
        }

        @Override
        public void onMessage(InputStream message) {
            if (refused) {
                return;
            }
            Q request;
            try {
                request = parser.parse(message, budget);
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
