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

    /** The bytes as one array: the one it came in when it has a known length, else the segments joined. */
    byte[] bytes() {
        if (segments.size() == 1) {
            return segments.get(0);
        }
        int size = 0;
        for (byte[] segment : segments) {
            size += segment.length;
        }
        byte[] joined = new byte[size];
        int at = 0;
        for (byte[] segment : segments) {
            System.arraycopy(segment, 0, joined, at, segment.length);
            at += segment.length;
        }
        return joined;
    }

    /** The bytes as a stream. */
    InputStream stream() {
        return new SequenceInputStream(Collections.enumeration(
                segments.stream().map(ByteArrayInputStream::new).toList()));
    }
}
