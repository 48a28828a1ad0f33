package io.pgnode.host.rest;

import static java.util.Objects.requireNonNull;

import io.pgnode.host.auth.RequestAuthenticator;
import io.pgnode.host.error.NodeException;
import io.pgnode.host.service.NodeService;
import io.pgnode.host.service.RequestActivity;
import io.pgnode.host.tls.TlsPolicy;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import java.net.InetSocketAddress;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.Options;
import org.xnio.Sequence;

/**
 * The HTTPS listener of the REST API (Undertow). HTTP/1.1 only and no ALPN: the panel's client offers only
 * "h2" and breaks if a server picks it. TLS as {@link TlsPolicy} says.
 *
 * <p>A request goes: URL check, authentication and its body ({@link RequestBodies}) on the IO thread, then its
 * route on a worker thread. No client can hold a worker by being slow: bodies arrive before a worker is taken,
 * log streams write from the IO thread, and headers, idle connections and bodies each have a deadline.
 */
public final class RestServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RestServer.class);

    /** Worker threads: each serves one request whose body is in, for as long as the node takes to answer it. */
    static final int WORKER_THREADS = 64;

    private final Undertow undertow;
    private final InetSocketAddress address;

    private RestServer(Undertow undertow) {
        this.undertow = undertow;
        this.address = (InetSocketAddress) undertow.getListenerInfo().get(0).getAddress();
    }

    /** Listens on {@code host:port} (0 = any free port) and serves until closed. */
    public static RestServer start(String host, int port, SSLContext sslContext, NodeService service,
            RequestAuthenticator authenticator, RequestActivity activity, RestLimits limits) {
        requireNonNull(authenticator, "authenticator is null");
        requireNonNull(activity, "activity is null");
        HttpHandler routes = RestRoutes.create(service, limits.bodyLimit());
        HttpHandler route = exchange -> serve(exchange, routes);
        RequestBodies bodies = new RequestBodies(limits);
        Undertow undertow = Undertow.builder()
                .addHttpsListener(port, host, requireNonNull(sslContext, "sslContext is null"))
                .setSocketOption(Options.SSL_ENABLED_PROTOCOLS, Sequence.of(TlsPolicy.PROTOCOLS))
                .setSocketOption(Options.SSL_ENABLED_CIPHER_SUITES, Sequence.of(TlsPolicy.CIPHER_SUITES))
                .setServerOption(UndertowOptions.ENABLE_HTTP2, false)
                // no limit while Undertow parses a request (over it, it answers a bare 400 before any handler
                // runs): the node checks the length itself, and answers 413 BODY_TOO_LARGE
                .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, 0L)
                // the URL as sent, checked by RequestTarget: a malformed one is a JSON 400, not a bare one
                .setServerOption(UndertowOptions.DECODE_URL, false)
                .setServerOption(UndertowOptions.ALLOW_UNESCAPED_CHARACTERS_IN_URL, true)
                .setServerOption(UndertowOptions.REQUEST_PARSE_TIMEOUT, (int) limits.headerTimeout().toMillis())
                .setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, (int) limits.idleTimeout().toMillis())
                .setServerOption(UndertowOptions.SHUTDOWN_TIMEOUT, 5_000) // then in-flight requests are cut
                .setIoThreads(Math.max(2, Runtime.getRuntime().availableProcessors()))
                .setWorkerThreads(WORKER_THREADS)
                // heap buffers: the JDK's AES-GCM hashes a direct buffer block by block without its intrinsic
                // (GHASH.processBlocksDirect), which was a quarter of the node's CPU in a 100,000-user stats poll
                .setDirectBuffers(false)
                .setHandler(exchange -> {
                    count(exchange, activity);
                    accept(exchange, authenticator, bodies, limits.bodyLimit().maxBytes(), route);
                })
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

    /** Every exchange but a log stream is a request being served, from now until it ends however it ends. */
    private static void count(HttpServerExchange exchange, RequestActivity activity) {
        if (exchange.getRequestMethod().equals(Methods.GET) && LogStreamRoute.PATH.equals(exchange.getRequestPath())) {
            return;
        }
        Runnable end = activity.begin();
        exchange.addExchangeCompleteListener((done, next) -> {
            end.run();
            next.proceed();
        });
    }

    /** On the IO thread: what can be decided before the body is read. */
    private static void accept(HttpServerExchange exchange, RequestAuthenticator authenticator, RequestBodies bodies,
            long maxBodyBytes, HttpHandler route) {
        exchange.setMaxEntitySize(maxBodyBytes);
        try {
            RequestTarget.check(exchange);
            authenticator.authenticate(
                    exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION),
                    exchange.getRequestHeaders().getFirst(RequestAuthenticator.API_KEY_HEADER));
            bodies.receiveThen(exchange, route);
        } catch (NodeException e) {
            bodies.closeIfUnread(exchange);
            RestErrors.send(exchange, e);
        } catch (RuntimeException e) {
            bodies.closeIfUnread(exchange);
            RestErrors.sendUnexpected(exchange, e);
        }
    }

    /** On a worker thread, with the body in. */
    private static void serve(HttpServerExchange exchange, HttpHandler routes) {
        try {
            routes.handleRequest(exchange);
        } catch (NodeException e) {
            RestErrors.send(exchange, e);
        } catch (Exception e) {
            RestErrors.sendUnexpected(exchange, e);
        }
    }
}
