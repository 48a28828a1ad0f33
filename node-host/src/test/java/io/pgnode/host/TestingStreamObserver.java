package io.pgnode.host;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records what a gRPC server sent on a stream, for tests to await ({@link #isDone()}) and inspect. */
public final class TestingStreamObserver<T> implements StreamObserver<T> {

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

    public List<T> values() {
        return List.copyOf(values);
    }

    public boolean isDone() {
        return completed || error != null;
    }

    public boolean isCompleted() {
        return completed;
    }

    public Status status() {
        return error == null ? Status.OK : Status.fromThrowable(error);
    }

    public Throwable error() {
        return error;
    }
}
