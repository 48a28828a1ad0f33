package io.pgnode.plugin.xray;

import java.util.List;

/**
 * A panel config for the server under test: vmess, vless and trojan inbounds on free loopback ports and a
 * freedom outbound, plus the client routes that reach each inbound as a given user.
 *
 * @param vmessPort the vmess inbound's port
 * @param vlessPort the vless inbound's port
 * @param trojanPort the trojan inbound's port
 */
record TestingServerInbounds(int vmessPort, int vlessPort, int trojanPort) {

    static final List<String> TAGS = List.of("vmess-in", "vless-in", "trojan-in");
    static final List<String> PROTOCOLS = List.of("vmess", "vless", "trojan");

    static TestingServerInbounds onFreePorts() {
        return new TestingServerInbounds(RealV2ray.freePort(), RealV2ray.freePort(), RealV2ray.freePort());
    }

    /** The config as the panel would send it (no users: the node injects them). */
    String panelConfig() {
        return panelConfig("");
    }

    /**
     * The same inbounds with one more outbound, a blackhole tagged {@code name} after the default one: a Start
     * with it is a Start of another config, so the node starts a new core instead of keeping the running one.
     */
    String otherPanelConfig(String name) {
        return panelConfig(",{\"tag\":\"" + name + "\",\"protocol\":\"blackhole\"}");
    }

    private String panelConfig(String moreOutbounds) {
        return "{\"log\":{\"loglevel\":\"warning\"},\"inbounds\":["
                + "{\"tag\":\"vmess-in\",\"listen\":\"127.0.0.1\",\"port\":" + vmessPort
                + ",\"protocol\":\"vmess\",\"settings\":{\"clients\":[]}},"
                + "{\"tag\":\"vless-in\",\"listen\":\"127.0.0.1\",\"port\":" + vlessPort
                + ",\"protocol\":\"vless\",\"settings\":{\"clients\":[],\"decryption\":\"none\"}},"
                + "{\"tag\":\"trojan-in\",\"listen\":\"127.0.0.1\",\"port\":" + trojanPort
                + ",\"protocol\":\"trojan\",\"settings\":{\"clients\":[]}}],"
                + "\"outbounds\":[{\"tag\":\"direct\",\"protocol\":\"freedom\"}" + moreOutbounds + "]}";
    }

    /**
     * Client routes for a {@link TestUsers} user of the given secret generation, named by
     * {@link #route(String, String, String)}.
     */
    List<TestingV2rayClient.Route> routes(String email, String generation) {
        String id = TestUsers.uuid(email + generation);
        return List.of(
                new TestingV2rayClient.Route(route(email, generation, "vmess"), "vmess", vmessPort, id),
                new TestingV2rayClient.Route(route(email, generation, "vless"), "vless", vlessPort, id),
                new TestingV2rayClient.Route(route(email, generation, "trojan"), "trojan", trojanPort,
                        TestUsers.password(email, generation)));
    }

    /** A route's name: {@code alice@x/vless}, or {@code alice@x#2/vless} for generation "2". */
    static String route(String email, String generation, String protocol) {
        return email + (generation.isEmpty() ? "" : "#" + generation) + "/" + protocol;
    }
}
