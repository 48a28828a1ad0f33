package io.pgnode.plugin.xray;

import io.pgnode.proto.Proxy;
import io.pgnode.proto.Trojan;
import io.pgnode.proto.Vless;
import io.pgnode.proto.Vmess;
import io.pgnode.spi.Proxies;
import io.pgnode.spi.User;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

/** Panel users for tests: credentials derived from the email, so a test can rebuild the client side. */
final class TestUsers {

    private TestUsers() {}

    /** A user with credentials for every protocol, in the given inbounds. */
    static User user(String email, String... inbounds) {
        return new User(email, proxies(email, ""), List.of(inbounds));
    }

    /** The same user with a different secret generation: every credential changes. */
    static User changed(String email, String generation, String... inbounds) {
        return new User(email, proxies(email, generation), List.of(inbounds));
    }

    /** The panel's wire form of {@link #changed}: VMess, VLESS and Trojan credentials ("" = the first generation). */
    static io.pgnode.proto.User panelUser(String email, String generation, String... inbounds) {
        String id = uuid(email + generation);
        return io.pgnode.proto.User.newBuilder()
                .setEmail(email)
                .setProxies(Proxy.newBuilder()
                        .setVmess(Vmess.newBuilder().setId(id))
                        .setVless(Vless.newBuilder().setId(id))
                        .setTrojan(Trojan.newBuilder().setPassword(password(email, generation))))
                .addAllInbounds(List.of(inbounds))
                .build();
    }

    /** Every secret {@link #panelUser} gives the user in that generation, for checks that none leaks. */
    static List<String> secrets(String email, String generation) {
        return List.of(uuid(email + generation), password(email, generation));
    }

    static Proxies proxies(String email, String generation) {
        String id = uuid(email + generation);
        return new Proxies(new Proxies.Vmess(id), new Proxies.Vless(id, ""), new Proxies.Trojan(password(email, generation)),
                new Proxies.Shadowsocks(password(email, generation), "aes-128-gcm"), null,
                new Proxies.Hysteria(password(email, generation)));
    }

    static String uuid(String seed) {
        return UUID.nameUUIDFromBytes(seed.getBytes(StandardCharsets.UTF_8)).toString();
    }

    static String password(String email, String generation) {
        return "pw-" + uuid("trojan" + email + generation).substring(0, 18);
    }
}
