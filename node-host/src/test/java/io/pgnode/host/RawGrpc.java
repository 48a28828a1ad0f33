package io.pgnode.host;

import static java.util.Objects.requireNonNull;
import static org.awaitility.Awaitility.await;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptors;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.stub.MetadataUtils;
import io.pgnode.host.grpc.GrpcErrors;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Calls a node's gRPC methods with request messages as raw bytes, over a real TLS channel, as a client no
 * generated stub lets you be would (garbage, bytes chosen to cost the node much once parsed, unknown fields).
 */
public final class RawGrpc {

    /** How a call ended: its status and the node's error-code trailer (null if none). */
    public record Outcome(Status status, String errorCode) {}

    private final Channel channel;

    private RawGrpc(Channel channel) {
        this.channel = channel;
    }

    /** Calls through {@code channel} with the API key in {@code x-api-key}. */
    public static RawGrpc over(Channel channel, String apiKey) {
        Metadata key = new Metadata();
        key.put(Metadata.Key.of("x-api-key", Metadata.ASCII_STRING_MARSHALLER), requireNonNull(apiKey, "apiKey is null"));
        return new RawGrpc(ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(key)));
    }

    /** Calls the node's channel with its API key. */
    public static RawGrpc to(TestingNode node) {
        return over(node.channel(), node.apiKey());
    }

    /** Sends the messages as they are to the method, half-closes, and waits (at most a minute) for the call's end. */
    public Outcome call(String fullMethodName, byte[]... messages) {
        MethodDescriptor<byte[], byte[]> method = MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(MethodDescriptor.MethodType.UNKNOWN)
                .setFullMethodName(fullMethodName)
                .setRequestMarshaller(BytesMarshaller.INSTANCE)
                .setResponseMarshaller(BytesMarshaller.INSTANCE)
                .build();
        ClientCall<byte[], byte[]> call = channel.newCall(method, CallOptions.DEFAULT);
        List<Outcome> end = new CopyOnWriteArrayList<>();
        call.start(new ClientCall.Listener<>() {
            @Override
            public void onClose(Status status, Metadata trailers) {
                end.add(new Outcome(status, trailers.get(GrpcErrors.ERROR_CODE)));
            }
        }, new Metadata());
        call.request(Integer.MAX_VALUE);
        for (byte[] message : messages) {
            call.sendMessage(message);
        }
        call.halfClose();
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(20)).until(() -> !end.isEmpty());
        return end.get(0);
    }

    private enum BytesMarshaller implements MethodDescriptor.Marshaller<byte[]> {
        INSTANCE;

        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
