package io.pgnode.plugin.xray;

import io.pgnode.host.usage.UsageLedger;
import io.pgnode.spi.Stat;
import io.pgnode.spi.TrafficOwner;
import java.util.Map;
import java.util.TreeMap;

/** What a backend handed to the node's usage ledger, as one sorted map a test can compare whole. */
final class LedgerContents {

    private LedgerContents() {}

    /** Every counter the ledger holds bytes for, as {@code OWNER name direction} → bytes, sorted. */
    static Map<String, Long> of(UsageLedger ledger) {
        Map<String, Long> all = new TreeMap<>();
        for (TrafficOwner owner : TrafficOwner.values()) {
            ledger.copy(owner).forEach((name, values) -> {
                put(all, owner, name, Stat.UPLINK, values[UsageLedger.index(Stat.UPLINK)]);
                put(all, owner, name, Stat.DOWNLINK, values[UsageLedger.index(Stat.DOWNLINK)]);
            });
        }
        return all;
    }

    private static void put(Map<String, Long> all, TrafficOwner owner, String name, String direction, long bytes) {
        if (bytes > 0) {
            all.put(owner + " " + name + " " + direction, bytes);
        }
    }
}
