package io.pgnode.plugin.xray;

import io.grpc.ManagedChannel;

/** Opens channels to a core's API on a loopback port. Tests swap in an in-process channel to a fake. */
@FunctionalInterface
interface CoreApiConnector extends AutoCloseable {

    /** 100,000 users' counters make a ~16 MB QueryStats reply; leave generous room above that. */
    int MAX_INBOUND_MESSAGE_BYTES = 256 * 1024 * 1024;

    ManagedChannel open(int port);

    /** Frees what the connector holds; called once every channel it opened is closed. */
    @Override
    default void close() {}

    /** The real thing: plaintext HTTP/2 to 127.0.0.1 (the core's API has neither TLS nor auth). */
    static CoreApiConnector loopback() {
        return new LoopbackCoreApiConnector();
    }
}
