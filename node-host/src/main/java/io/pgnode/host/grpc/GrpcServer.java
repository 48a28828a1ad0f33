package io.pgnode.host.grpc;

import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyServerBuilder;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.pgnode.host.auth.RequestAuthenticator;
import io.pgnode.host.service.NodeService;
import io.pgnode.host.service.RequestActivity;
import io.pgnode.host.tls.TlsMaterial;
import io.pgnode.host.tls.TlsPolicy;
import io.pgnode.host.wire.BodyLimit;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The gRPC listener (grpc-netty, TLS with the node's certificate) and its bounded call executor. */
public final class GrpcServer implements AutoCloseable {

    /**
     * grpc-java's own ceiling, just above the contract's 64 MiB: it refuses a larger message without the node's
     * {@code error-code} trailer (and logs a warning with a stack trace), so the node's own, lower limit is
     * checked on every message that a client keeping to the contract can send ({@link RequestParsing}).
     */
    static final int TRANSPORT_MAX_MESSAGE_BYTES = (int) BodyLimit.CONTRACT_MAX_BYTES + 1024 * 1024;

    /** Threads that run calls; a call never holds one while waiting for log lines. */
    static final int CALL_THREADS = 32;

    /**
     * Heap buffers that are not pooled (see {@link #start}): a pool keeps the 4 MiB chunks a big request filled, and
     * after a Start of 100,000 users six of them (24 MiB) stayed in the heap for good. The panel's requests come
     * seconds apart, so a buffer the collector reclaims costs nothing that matters.
     */
    private static final UnpooledByteBufAllocator HEAP_BUFFERS = new UnpooledByteBufAllocator(false);

    private static final Logger log = LoggerFactory.getLogger(GrpcServer.class);

    private final Server server;
    private final ExecutorService executor;

    private GrpcServer(Server server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Listens on {@code host:port} (0 = any free port) and serves until closed. */
    public static GrpcServer start(String host, int port, TlsMaterial tls, NodeService service,
            RequestAuthenticator authenticator, RequestActivity activity, GrpcLimits limits) throws IOException {
        ExecutorService executor = callExecutor();
        try {
            NodeGrpcService rpcs = new NodeGrpcService(service, executor, limits.bodyLimit());
            Server server = NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
                    .sslContext(sslContext(tls))
                    .executor(executor)
                    // heap buffers: the JDK's AES-GCM hashes a direct buffer block by block without its intrinsic
                    // (GHASH.processBlocksDirect), which was a quarter of the node's CPU in a 100,000-user stats poll
                    .withChildOption(ChannelOption.ALLOCATOR, HEAP_BUFFERS)
                    .maxInboundMessageSize(TRANSPORT_MAX_MESSAGE_BYTES)
                    // pings find connections that never completed the HTTP/2 handshake, and peers that vanished
                    .keepAliveTime(limits.pingInterval().toMillis(), TimeUnit.MILLISECONDS)
                    .keepAliveTimeout(limits.pingTimeout().toMillis(), TimeUnit.MILLISECONDS)
                    .permitKeepAliveTime(10, TimeUnit.SECONDS)
                    .permitKeepAliveWithoutCalls(true)
                    .addService(ServerInterceptors.intercept(
                            RequestParsing.insideCalls(rpcs.definition(), limits.bodyLimit(), NodeGrpcService.UPLOADS),
                            new ApiKeyInterceptor(authenticator), new RequestActivityInterceptor(activity)))
                    .build()
                    .start();
            log.info("gRPC listening on {}:{}", host, server.getPort());
            return new GrpcServer(server, executor);
        } catch (IOException | RuntimeException e) {
            executor.shutdownNow();
            throw e;
        }
    }

    /** The port it listens on (the chosen one when started with 0). */
    public int port() {
        return server.getPort();
    }

    /** Takes no new calls; the calls in flight go on until {@link #close()}. */
    public void stopAccepting() {
        server.shutdown();
    }

    /** Stops taking calls and waits (at most 5 s) for those in flight, then cancels what is left. */
    @Override
    public void close() {
        server.shutdown();
        try {
            if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
                server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        } finally {
            executor.shutdownNow();
        }
    }

    private static SslContext sslContext(TlsMaterial tls) throws SSLException {
        return GrpcSslContexts.configure(SslContextBuilder.forServer(
                        tls.privateKey(), tls.chain().toArray(X509Certificate[]::new)))
                .protocols(TlsPolicy.PROTOCOLS)
                .ciphers(TlsPolicy.CIPHER_SUITES, SupportedCipherSuiteFilter.INSTANCE)
                .build();
    }

    private static ExecutorService callExecutor() {
        AtomicInteger count = new AtomicInteger();
        ThreadPoolExecutor executor = new ThreadPoolExecutor(CALL_THREADS, CALL_THREADS, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), runnable -> {
                    Thread thread = new Thread(runnable, "grpc-call-" + count.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        executor.allowCoreThreadTimeOut(true);
        return executor;
    }
}
