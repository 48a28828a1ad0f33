package io.pgnode.host.rest;

import static java.util.Objects.requireNonNull;

import io.pgnode.host.service.LogSubscription;
import io.pgnode.host.service.NodeService;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.time.Duration;
import java.util.Locale;

/**
 * {@code GET /logs}: the core's log lines as they come, one per {@code \n} and flushed each (what the panel
 * reads), or as Server-Sent Events for a client that accepts {@code text/event-stream}. The response ends
 * when the backend stops or the client goes away. It holds no thread while it is open
 * ({@link LogStreamResponse}).
 */
final class LogStreamRoute implements HttpHandler {

    static final String PATH = "/logs";

    static final String EVENT_STREAM = "text/event-stream";

    /** How often an SSE stream without lines gets a comment. */
    static final Duration KEEP_ALIVE = Duration.ofSeconds(15);

    private final NodeService service;

    LogStreamRoute(NodeService service) {
        this.service = requireNonNull(service, "service is null");
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        boolean events = acceptsEvents(exchange);
        LogSubscription subscription = service.subscribeLogs();
        exchange.getResponseHeaders()
                .put(Headers.CONTENT_TYPE, events ? EVENT_STREAM : "text/plain; charset=utf-8")
                .put(Headers.CACHE_CONTROL, "no-cache")
                .put(new HttpString("X-Accel-Buffering"), "no"); // keep reverse proxies from buffering
        LogStreamResponse.start(exchange, subscription, events, KEEP_ALIVE);
    }

    private static boolean acceptsEvents(HttpServerExchange exchange) {
        String accept = exchange.getRequestHeaders().getFirst(Headers.ACCEPT);
        return accept != null && accept.toLowerCase(Locale.ROOT).contains(EVENT_STREAM);
    }
}
