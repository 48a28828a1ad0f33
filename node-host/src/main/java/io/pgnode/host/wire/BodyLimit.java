package io.pgnode.host.wire;

import io.pgnode.host.error.ErrorCode;
import io.pgnode.host.error.NodeException;
import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * The most request bytes the node takes in one go, on both transports: one REST body, one gRPC message, all
 * the chunks of one chunked user upload together. The contract's ceiling is 64 MiB; a node with a small heap
 * takes less, because users cost far more once parsed than on the wire.
 *
 * <p>Measured (protobuf-java 4.33, compressed oops): 100,000 users as a panel sends them (numeric email, a
 * vmess, vless, trojan and shadowsocks account each, four inbound tags) are 255 bytes each on the wire and
 * 1,025 bytes each once parsed, 4.0 times. So a body at the limit costs about a quarter of the heap while it
 * is parsed and applied ({@link #HEAP_FRACTION} of the heap as wire bytes, plus the bytes themselves while
 * they are parsed): a node started with a 256 MiB heap (what the launcher picks on a 1 GiB machine) takes
 * 16 MiB, about 65,000 such users, and keeps serving; from a 1 GiB heap on, the node takes the full 64 MiB.
 */
public final class BodyLimit {

    /** The contract's ceiling: the largest message either transport ever takes. */
    public static final long CONTRACT_MAX_BYTES = 64L * 1024 * 1024;

    /** The part of the maximum heap one body may take as wire bytes: 1/16. */
    public static final int HEAP_FRACTION = 16;

    private BodyLimit() {}

    /**
     * The limit for this JVM's maximum heap as -Xmx (or the launcher's MaxRAMPercentage) sets it: the JVM's own
     * MaxHeapSize, because Runtime.maxMemory() leaves out a survivor space (256 MiB would be 15.5).
     */
    public static long forThisJvm() {
        long max = Runtime.getRuntime().maxMemory();
        try {
            max = Long.parseLong(ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                    .getVMOption("MaxHeapSize").getValue());
        } catch (RuntimeException e) {
            // not a HotSpot JVM: what Runtime says is close enough
        }
        return forMaxHeap(max);
    }

    /** The smaller of 64 MiB and 1/16 of {@code maxHeapBytes}. */
    public static long forMaxHeap(long maxHeapBytes) {
        if (maxHeapBytes <= 0) {
            throw new IllegalArgumentException("maxHeapBytes must be positive");
        }
        return Math.min(CONTRACT_MAX_BYTES, maxHeapBytes / HEAP_FRACTION);
    }

    /**
     * The error of a request over the limit ({@code what}: "The request body", "The chunked user upload" ...):
     * 413 / RESOURCE_EXHAUSTED with {@code BODY_TOO_LARGE}.
     */
    public static NodeException exceeded(String what, long limit) {
        return new NodeException(ErrorCode.BODY_TOO_LARGE, what + " is larger than this node takes (" + describe(limit)
                + ": 1/" + HEAP_FRACTION + " of its heap, at most 64 MiB; a node started with more heap, e.g. "
                + "JAVA_OPTS=-Xmx1g, takes more).");
    }

    /** The limit as an operator reads it, e.g. "16 MiB" or "300 KiB". */
    public static String describe(long bytes) {
        if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0) {
            return bytes / (1024 * 1024) + " MiB";
        }
        if (bytes >= 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
        }
        if (bytes >= 1024) {
            return bytes / 1024 + " KiB";
        }
        return bytes + " bytes";
    }
}
