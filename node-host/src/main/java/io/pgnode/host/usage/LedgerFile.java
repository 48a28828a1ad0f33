package io.pgnode.host.usage;

import static java.util.Objects.requireNonNull;

import io.pgnode.host.files.PrivateFiles;
import io.pgnode.spi.Stat;
import io.pgnode.spi.TrafficOwner;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The usage ledger on disk ({@code DATA_DIR/usage.ledger}), so that traffic the panel has not collected survives
 * the node's restarts and crashes. Written whole, atomically and durably (see {@link PrivateFiles}), only when
 * the ledger changed; owner-only, since it names every user.
 *
 * <p>Format: the magic {@code PGUL}, a version (1), then per counter its owner (a byte), its name (modified
 * UTF-8), its uplink and downlink bytes; an end marker (owner 255) and the CRC-32 of everything before it. A
 * file that fails the check is kept aside ({@code usage.ledger.corrupt-<time>}) and the node starts with an
 * empty ledger, loudly.
 */
public final class LedgerFile {

    public static final String FILE_NAME = "usage.ledger";

    private static final Logger log = LoggerFactory.getLogger(LedgerFile.class);
    private static final int MAGIC = 0x5047554C; // "PGUL"
    private static final int VERSION = 1;
    private static final int END = 255;

    private final Path file;
    private final Object writing = new Object();
    private long writtenVersion = -1;

    public LedgerFile(Path dataDir) {
        this.file = requireNonNull(dataDir, "dataDir is null").resolve(FILE_NAME);
    }

    public Path path() {
        return file;
    }

    /** The ledger the file holds; an empty one when there is no file (or a damaged one, kept aside). */
    public UsageLedger load() {
        UsageLedger ledger = new UsageLedger();
        try (InputStream in = Files.newInputStream(file)) {
            read(new BufferedInputStream(in), ledger);
        } catch (NoSuchFileException e) {
            return ledger;
        } catch (IOException e) {
            Path aside = file.resolveSibling(FILE_NAME + ".corrupt-" + Instant.now().getEpochSecond());
            log.error("The usage ledger {} cannot be read ({}); it is kept as {} and the node starts with an empty "
                    + "ledger: usage it held is not reported", file, e.getMessage(), aside);
            try {
                Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException moveFailed) {
                log.error("Could not keep the damaged ledger aside: {}", moveFailed.toString());
            }
            return new UsageLedger();
        }
        writtenVersion = ledger.version();
        return ledger;
    }

    private static void read(InputStream raw, UsageLedger into) throws IOException {
        CRC32 crc = new CRC32();
        DataInputStream in = new DataInputStream(new CheckedInputStream(raw, crc));
        try {
            if (in.readInt() != MAGIC || in.readInt() != VERSION) {
                throw new IOException("not a usage ledger of this version");
            }
            TrafficOwner[] owners = TrafficOwner.values();
            UsageLedger read = new UsageLedger();
            for (int owner = in.readUnsignedByte(); owner != END; owner = in.readUnsignedByte()) {
                if (owner >= owners.length) {
                    throw new IOException("unknown owner " + owner);
                }
                String name = in.readUTF();
                read.add(owners[owner], name, Stat.UPLINK, in.readLong());
                read.add(owners[owner], name, Stat.DOWNLINK, in.readLong());
            }
            long expected = crc.getValue();
            if (new DataInputStream(raw).readInt() != (int) expected) {
                throw new IOException("its checksum does not match");
            }
            read.forEach((owner, name, up, down) -> {
                into.add(owner, name, Stat.UPLINK, up);
                into.add(owner, name, Stat.DOWNLINK, down);
            });
        } catch (EOFException e) {
            throw new IOException("it is cut short", e);
        }
    }

    /**
     * Writes the ledger if it changed since the last write. Writes are serialized and each takes its copy of
     * the ledger once it holds the lock, so the last write always holds the latest state.
     */
    public void save(UsageLedger ledger) throws IOException {
        synchronized (writing) {
            long version = ledger.version();
            if (version == writtenVersion) {
                return;
            }
            PrivateFiles.write(file, out -> {
                CRC32 crc = new CRC32();
                DataOutputStream data = new DataOutputStream(new CheckedOutputStream(out, crc));
                data.writeInt(MAGIC);
                data.writeInt(VERSION);
                IOException[] failure = new IOException[1];
                ledger.forEach((owner, name, up, down) -> {
                    if (failure[0] != null) {
                        return;
                    }
                    try {
                        data.writeByte(owner.ordinal());
                        data.writeUTF(name);
                        data.writeLong(up);
                        data.writeLong(down);
                    } catch (IOException e) {
                        failure[0] = e;
                    }
                });
                if (failure[0] != null) {
                    throw failure[0];
                }
                data.writeByte(END);
                data.flush();
                new DataOutputStream(out).writeInt((int) crc.getValue());
            });
            writtenVersion = version;
        }
    }
}
