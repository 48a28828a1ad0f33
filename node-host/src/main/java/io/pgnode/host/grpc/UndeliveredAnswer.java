package io.pgnode.host.grpc;

import io.grpc.stub.ServerCallStreamObserver;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs an action once if a unary call's answer does not reach the client: the call was cancelled before the
 * answer was sent (the client gave up, its deadline passed) or the transport failed to deliver it. gRPC ends
 * every call either cleanly (close handler) or cancelled (cancel handler), never both.
 */
final class UndeliveredAnswer {

    private UndeliveredAnswer() {}

    /** Must be called from the call's handler, before it sends the answer. */
    static void watch(ServerCallStreamObserver<?> call, Runnable onUndelivered) {
        AtomicBoolean owed = new AtomicBoolean(true);
        Runnable once = () -> {
            if (owed.compareAndSet(true, false)) {
                onUndelivered.run();
            }
        };
        call.setOnCancelHandler(once);
        call.setOnCloseHandler(() -> owed.set(false));
        if (call.isCancelled()) {
            once.run(); // cancelled while the answer was being read: the handler above came too late for that
        }
    }
}
