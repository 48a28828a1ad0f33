package io.pgnode.bench;

import io.pgnode.proto.Backend;
import io.pgnode.proto.BackendType;
import io.pgnode.proto.Empty;
import io.pgnode.proto.StatRequest;
import io.pgnode.proto.StatType;
import java.util.List;

/**
 * P5 (idle): the node's resident set with the Xray backend started and no users, after a minute's worth of the
 * polls a panel makes (system stats, traffic stats, info), and, for the record, right after boot.
 */
final class IdleMemory {

    private final InstalledNode node;
    private final BenchOptions options;

    IdleMemory(InstalledNode node, BenchOptions options) {
        this.node = node;
        this.options = options;
    }

    List<Row> run() {
        Samples booted = new Samples();
        booted.add(node.residentBytes() / ProcessMemory.MIB);
        Samples idle = new Samples();
        node.grpc().start(Backend.newBuilder().setType(BackendType.XRAY).setConfig(BenchConfig.panelConfig()).build());
        try {
            for (int run = 0; run < options.runs(); run++) {
                for (int poll = 0; poll < options.idlePolls(); poll++) {
                    node.grpc().getSystemStats(Empty.getDefaultInstance());
                    node.rest().stats(StatRequest.newBuilder().setType(StatType.UsersStat).setReset(true).build());
                    node.grpc().getBaseInfo(Empty.getDefaultInstance());
                    CoreAlone.pause(100);
                }
                idle.add(node.residentBytes() / ProcessMemory.MIB);
            }
        } finally {
            node.grpc().stop(Empty.getDefaultInstance());
        }
        return List.of(
                Row.bound("P5 node RSS, booted (no backend)", booted, "—", "MiB", 128),
                Row.bound("P5 node RSS, idle (backend, no users)", idle, "—", "MiB", 128));
    }
}
