package io.pgnode.host.rest;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.pgnode.host.error.ErrorCode;
import io.pgnode.host.error.NodeException;
import io.pgnode.proto.Empty;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RequestTooBigException;
import io.undertow.util.Headers;
import java.io.IOException;
import java.nio.ByteBuffer;

/** Protobuf request and response bodies of the REST transport. Runs on worker threads (blocking mode). */
final class ProtobufExchange {

    static final String CONTENT_TYPE = "application/x-protobuf";

    /** 64 MiB: the largest message the node accepts, as on gRPC. */
    static final int MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

    private ProtobufExchange() {}

    /** The request body as a message; an empty body is the all-default message (what GETs often carry). */
    static <T extends Message> T read(HttpServerExchange exchange, Parser<T> parser, String messageName) {
        byte[] body = body(exchange);
        try {
            return parser.parseFrom(body);
        } catch (InvalidProtocolBufferException e) {
            throw new NodeException(ErrorCode.INVALID_PROTOBUF, "The request body is not a valid " + messageName
                    + " protobuf message (" + e.getMessage() + ").");
        }
    }

    static void send(HttpServerExchange exchange, Message message) {
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, CONTENT_TYPE);
        exchange.getResponseSender().send(ByteBuffer.wrap(message.toByteArray()));
    }

    static void sendEmpty(HttpServerExchange exchange) {
        send(exchange, Empty.getDefaultInstance());
    }

    /** Turns a failed body read into the client's error. */
    static NodeException readFailure(IOException e) {
        if (e instanceof RequestTooBigException) {
            return new NodeException(ErrorCode.BODY_TOO_LARGE,
                    "The request body is larger than the node accepts (" + MAX_MESSAGE_BYTES / (1024 * 1024) + " MiB).");
        }
        return new NodeException(ErrorCode.INVALID_PROTOBUF, "The request body could not be read: " + e.getMessage());
    }

    private static byte[] body(HttpServerExchange exchange) {
        try {
            return exchange.getInputStream().readAllBytes();
        } catch (IOException e) {
            throw readFailure(e);
        }
    }
}
