package io.pgnode.host.wire;

import io.pgnode.host.error.ErrorCode;
import io.pgnode.host.error.NodeException;
import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * The most a request may cost the node, on both transports: one REST body, one gRPC message, all the chunks of
 * one chunked user upload together. Two bounds, because the wire size alone does not bound the heap:
 *
 * <ul>
 *   <li>{@code maxBytes} on the wire: 1/16 of the maximum heap, at most the contract's 64 MiB.
 *   <li>{@code maxParsedBytes} once parsed, as {@link ParsedSize} estimates it from the bytes before they are
 *       parsed: five times the heap's sixteenth ({@value #PARSED_FACTOR} × 1/16), whatever the wire cap.
 * </ul>
 *
 * <p>Measured (protobuf-java 4.33, compressed oops): 100,000 users as a panel sends them (numeric email, a
 * vmess, vless, trojan and shadowsocks account each, four inbound tags) are 250 bytes each on the wire and 1,002
 * bytes each once parsed (4.0 times; estimated 4.5), so a node started with a 256 MiB heap (what the launcher
 * picks on a 1 GiB machine) takes 16 MiB of them, about 65,000 users, at about a quarter of its heap; from a
 * 1 GiB heap on, the full 64 MiB. Bytes chosen to cost more (empty users, one-letter inbound tags, empty
 * accounts: 20 to 27 times their wire size) are refused by the second bound before they are parsed.
 */
public record BodyLimit(long maxBytes, long maxParsedBytes) {

    /** The contract's ceiling: the largest message either transport ever takes. */
    public static final long CONTRACT_MAX_BYTES = 64L * 1024 * 1024;

    /** The part of the maximum heap one request may take as wire bytes: 1/16. */
    public static final int HEAP_FRACTION = 16;

    /** How many such sixteenths one request may take once parsed. */
    public static final int PARSED_FACTOR = 5;

    private static final String MORE_HEAP = "a node started with more heap, e.g. JAVA_OPTS=-Xmx1g, takes more";

    public BodyLimit {
        if (maxBytes < 1 || maxParsedBytes < 1) {
            throw new IllegalArgumentException("maxBytes and maxParsedBytes must be positive");
        }
    }

    /**
     * The limit for this JVM's maximum heap as -Xmx (or the launcher's MaxRAMPercentage) sets it: the JVM's own
     * MaxHeapSize, because Runtime.maxMemory() leaves out a survivor space (256 MiB would be 15.5).
     */
    public static BodyLimit forThisJvm() {
        long max = Runtime.getRuntime().maxMemory();
        try {
            max = Long.parseLong(ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                    .getVMOption("MaxHeapSize").getValue());
        } catch (RuntimeException e) {
            // not a HotSpot JVM: what Runtime says is close enough
        }
        return forMaxHeap(max);
    }

    /** The smaller of 64 MiB and 1/16 of {@code maxHeapBytes} on the wire, 5/16 of it once parsed. */
    public static BodyLimit forMaxHeap(long maxHeapBytes) {
        if (maxHeapBytes <= 0) {
            throw new IllegalArgumentException("maxHeapBytes must be positive");
        }
        long sixteenth = maxHeapBytes / HEAP_FRACTION;
        return new BodyLimit(Math.min(CONTRACT_MAX_BYTES, sixteenth), sixteenth * PARSED_FACTOR);
    }

    /** A limit of {@code maxBytes} on the wire and {@value #PARSED_FACTOR} times that once parsed. */
    public static BodyLimit ofBytes(long maxBytes) {
        return new BodyLimit(maxBytes, maxBytes * PARSED_FACTOR);
    }

    /**
     * The error of a request over the wire limit ({@code what}: "The request body", "The chunked user upload"
     * ...): 413 / RESOURCE_EXHAUSTED with {@code BODY_TOO_LARGE}.
     */
    public NodeException exceeded(String what) {
        return new NodeException(ErrorCode.BODY_TOO_LARGE, what + " is larger than this node takes ("
                + describe(maxBytes) + ": 1/" + HEAP_FRACTION + " of its heap, at most 64 MiB; " + MORE_HEAP + ").");
    }

    /** The error of a request whose parsed size would be over the limit ({@link ParseBudget}): as {@link #exceeded}. */
    public NodeException parsedExceeded(String what, long estimate) {
        return new NodeException(ErrorCode.BODY_TOO_LARGE, what + " would take about " + describe(estimate)
                + " of memory once read, more than this node gives one request (" + describe(maxParsedBytes) + ": "
                + PARSED_FACTOR + "/" + HEAP_FRACTION + " of its heap; " + MORE_HEAP + ").");
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
