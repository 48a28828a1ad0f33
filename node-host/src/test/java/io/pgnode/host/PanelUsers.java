package io.pgnode.host;

import io.pgnode.proto.Proxy;
import io.pgnode.proto.Shadowsocks;
import io.pgnode.proto.Trojan;
import io.pgnode.proto.User;
import io.pgnode.proto.Users;
import io.pgnode.proto.UsersChunk;
import io.pgnode.proto.Vless;
import io.pgnode.proto.Vmess;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Users as a panel sends them: its numeric user id as the email, real (random) ids and passwords for each of the
 * four accounts a panel user has, and the inbound tags a panel's admin writes. The yardstick of the body limits:
 * what a real panel sends must go through.
 */
public final class PanelUsers {

    /** Three of a panel's usual inbounds. */
    public static final List<String> THREE_INBOUNDS = List.of("VLESS TCP REALITY", "VMESS WS", "Trojan TCP TLS");

    /** Four of them. */
    public static final List<String> FOUR_INBOUNDS =
            List.of("VLESS TCP REALITY", "VMESS WS", "Trojan TCP TLS", "Shadowsocks TCP");

    private PanelUsers() {}

    /** Users with ids {@code first} .. {@code first + count - 1}, each in these inbounds. */
    public static List<User> of(int first, int count, List<String> inbounds) {
        List<User> users = new ArrayList<>(count);
        for (int id = first; id < first + count; id++) {
            users.add(user(id, inbounds));
        }
        return users;
    }

    /** {@code count} users (ids from 1) in one {@code Users} message. */
    public static Users message(int count, List<String> inbounds) {
        return Users.newBuilder().addAllUsers(of(1, count, inbounds)).build();
    }

    /** The users as chunks of {@code perChunk} (the last one marked last), as a panel's chunked sync sends them. */
    public static List<UsersChunk> chunks(List<User> users, int perChunk) {
        List<UsersChunk> chunks = new ArrayList<>();
        for (int from = 0, index = 0; from < users.size(); from += perChunk, index++) {
            int to = Math.min(users.size(), from + perChunk);
            chunks.add(UsersChunk.newBuilder().setIndex(index).setLast(to == users.size())
                    .addAllUsers(users.subList(from, to)).build());
        }
        return chunks;
    }

    private static User user(int id, List<String> inbounds) {
        String password = UUID.randomUUID().toString().replace("-", "").substring(0, 22);
        return User.newBuilder()
                .setEmail(Integer.toString(id))
                .setProxies(Proxy.newBuilder()
                        .setVmess(Vmess.newBuilder().setId(UUID.randomUUID().toString()))
                        .setVless(Vless.newBuilder().setId(UUID.randomUUID().toString()).setFlow("xtls-rprx-vision"))
                        .setTrojan(Trojan.newBuilder().setPassword(password))
                        .setShadowsocks(Shadowsocks.newBuilder().setPassword(password)
                                .setMethod("chacha20-ietf-poly1305")))
                .addAllInbounds(inbounds)
                .build();
    }
}
