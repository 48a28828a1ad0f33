package io.pgnode.plugin.xray;

import io.pgnode.proto.Backend;
import io.pgnode.proto.BackendType;
import io.pgnode.proto.Stat;
import io.pgnode.proto.StatRequest;
import io.pgnode.proto.StatResponse;
import io.pgnode.proto.StatType;
import io.pgnode.proto.User;
import io.pgnode.proto.UsersChunk;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The requests a panel sends a node running the Xray backend, and readers of the answers. */
final class PanelRequests {

    private PanelRequests() {}

    /** Start the Xray backend (type 0) with this config and these users. */
    static Backend startXray(String config, User... users) {
        return Backend.newBuilder().setType(BackendType.XRAY).setConfig(config).addAllUsers(List.of(users)).build();
    }

    static StatRequest user(String email, boolean reset) {
        return stats(StatType.UserStat, email, reset);
    }

    static StatRequest users(boolean reset) {
        return stats(StatType.UsersStat, "", reset);
    }

    static StatRequest inbound(String tag, boolean reset) {
        return stats(StatType.Inbound, tag, reset);
    }

    static StatRequest inbounds(boolean reset) {
        return stats(StatType.Inbounds, "", reset);
    }

    static StatRequest outbound(String tag, boolean reset) {
        return stats(StatType.Outbound, tag, reset);
    }

    private static StatRequest stats(StatType type, String name, boolean reset) {
        return StatRequest.newBuilder().setType(type).setName(name).setReset(reset).build();
    }

    /** What a target the node knows answers before any traffic: zero bytes both ways. */
    static List<Stat> zeroTraffic(String name) {
        return List.of(traffic(name, "downlink", 0), traffic(name, "uplink", 0));
    }

    static Stat traffic(String name, String type, long value) {
        return Stat.newBuilder().setName(name).setType(type).setLink("traffic").setValue(value).build();
    }

    /** The values of one name's stats by type ({@code uplink}, {@code downlink}). */
    static Map<String, Long> byType(StatResponse stats, String name) {
        Map<String, Long> byType = new LinkedHashMap<>();
        stats.getStatsList().stream().filter(s -> s.getName().equals(name))
                .forEach(s -> byType.merge(s.getType(), s.getValue(), Long::sum));
        return byType;
    }

    static UsersChunk chunk(long index, boolean last, User... users) {
        return UsersChunk.newBuilder().setIndex(index).setLast(last).addAllUsers(List.of(users)).build();
    }
}
