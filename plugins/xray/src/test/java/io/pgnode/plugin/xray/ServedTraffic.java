package io.pgnode.plugin.xray;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;

/**
 * Real proxied traffic as a user would notice it: a whole body fetched through each of the user's routes, with a
 * deadline generous enough for a busy machine; and a refusal proven by what the user's client meets (the port is
 * closed), never by a timeout.
 */
final class ServedTraffic {

    /** Ample for 100 kB over loopback, even on a loaded CI machine. */
    static final Duration DEADLINE = Duration.ofSeconds(20);

    private ServedTraffic() {}

    /** Every protocol of {@link TestingServerInbounds} carries the user's traffic now. */
    static void assertServed(TestingV2rayClient client, TestingHttpServer http, String email, int bytes) {
        for (String protocol : TestingServerInbounds.PROTOCOLS) {
            String route = TestingServerInbounds.route(email, "", protocol);
            try {
                assertThat(Socks5Fetch.fetch(client.socksPort(route), http.port(), bytes, DEADLINE)).as(route)
                        .returns(true, Socks5Fetch.Outcome::delivered);
            } catch (IOException e) {
                throw new AssertionError(route + " is not served: " + e, e);
            }
        }
    }

    /** Nothing listens on the loopback port: a connection is refused at once (RST), as a client sees it. */
    static void assertClosed(int port) {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            throw new AssertionError("port " + port + " still accepts connections");
        } catch (ConnectException refused) {
            // what a client of a stopped core meets
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
