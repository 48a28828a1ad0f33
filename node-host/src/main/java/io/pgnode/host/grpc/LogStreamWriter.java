package io.pgnode.host.grpc;

import static java.util.Objects.requireNonNull;

import io.grpc.stub.ServerCallStreamObserver;
import io.pgnode.host.service.LogSubscription;
import io.pgnode.proto.Log;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Feeds a {@code GetLogs} stream from a log subscription without holding a thread: it drains whenever a line
 * arrives or the client can take more (gRPC flow control), and completes the stream when the subscription
 * ends. Drains never overlap, so the observer is only ever called by one thread at a time.
 */
final class LogStreamWriter {

    private final LogSubscription subscription;
    private final ServerCallStreamObserver<Log> observer;
    private final Executor executor;
    private final AtomicInteger pending = new AtomicInteger();
    private volatile boolean cancelled;
    private boolean completed;

    private LogStreamWriter(LogSubscription subscription, ServerCallStreamObserver<Log> observer, Executor executor) {
        this.subscription = requireNonNull(subscription, "subscription is null");
        this.observer = requireNonNull(observer, "observer is null");
        this.executor = requireNonNull(executor, "executor is null");
    }

    /** Must be called from the RPC method, before it returns. */
    static void start(LogSubscription subscription, ServerCallStreamObserver<Log> observer, Executor executor) {
        LogStreamWriter writer = new LogStreamWriter(subscription, observer, executor);
        observer.setOnCancelHandler(() -> {
            writer.cancelled = true;
            subscription.close();
        });
        observer.setOnReadyHandler(writer::schedule);
        subscription.onChange(writer::schedule);
    }

    private void schedule() {
        if (pending.getAndIncrement() == 0) {
            try {
                executor.execute(this::drain);
            } catch (RejectedExecutionException e) {
                cancelled = true; // the server is shutting down; the call ends with it
            }
        }
    }

    private void drain() {
        do {
            if (cancelled || completed) {
                continue;
            }
            while (observer.isReady()) {
                String line = subscription.poll();
                if (line == null) {
                    break;
                }
                observer.onNext(Log.newBuilder().setDetail(line).build());
            }
            if (subscription.isFinished()) {
                completed = true;
                observer.onCompleted();
            }
        } while (pending.decrementAndGet() != 0);
    }
}
