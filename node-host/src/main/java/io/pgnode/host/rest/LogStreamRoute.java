package io.pgnode.host.rest;

import static java.util.Objects.requireNonNull;

import io.pgnode.host.service.LogSubscription;
import io.pgnode.host.service.NodeService;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /logs}: the core's log lines as they come, one per {@code \n} and flushed each (what the panel
 * reads), or as Server-Sent Events for a client that accepts {@code text/event-stream}. The response ends
 * when the backend stops or the client goes away. Holds its worker thread for the stream's life.
 */
final class LogStreamRoute implements HttpHandler {

    static final String EVENT_STREAM = "text/event-stream";

    private static final Logger log = LoggerFactory.getLogger(LogStreamRoute.class);
    private static final Duration HEARTBEAT = Duration.ofSeconds(15);

    private final NodeService service;

    LogStreamRoute(NodeService service) {
        this.service = requireNonNull(service, "service is null");
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        boolean events = acceptsEvents(exchange);
        LogSubscription subscription = service.subscribeLogs();
        exchange.getConnection().addCloseListener(connection -> subscription.close());
        try {
            exchange.getResponseHeaders()
                    .put(Headers.CONTENT_TYPE, events ? EVENT_STREAM : "text/plain; charset=utf-8")
                    .put(Headers.CACHE_CONTROL, "no-cache")
                    .put(new HttpString("X-Accel-Buffering"), "no"); // keep reverse proxies from buffering
            OutputStream out = exchange.getOutputStream();
            out.flush(); // the headers go now, not with the first line
            stream(subscription, out, events);
        } catch (IOException e) {
            log.debug("A log reader went away: {}", e.getMessage());
        } finally {
            subscription.close();
        }
    }

    private static void stream(LogSubscription subscription, OutputStream out, boolean events)
            throws IOException, InterruptedException {
        while (!subscription.isFinished()) {
            String line = subscription.take(HEARTBEAT);
            if (line != null) {
                out.write((events ? "data: " + line + "\n\n" : line + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            } else if (events && !subscription.isFinished()) {
                // an SSE comment: keeps proxies from timing out and finds clients that left
                out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        }
    }

    private static boolean acceptsEvents(HttpServerExchange exchange) {
        String accept = exchange.getRequestHeaders().getFirst(Headers.ACCEPT);
        return accept != null && accept.toLowerCase(Locale.ROOT).contains(EVENT_STREAM);
    }
}
