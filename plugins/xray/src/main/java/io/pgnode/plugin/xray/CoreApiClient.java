package io.pgnode.plugin.xray;

import static java.util.Objects.requireNonNull;

import io.grpc.CallOptions;
import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.pgnode.plugin.xray.api.AddUserOperation;
import io.pgnode.plugin.xray.api.AlterInboundRequest;
import io.pgnode.plugin.xray.api.AlterInboundResponse;
import io.pgnode.plugin.xray.api.CoreUser;
import io.pgnode.plugin.xray.api.GetStatsRequest;
import io.pgnode.plugin.xray.api.QueryStatsRequest;
import io.pgnode.plugin.xray.api.RemoveUserOperation;
import io.pgnode.plugin.xray.api.SysStatsRequest;
import io.pgnode.plugin.xray.api.SysStatsResponse;
import io.pgnode.plugin.xray.api.TypedMessage;
import io.pgnode.spi.BackendException;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Talks to one running core's gRPC API, in the core's flavor: AlterInbound (asynchronous, so that big
 * diffs can be pipelined), QueryStats, GetStats, GetSysStats and the Xray-only online statistics.
 *
 * <p>Every call has a deadline, so that a core that hangs (stopped, deadlocked) costs a panel call seconds, not
 * minutes. The deadlines are far above what a healthy core needs: one AlterInbound takes ~0.3 ms, a GetStats
 * ~3 ms, a QueryStats of 100,000 users' 200,000 counters 0.16-0.67 s on v2ray 4.34 here (1.8 s for the first,
 * cold one; the reply is ~16 MB). A read with reset whose answer misses its deadline may have zeroed counters
 * whose values never arrive, so QueryStats gets the most room.
 */
final class CoreApiClient implements AutoCloseable {

    /**
     * One AlterInbound call, counted from when it is sent (at most {@link LiveUserUpdater#MAX_IN_FLIGHT} are). A
     * missed one makes the sync give the core up and restart it with the full set (every connection dropped), so
     * it is generous: a core on a machine under load (load average 10 on 2 cores) missed 5 s with calls that
     * all succeeded later.
     */
    static final Duration ALTER_DEADLINE = Duration.ofSeconds(15);
    /** A read of one counter or of figures: GetStats, GetSysStats, online stats. */
    static final Duration READ_DEADLINE = Duration.ofSeconds(5);
    /** A QueryStats, which may hold every counter of 100,000 users. */
    static final Duration QUERY_DEADLINE = Duration.ofSeconds(10);

    private final ManagedChannel channel;
    private final CoreFlavor flavor;
    private final CoreApiMethods methods;

    /**
     * Set when a QueryStats with reset failed: its answer may have been lost after the core zeroed what it held.
     * Under load the v2fly core's big answers arrived broken for seconds at a time (README, "Benchmarks"), and
     * every read with reset in such a spell loses what it reset; so until an answer arrives readable again, each
     * read with reset is first made without reset, and goes ahead only if that one reads.
     */
    private volatile boolean resetReadFailed;

    CoreApiClient(ManagedChannel channel, CoreFlavor flavor) {
        this.channel = requireNonNull(channel, "channel is null");
        this.flavor = requireNonNull(flavor, "flavor is null");
        this.methods = CoreApiMethods.of(flavor);
    }

    /** The channel to the core's API, for the services other roles call (routing, the observatory). */
    ManagedChannel channel() {
        return channel;
    }

    /** Adds the user to the inbound. Completes exceptionally with the core's {@link StatusRuntimeException}. */
    CompletableFuture<Void> addUser(String tag, String email, InboundAccount account) {
        CoreUser user = CoreUser.newBuilder()
                .setLevel(InboundAccount.LEVEL)
                .setEmail(email)
                .setAccount(account.toTypedMessage(flavor))
                .build();
        return alter(tag, typed("app.proxyman.command.AddUserOperation",
                AddUserOperation.newBuilder().setUser(user).build().toByteString()));
    }

    /** Removes the user from the inbound. Completes exceptionally with the core's {@link StatusRuntimeException}. */
    CompletableFuture<Void> removeUser(String tag, String email) {
        return alter(tag, typed("app.proxyman.command.RemoveUserOperation",
                RemoveUserOperation.newBuilder().setEmail(email).build().toByteString()));
    }

    private TypedMessage typed(String relativeName, com.google.protobuf.ByteString value) {
        return TypedMessage.newBuilder().setType(flavor.typeName(relativeName)).setValue(value).build();
    }

    private CompletableFuture<Void> alter(String tag, TypedMessage operation) {
        AlterInboundRequest request = AlterInboundRequest.newBuilder().setTag(tag).setOperation(operation).build();
        CompletableFuture<Void> done = new CompletableFuture<>();
        ClientCalls.asyncUnaryCall(channel.newCall(methods.alterInbound(), deadline(ALTER_DEADLINE)), request,
                new StreamObserver<AlterInboundResponse>() {
                    @Override
                    public void onNext(AlterInboundResponse value) {}

                    @Override
                    public void onError(Throwable t) {
                        done.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        done.complete(null);
                    }
                });
        return done;
    }

    /**
     * The counters whose names contain {@code pattern} (a plain substring; empty = all), within
     * {@link #QUERY_DEADLINE}.
     *
     * @param reset zero the counters after reading them; the answer holds the values before the reset
     */
    CoreCounters queryStats(String pattern, boolean reset) {
        return queryStats(pattern, reset, after(QUERY_DEADLINE));
    }

    /**
     * As {@link #queryStats(String, boolean)}, by a deadline shared with other calls. After a read with reset
     * failed, a read with reset is first made without reset ({@link #resetReadFailed}).
     */
    CoreCounters queryStats(String pattern, boolean reset, Deadline deadline) {
        if (reset && resetReadFailed) {
            readWithoutReset(pattern, deadline);
            resetReadFailed = false;
        }
        QueryStatsRequest request = QueryStatsRequest.newBuilder().setPattern(pattern).setReset(reset).build();
        try {
            return call(methods.queryStats(), request, deadline, "QueryStats");
        } catch (BackendException e) {
            if (!reset) {
                throw e;
            }
            resetReadFailed = true;
            throw unreadableAfterReset(e);
        }
    }

    /** The same counters read and dropped, to learn whether the core's answers read again; nothing is reset. */
    private void readWithoutReset(String pattern, Deadline deadline) {
        try (CoreCounters ignored = queryStats(pattern, false, deadline)) {
            // readable: the read with reset goes ahead
        } catch (BackendException e) {
            throw new BackendException(e.kind(), e.getMessage() + "; after an earlier read with reset failed this one"
                    + " was made without reset, so the core still counts that traffic", e);
        }
    }

    /**
     * One counter by its exact name (GetStats), or empty when the core has no counter of that name (it creates
     * them with the first traffic).
     *
     * @param reset zero the counter after reading it; the answer is the value before the reset
     */
    OptionalLong counter(String name, boolean reset, Deadline deadline) {
        GetStatsRequest request = GetStatsRequest.newBuilder().setName(name).setReset(reset).build();
        try {
            return OptionalLong.of(call(methods.getStats(), request, deadline, "GetStats").getStat().getValue());
        } catch (BackendException e) {
            if (e.kind() == BackendException.Kind.NOT_FOUND) {
                return OptionalLong.empty();
            }
            throw e;
        }
    }

    /** The core's runtime figures; also the health probe. Throws {@link BackendException} FAILURE. */
    SysStatsResponse sysStats(Duration timeout) {
        return call(methods.getSysStats(), SysStatsRequest.getDefaultInstance(), after(timeout), "GetSysStats");
    }

    /** Distinct source IPs the user is connected from now (Xray only: v2fly answers UNIMPLEMENTED). */
    long onlineCount(String email) {
        return call(methods.getStatsOnline(), onlineRequest(email), after(READ_DEADLINE), "GetStatsOnline")
                .getStat().getValue();
    }

    /** Source IP → last seen (Unix seconds) for the user (Xray only: v2fly answers UNIMPLEMENTED). */
    Map<String, Long> onlineIps(String email) {
        return call(methods.getStatsOnlineIpList(), onlineRequest(email), after(READ_DEADLINE), "GetStatsOnlineIpList")
                .getIpsMap();
    }

    private static GetStatsRequest onlineRequest(String email) {
        return GetStatsRequest.newBuilder().setName("user>>>" + email + ">>>online").build();
    }

    private <Q, R> R call(MethodDescriptor<Q, R> method, Q request, Deadline deadline, String name) {
        try {
            return ClientCalls.blockingUnaryCall(channel, method, CallOptions.DEFAULT.withDeadline(deadline), request);
        } catch (StatusRuntimeException e) {
            throw translate(name, e);
        }
    }

    private static Deadline after(Duration timeout) {
        return Deadline.after(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static CallOptions deadline(Duration timeout) {
        return CallOptions.DEFAULT.withDeadline(after(timeout));
    }

    /**
     * The core's answer as the SPI's error: a missing record (NOT_FOUND on Xray, UNKNOWN "... not found." on
     * older cores) is NOT_FOUND, a method the core lacks is UNSUPPORTED, the rest FAILURE with the core's words.
     */
    static BackendException translate(String call, StatusRuntimeException e) {
        Status status = e.getStatus();
        String description = status.getDescription() == null ? "" : status.getDescription();
        if (status.getCode() == Status.Code.NOT_FOUND
                || (status.getCode() == Status.Code.UNKNOWN && isNotFound(description))) {
            return new BackendException(BackendException.Kind.NOT_FOUND, "the core has no record of that: " + description, e);
        }
        if (status.getCode() == Status.Code.UNIMPLEMENTED) {
            return new BackendException(BackendException.Kind.UNSUPPORTED, "the running core does not support " + call, e);
        }
        if (status.getCode() == Status.Code.DEADLINE_EXCEEDED) {
            return new BackendException(BackendException.Kind.FAILURE, "the core did not answer " + call
                    + " in time (" + description + "); it may be hung: the node probes it and restarts it if it is", e);
        }
        return new BackendException(BackendException.Kind.FAILURE,
                "the core's API failed on " + call + ": " + status.getCode() + " " + description + causeOf(status), e);
    }

    /** What failed on the node's side of a call (a transport or parsing error), in the words of its exception. */
    private static String causeOf(Status status) {
        Throwable cause = status.getCause();
        return cause == null ? "" : " (" + (cause instanceof CoreCounters.UnreadableAnswer ? cause.getMessage() : cause)
                + ")";
    }

    /**
     * A read with reset whose answer arrived unreadable: the core zeroed the counters when it answered, so what
     * they held is gone, and the error says so (it goes to the node's log and to the panel).
     */
    private static BackendException unreadableAfterReset(BackendException e) {
        if (e.getCause() instanceof StatusRuntimeException failed
                && failed.getStatus().getCause() instanceof CoreCounters.UnreadableAnswer) {
            return new BackendException(e.kind(), e.getMessage() + "; the core had zeroed the counters it answered"
                    + " with, so the traffic they held since they were last read is lost", e);
        }
        return e;
    }

    /** Core errors carry Go error chains; match the trailing words, not the package prefix (XRAY-API.md §7). */
    static boolean isNotFound(String description) {
        return description.endsWith("not found.");
    }

    static boolean isAlreadyExists(String description) {
        return description.endsWith("already exists.");
    }

    /**
     * Whether an AlterInbound error says the core could not take the user's account itself: both cores word every
     * such refusal (no account, an account type they do not know, an id that is not a UUID) as "failed to parse
     * user" (XRAY-API.md §7).
     */
    static boolean isUserRefused(String description) {
        return description != null && description.contains("failed to parse user");
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
