package io.pgnode.host.rest;

import static java.util.Objects.requireNonNull;

import io.pgnode.host.auth.RequestAuthenticator;
import io.pgnode.host.error.NodeException;
import io.pgnode.host.service.NodeService;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.BlockingHandler;
import io.undertow.util.Headers;
import java.net.InetSocketAddress;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTPS listener of the REST API (Undertow). HTTP/1.1 only and no ALPN: the panel's client offers only
 * "h2" and breaks if a server picks it. Every request is authenticated, then routed, on a worker thread.
 */
public final class RestServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RestServer.class);

    /** Worker threads: each open {@code /logs} stream holds one for its life. */
    static final int WORKER_THREADS = 64;

    private final Undertow undertow;
    private final InetSocketAddress address;

    private RestServer(Undertow undertow) {
        this.undertow = undertow;
        this.address = (InetSocketAddress) undertow.getListenerInfo().get(0).getAddress();
    }

    /** Listens on {@code host:port} (0 = any free port) and serves until closed. */
    public static RestServer start(
            String host, int port, SSLContext sslContext, NodeService service, RequestAuthenticator authenticator) {
        HttpHandler routes = RestRoutes.create(service);
        HttpHandler guarded = exchange -> handle(exchange, authenticator, routes);
        Undertow undertow = Undertow.builder()
                .addHttpsListener(port, host, requireNonNull(sslContext, "sslContext is null"))
                .setServerOption(UndertowOptions.ENABLE_HTTP2, false)
                // no limit while Undertow parses a request (over it, it answers a bare 400 before any handler
                // runs): handle() sets the limit, so that the read fails and the client gets 413 BODY_TOO_LARGE
                .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, 0L)
                .setServerOption(UndertowOptions.SHUTDOWN_TIMEOUT, 5_000) // then in-flight requests are cut
                .setIoThreads(Math.max(2, Runtime.getRuntime().availableProcessors()))
                .setWorkerThreads(WORKER_THREADS)
                .setHandler(new BlockingHandler(guarded))
                .build();
        undertow.start();
        RestServer server = new RestServer(undertow);
        log.info("REST listening on https://{}:{}", host, server.port());
        return server;
    }

    /** The port it listens on (the chosen one when started with 0). */
    public int port() {
        return address.getPort();
    }

    @Override
    public void close() {
        undertow.stop();
    }

    private static void handle(HttpServerExchange exchange, RequestAuthenticator authenticator, HttpHandler routes) {
        exchange.setMaxEntitySize(ProtobufExchange.MAX_MESSAGE_BYTES);
        try {
            authenticator.authenticate(
                    exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION),
                    exchange.getRequestHeaders().getFirst(RequestAuthenticator.API_KEY_HEADER));
            routes.handleRequest(exchange);
        } catch (NodeException e) {
            RestErrors.send(exchange, e);
        } catch (Exception e) {
            RestErrors.sendUnexpected(exchange, e);
        }
    }
}
