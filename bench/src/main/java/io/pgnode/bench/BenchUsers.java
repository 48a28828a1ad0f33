package io.pgnode.bench;

import io.pgnode.proto.Proxy;
import io.pgnode.proto.Trojan;
import io.pgnode.proto.User;
import io.pgnode.proto.Vless;
import io.pgnode.proto.Vmess;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.IntUnaryOperator;

/**
 * Panel users for the benchmarks: {@code u<i>@bench} in every inbound of {@link BenchConfig}, with VMess,
 * VLESS and Trojan credentials derived from the index and a generation (a new generation changes every
 * credential, so the user changes in every inbound).
 */
final class BenchUsers {

    private BenchUsers() {}

    static String email(int index) {
        return "u" + index + "@bench";
    }

    static User user(String email, int index, int generation) {
        String id = uuid(index, generation).toString();
        return User.newBuilder()
                .setEmail(email)
                .setProxies(Proxy.newBuilder()
                        .setVmess(Vmess.newBuilder().setId(id))
                        .setVless(Vless.newBuilder().setId(id))
                        .setTrojan(Trojan.newBuilder().setPassword(password(index, generation))))
                .addAllInbounds(BenchConfig.TAGS)
                .build();
    }

    /** {@code count} users; user i has the generation {@code generationOf(i)}. */
    static List<User> users(int count, IntUnaryOperator generationOf) {
        List<User> users = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            users.add(user(email(i), i, generationOf.applyAsInt(i)));
        }
        return users;
    }

    static UUID uuid(int index, int generation) {
        return new UUID(0x7067_6e6f_6465_4000L | (generation & 0xfff), 0x8000_0000_0000_0000L | index);
    }

    static String password(int index, int generation) {
        return "pw-" + index + "-" + generation + "-bench";
    }
}
