package io.pgnode.host.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgnode.spi.Stat;
import io.pgnode.spi.TrafficOwner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LedgerFileTest {

    @TempDir Path dataDir;

    @Test
    void whatIsSavedIsWhatTheNextProcessLoads() throws IOException {
        LedgerFile file = new LedgerFile(dataDir);
        UsageLedger ledger = file.load();
        ledger.add(TrafficOwner.USER, "1001", Stat.UPLINK, 5);
        ledger.add(TrafficOwner.USER, "1001", Stat.DOWNLINK, 7_000_000_000L);
        ledger.add(TrafficOwner.USER, "ünïcode@x", Stat.DOWNLINK, 3);
        ledger.add(TrafficOwner.OUTBOUND, "direct", Stat.UPLINK, 11);
        ledger.add(TrafficOwner.INBOUND, "vless-in", Stat.DOWNLINK, 13);

        file.save(ledger);
        UsageLedger loaded = new LedgerFile(dataDir).load();

        assertThat(loaded.peek(TrafficOwner.USER, "1001", Stat.UPLINK)).isEqualTo(5);
        assertThat(loaded.peek(TrafficOwner.USER, "1001", Stat.DOWNLINK)).isEqualTo(7_000_000_000L);
        assertThat(loaded.peek(TrafficOwner.USER, "ünïcode@x", Stat.DOWNLINK)).isEqualTo(3);
        assertThat(loaded.peek(TrafficOwner.OUTBOUND, "direct", Stat.UPLINK)).isEqualTo(11);
        assertThat(loaded.peek(TrafficOwner.INBOUND, "vless-in", Stat.DOWNLINK)).isEqualTo(13);
        assertThat(loaded.holds(TrafficOwner.USER, "direct")).as("owners are kept apart").isFalse();
    }

    @Test
    void theFileIsTheOwnersAloneAndNoTemporaryFileStaysBehind() throws IOException {
        LedgerFile file = new LedgerFile(dataDir);
        UsageLedger ledger = file.load();
        ledger.add(TrafficOwner.USER, "a", Stat.UPLINK, 1);

        file.save(ledger);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.path()))).isEqualTo("rw-------");
        try (Stream<Path> files = Files.list(dataDir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly(LedgerFile.FILE_NAME);
        }
    }

    @Test
    void aTakenCounterIsGoneFromTheFileAfterTheNextSave() throws IOException {
        LedgerFile file = new LedgerFile(dataDir);
        UsageLedger ledger = file.load();
        ledger.add(TrafficOwner.USER, "a", Stat.UPLINK, 10);
        file.save(ledger);

        assertThat(ledger.take(TrafficOwner.USER, "a", Stat.UPLINK)).isEqualTo(10);
        file.save(ledger);

        assertThat(new LedgerFile(dataDir).load().holds(TrafficOwner.USER)).isFalse();
    }

    @Test
    void aDamagedFileIsKeptAsideAndTheNodeStartsWithAnEmptyLedger() throws IOException {
        LedgerFile file = new LedgerFile(dataDir);
        UsageLedger ledger = file.load();
        ledger.add(TrafficOwner.USER, "a", Stat.UPLINK, 10);
        file.save(ledger);
        byte[] bytes = Files.readAllBytes(file.path());
        bytes[bytes.length - 6] ^= 0x55; // inside the last counter's bytes: the checksum no longer matches
        Files.write(file.path(), bytes);

        UsageLedger loaded = new LedgerFile(dataDir).load();

        assertThat(loaded.holds(TrafficOwner.USER)).isFalse();
        try (Stream<Path> files = Files.list(dataDir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .singleElement().asString().startsWith(LedgerFile.FILE_NAME + ".corrupt-");
        }
    }

    @Test
    void aFileCutShortIsDamagedToo() throws IOException {
        LedgerFile file = new LedgerFile(dataDir);
        UsageLedger ledger = file.load();
        ledger.add(TrafficOwner.USER, "a", Stat.UPLINK, 10);
        file.save(ledger);
        byte[] bytes = Files.readAllBytes(file.path());
        Files.write(file.path(), java.util.Arrays.copyOf(bytes, bytes.length - 3));

        assertThat(new LedgerFile(dataDir).load().holds(TrafficOwner.USER)).isFalse();
    }
}
