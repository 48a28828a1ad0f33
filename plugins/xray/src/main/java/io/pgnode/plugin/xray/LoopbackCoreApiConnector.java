package io.pgnode.plugin.xray;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Channels to a core's API over loopback TCP, on a thread of the backend's own: gRPC's shared event loop and
 * executor outlive their last channel by a second, long enough to run plugin code after the host has
 * unloaded the plugin and closed its class loader. {@link #close()} ends the thread it started.
 *
 * <p>Callbacks run on that event loop thread (direct executor): the plugin's callbacks only complete futures
 * and issue the next call of a change (the add after a removal), so a hop to another thread would only add
 * a wake-up per call to every user sync. Blocking calls wait on their caller's thread as always.
 */
final class LoopbackCoreApiConnector implements CoreApiConnector {

    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final EventLoopGroup eventLoop;

    LoopbackCoreApiConnector() {
        String name = "xray-core-api-" + INSTANCES.incrementAndGet();
        eventLoop = new MultiThreadIoEventLoopGroup(1, daemonThreads(name + "-io"), NioIoHandler.newFactory());
    }

    @Override
    public ManagedChannel open(int port) {
        // a socket address, not a target string: no name resolver (nor its threads) for a loopback port
        return NettyChannelBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
                .eventLoopGroup(eventLoop)
                .channelType(NioSocketChannel.class)
                .directExecutor()
                .usePlaintext()
                .maxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES)
                .build();
    }

    @Override
    public void close() {
        eventLoop.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
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
