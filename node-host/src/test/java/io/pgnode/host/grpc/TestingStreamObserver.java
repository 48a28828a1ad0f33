package io.pgnode.host.grpc;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records what a server sent on a stream, for tests to await. */
final class TestingStreamObserver<T> implements StreamObserver<T> {

    private final List<T> values = new CopyOnWriteArrayList<>();
    private volatile Throwable error;
    private volatile boolean completed;

    @Override
    public void onNext(T value) {
        values.add(value);
    }

    @Override
    public void onError(Throwable t) {
        error = t;
    }

    @Override
    public void onCompleted() {
        completed = true;
    }

    List<T> values() {
        return List.copyOf(values);
    }

    boolean isDone() {
        return completed || error != null;
    }

    boolean isCompleted() {
        return completed;
    }

    Status status() {
        return error == null ? Status.OK : Status.fromThrowable(error);
    }

    Throwable error() {
        return error;
    }
}
