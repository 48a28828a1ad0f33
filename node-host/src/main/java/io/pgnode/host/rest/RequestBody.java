package io.pgnode.host.rest;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.Collections;
import java.util.List;

/** A request body received in full before its route runs ({@link BodyReception}): the bytes as they came. */
final class RequestBody {

    private static final AttachmentKey<RequestBody> KEY = AttachmentKey.create(RequestBody.class);
    private static final RequestBody EMPTY = new RequestBody(List.of());

    private final List<byte[]> segments;

    private RequestBody(List<byte[]> segments) {
        this.segments = List.copyOf(segments);
    }

    /** Attaches the received segments, in order, as the exchange's body. */
    static void attach(HttpServerExchange exchange, List<byte[]> segments) {
        exchange.putAttachment(KEY, new RequestBody(segments));
    }

    /** The exchange's body; empty when the request had none. */
    static RequestBody of(HttpServerExchange exchange) {
        RequestBody body = exchange.getAttachment(KEY);
        return body == null ? EMPTY : body;
    }

    /** The bytes when they are one array (a body of known length always is), else null. */
    byte[] singleArray() {
        if (segments.isEmpty()) {
            return new byte[0];
        }
        return segments.size() == 1 ? segments.get(0) : null;
    }

    /** The bytes as a stream. */
    InputStream stream() {
        return new SequenceInputStream(Collections.enumeration(
                segments.stream().map(ByteArrayInputStream::new).toList()));
    }
}
