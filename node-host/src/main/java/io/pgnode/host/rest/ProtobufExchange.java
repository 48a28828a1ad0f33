package io.pgnode.host.rest;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.pgnode.host.error.ErrorCode;
import io.pgnode.host.error.NodeException;
import io.pgnode.host.wire.BodyLimit;
import io.pgnode.host.wire.EncodedStats;
import io.pgnode.host.wire.EncodedUsers;
import io.pgnode.host.wire.ParseBudget;
import io.pgnode.host.wire.RequestMessages;
import io.pgnode.proto.Empty;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.io.IOException;
import java.io.OutputStream;

/** Protobuf request and response bodies of the REST transport. Runs on worker threads. */
final class ProtobufExchange {

    static final String CONTENT_TYPE = "application/x-protobuf";

    private ProtobufExchange() {}

    /**
     * The request body (received before the route ran, {@link RequestBodies}) as a message; an empty body is
     * the all-default message (what GETs often carry). A body that would take more than the limit once parsed is
     * 413 {@code BODY_TOO_LARGE}, and nothing of it is parsed.
     */
    static <T extends Message> T read(HttpServerExchange exchange, RequestMessages<T> messages, BodyLimit limit) {
        try {
            return messages.parse(RequestBody.of(exchange).bytes(), new ParseBudget(limit, BodyReception.WHAT));
        } catch (InvalidProtocolBufferException e) {
            throw notValid(messages.messageName(), e);
        }
    }

    /** A full sync's body kept as its bytes and read one user at a time (see {@link EncodedUsers}), within the limit. */
    static EncodedUsers readUsers(HttpServerExchange exchange, BodyLimit limit) {
        try {
            return EncodedUsers.of(RequestBody.of(exchange).bytes(), new ParseBudget(limit, BodyReception.WHAT));
        } catch (InvalidProtocolBufferException e) {
            throw notValid("Users", e);
        }
    }

    private static NodeException notValid(String messageName, InvalidProtocolBufferException e) {
        return new NodeException(ErrorCode.INVALID_PROTOBUF, "The request body is not a valid " + messageName
                + " protobuf message (" + e.getMessage() + ").");
    }

    /** Writes the message straight into the response (a stats answer of 100,000 users is ~10 MB). */
    static void send(HttpServerExchange exchange, Message message) {
        send(exchange, message.getSerializedSize(), message::writeTo);
    }

    /**
     * Writes a stats answer that is already encoded.
     *
     * @return false when the client went away before the answer was written: it did not get it. (True only
     *     means the bytes were handed to the connection; a client that drops them after that is not seen.)
     */
    static boolean send(HttpServerExchange exchange, EncodedStats stats) {
        return send(exchange, stats.size(), stats::writeTo);
    }

    private interface BodyWriter {
        void writeTo(OutputStream out) throws IOException;
    }

    private static boolean send(HttpServerExchange exchange, long length, BodyWriter body) {
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, CONTENT_TYPE);
        exchange.setResponseContentLength(length);
        exchange.startBlocking();
        try (OutputStream out = exchange.getOutputStream()) {
            body.writeTo(out);
            return true;
        } catch (IOException e) {
            // the client went away mid-answer: nobody is left to tell
            exchange.endExchange();
            return false;
        }
    }

    static void sendEmpty(HttpServerExchange exchange) {
        send(exchange, Empty.getDefaultInstance());
    }
}
