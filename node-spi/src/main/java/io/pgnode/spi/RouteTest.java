package io.pgnode.spi;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;

/**
 * A connection to ask the router about ({@link Routing#testRoute}). Empty strings and zero mean "not given".
 *
 * @param inboundTag the inbound it arrives on
 * @param network {@code "tcp"} or {@code "udp"}
 * @param targetIp the destination address
 * @param targetDomain the destination domain
 * @param targetPort the destination port
 * @param protocol the sniffed protocol (e.g. {@code "http"}, {@code "tls"})
 * @param user the user's email
 * @param attributes sniffed attributes (e.g. HTTP headers)
 * @param fieldSelectors which fields of the result the caller wants (empty: all)
 * @param publishResult whether the core should also publish the result to its own subscribers
 */
public record RouteTest(String inboundTag, String network, String targetIp, String targetDomain, int targetPort,
        String protocol, String user, Map<String, String> attributes, List<String> fieldSelectors,
        boolean publishResult) {

    public RouteTest {
        requireNonNull(inboundTag, "inboundTag is null");
        requireNonNull(network, "network is null");
        requireNonNull(targetIp, "targetIp is null");
        requireNonNull(targetDomain, "targetDomain is null");
        requireNonNull(protocol, "protocol is null");
        requireNonNull(user, "user is null");
        attributes = Map.copyOf(attributes);
        fieldSelectors = List.copyOf(fieldSelectors);
    }
}
