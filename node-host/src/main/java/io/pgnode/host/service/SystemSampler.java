package io.pgnode.host.service;

import java.net.SocketException;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import oshi.SystemInfo;
import oshi.hardware.CentralProcessor;
import oshi.hardware.CentralProcessor.TickType;
import oshi.hardware.GlobalMemory;
import oshi.hardware.HardwareAbstractionLayer;
import oshi.hardware.NetworkIF;
import oshi.software.os.OperatingSystem;

/**
 * Samples the machine with OSHI in the background. CPU use and bandwidth are rates between two samples, so
 * an answer is always the latest completed interval and a request never waits for a measurement.
 */
public final class SystemSampler implements AutoCloseable {

    /** How often the machine is sampled: the rates are averages over this long. */
    public static final Duration INTERVAL = Duration.ofSeconds(2);

    private static final Logger log = LoggerFactory.getLogger(SystemSampler.class);

    private final CentralProcessor processor;
    private final GlobalMemory memory;
    private final HardwareAbstractionLayer hardware;
    private final OperatingSystem operatingSystem;
    private final ScheduledFuture<?> sampling;
    private Sample previous;
    private volatile SystemSnapshot latest;

    private SystemSampler(Duration interval, ScheduledExecutorService scheduler) {
        SystemInfo system = new SystemInfo();
        this.hardware = system.getHardware();
        this.processor = hardware.getProcessor();
        this.memory = hardware.getMemory();
        this.operatingSystem = system.getOperatingSystem();
        this.previous = sample();
        this.latest = snapshot(previous, previous);
        this.sampling = scheduler.scheduleWithFixedDelay(this::sampleNow, interval.toMillis(), interval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Takes a first sample now and then one every {@code interval} on {@code scheduler} (the caller's). */
    public static SystemSampler start(Duration interval, ScheduledExecutorService scheduler) {
        return new SystemSampler(interval, scheduler);
    }

    /** The figures of the last completed interval (rates are zero until the first interval completed). */
    public SystemSnapshot latest() {
        return latest;
    }

    @Override
    public void close() {
        sampling.cancel(false);
    }

    private void sampleNow() {
        try {
            Sample current = sample();
            latest = snapshot(previous, current);
            previous = current;
        } catch (RuntimeException e) {
            log.debug("Sampling the system failed; keeping the last figures", e);
        }
    }

    private Sample sample() {
        long received = 0;
        long sent = 0;
        for (NetworkIF networkInterface : hardware.getNetworkIFs(true)) {
            if (!isLoopback(networkInterface)) {
                received += networkInterface.getBytesRecv();
                sent += networkInterface.getBytesSent();
            }
        }
        return new Sample(System.nanoTime(), processor.getSystemCpuLoadTicks(), received, sent,
                memory.getTotal(), memory.getAvailable(), operatingSystem.getSystemUptime());
    }

    private SystemSnapshot snapshot(Sample before, Sample after) {
        long elapsed = after.nanoTime() - before.nanoTime();
        return new SystemSnapshot(
                after.memTotal(),
                Math.max(0, after.memTotal() - after.memAvailable()),
                processor.getLogicalProcessorCount(),
                cpuPercent(before.cpuTicks(), after.cpuTicks()),
                perSecond(before.bytesReceived(), after.bytesReceived(), elapsed),
                perSecond(before.bytesSent(), after.bytesSent(), elapsed),
                after.uptimeSeconds());
    }

    /** Busy share of the CPU time between two tick readings, in percent. */
    static double cpuPercent(long[] before, long[] after) {
        long total = 0;
        for (int i = 0; i < after.length; i++) {
            total += after[i] - before[i];
        }
        long idle = (after[TickType.IDLE.getIndex()] - before[TickType.IDLE.getIndex()])
                + (after[TickType.IOWAIT.getIndex()] - before[TickType.IOWAIT.getIndex()]);
        if (total <= 0) {
            return 0;
        }
        return Math.min(100.0, Math.max(0.0, 100.0 * (total - idle) / total));
    }

    /**
     * A counter's growth per second. A counter that went down (an interface vanished, a counter wrapped)
     * gives zero for that interval rather than a negative or absurd rate.
     */
    static long perSecond(long before, long after, long elapsedNanos) {
        if (elapsedNanos <= 0 || after < before) {
            return 0;
        }
        return (long) ((after - before) * (1_000_000_000.0 / elapsedNanos));
    }

    private static boolean isLoopback(NetworkIF networkInterface) {
        try {
            return networkInterface.queryNetworkInterface().isLoopback();
        } catch (SocketException | RuntimeException e) {
            return networkInterface.getName().equals("lo");
        }
    }

    private record Sample(
            long nanoTime,
            long[] cpuTicks,
            long bytesReceived,
            long bytesSent,
            long memTotal,
            long memAvailable,
            long uptimeSeconds) {}
}
