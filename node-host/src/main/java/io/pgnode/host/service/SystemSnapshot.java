package io.pgnode.host.service;

/**
 * The machine's figures as the panel shows them.
 *
 * @param memTotal bytes of RAM
 * @param memUsed bytes of RAM in use (total minus available)
 * @param cpuCores logical processors
 * @param cpuUsage percent busy over the last sampling interval, 0 to 100
 * @param incomingBytesPerSecond received on non-loopback interfaces over the last interval
 * @param outgoingBytesPerSecond sent on non-loopback interfaces over the last interval
 * @param uptimeSeconds seconds since the machine booted
 */
public record SystemSnapshot(
        long memTotal,
        long memUsed,
        long cpuCores,
        double cpuUsage,
        long incomingBytesPerSecond,
        long outgoingBytesPerSecond,
        long uptimeSeconds) {}
