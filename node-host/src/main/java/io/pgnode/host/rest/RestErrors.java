package io.pgnode.host.rest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgnode.host.error.ErrorCode;
import io.pgnode.host.error.ErrorKind;
import io.pgnode.host.error.NodeException;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The REST side of error mapping: status code and the JSON body {@code {"error": ..., "code": ...}}. */
final class RestErrors {

    private static final Logger log = LoggerFactory.getLogger(RestErrors.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private RestErrors() {}

    static int status(ErrorKind kind) {
        return switch (kind) {
            case BAD_REQUEST -> 400;
            case UNAUTHENTICATED -> 401;
            case NOT_FOUND -> 404;
            case METHOD_NOT_ALLOWED -> 405;
            case TOO_LARGE -> 413;
            case TIMED_OUT -> 408;
            case BUSY -> 503;
            case UNSUPPORTED -> 501;
            case NOT_STARTED -> 503;
            case BACKEND_FAILURE, INTERNAL -> 500;
        };
    }

    /** Answers with the error, or drops the connection when the answer had already begun (a log stream). */
    static void send(HttpServerExchange exchange, NodeException error) {
        if (exchange.isResponseStarted()) {
            log.debug("Cannot report {} on {}: the response has begun", error.code(), exchange.getRequestPath());
            closeQuietly(exchange);
            return;
        }
        ObjectNode body = JSON.createObjectNode()
                .put("error", error.getMessage())
                .put("code", error.code().name());
        exchange.setStatusCode(status(error.kind()));
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        exchange.getResponseSender().send(ByteBuffer.wrap(body.toString().getBytes(StandardCharsets.UTF_8)));
    }

    /** Answers 500 for a failure nobody expected; the stack goes to the log, not to the client. */
    static void sendUnexpected(HttpServerExchange exchange, Exception failure) {
        log.error("{} {} failed", exchange.getRequestMethod(), exchange.getRequestPath(), failure);
        send(exchange, new NodeException(ErrorCode.INTERNAL,
                "The node failed to answer this request; its log has the details."));
    }

    private static void closeQuietly(HttpServerExchange exchange) {
        try {
            exchange.getConnection().close();
        } catch (IOException e) {
            log.debug("Closing the connection failed", e);
        }
    }
}
