package io.pgnode.plugin.xray;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Channels to a core's API over loopback TCP, on threads of the backend's own: gRPC's shared event loop and
 * executor outlive their last channel by a second, long enough to run plugin code after the host has
 * unloaded the plugin and closed its class loader. {@link #close()} ends every thread it started.
 */
final class LoopbackCoreApiConnector implements CoreApiConnector {

    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final EventLoopGroup eventLoop;
    private final ExecutorService callbacks;

    LoopbackCoreApiConnector() {
        String name = "xray-core-api-" + INSTANCES.incrementAndGet();
        eventLoop = new MultiThreadIoEventLoopGroup(1, daemonThreads(name + "-io"), NioIoHandler.newFactory());
        callbacks = Executors.newCachedThreadPool(daemonThreads(name));
    }

    @Override
    public ManagedChannel open(int port) {
        // a socket address, not a target string: no name resolver (nor its threads) for a loopback port
        return NettyChannelBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
                .eventLoopGroup(eventLoop)
                .channelType(NioSocketChannel.class)
                .executor(callbacks)
                .usePlaintext()
                .maxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES)
                .build();
    }

    @Override
    public void close() {
        eventLoop.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        callbacks.shutdown();
        try {
            callbacks.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ThreadFactory daemonThreads(String name) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
