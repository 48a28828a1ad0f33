package io.pgnode.host.rest;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.pgnode.host.error.ErrorCode;
import io.pgnode.host.error.NodeException;
import io.pgnode.host.wire.BodyLimit;
import io.pgnode.host.wire.ParseBudget;
import io.pgnode.host.wire.RequestMessages;
import io.pgnode.host.wire.UsersChunkAssembler;
import io.pgnode.proto.UsersChunk;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.Consumer;

/**
 * Reads the body of {@code PUT /users/sync/chunked}: frames of {@code [uvarint length][UsersChunk]} one after
 * the other until the body ends (what {@code writeDelimitedTo} writes). The body as a whole is within the
 * node's body limit (it was received before); a frame may announce at most 64 MiB. All frames together are
 * charged to one {@link ParseBudget} before each is parsed, because the upload holds them until its end.
 */
final class ChunkedUsersBody {

    private static final RequestMessages<UsersChunk> CHUNKS = RequestMessages.of(UsersChunk.getDefaultInstance());

    private ChunkedUsersBody() {}

    /** Hands each chunk to {@code sink} in arrival order. */
    static void read(InputStream body, BodyLimit limit, Consumer<UsersChunk> sink) {
        ParseBudget budget = new ParseBudget(limit, UsersChunkAssembler.UPLOAD);
        try {
            for (int frame = 1; ; frame++) {
                int first = body.read();
                if (first == -1) {
                    return;
                }
                int size = frameSize(first, body, frame);
                byte[] bytes = body.readNBytes(size);
                if (bytes.length < size) {
                    throw invalid("frame " + frame + " is truncated: its prefix announces " + size + " bytes, the body "
                            + "ends after " + bytes.length);
                }
                try {
                    sink.accept(CHUNKS.parse(bytes, budget));
                } catch (InvalidProtocolBufferException e) {
                    throw new NodeException(ErrorCode.INVALID_PROTOBUF,
                            "Frame " + frame + " of the chunked upload is not a valid UsersChunk (" + e.getMessage() + ").");
                }
            }
        } catch (IOException e) {
            throw invalid("it could not be read (" + e.getMessage() + ")");
        }
    }

    private static int frameSize(int firstByte, InputStream body, int frame) throws IOException {
        int size;
        try {
            size = CodedInputStream.readRawVarint32(firstByte, body);
        } catch (InvalidProtocolBufferException e) {
            throw invalid("the length prefix of frame " + frame + " is cut off or malformed");
        }
        if (size < 0 || size > BodyLimit.CONTRACT_MAX_BYTES) {
            throw invalid("frame " + frame + " announces " + Integer.toUnsignedString(size) + " bytes; a frame may have "
                    + "at most " + BodyLimit.CONTRACT_MAX_BYTES);
        }
        return size;
    }

    private static NodeException invalid(String problem) {
        return new NodeException(ErrorCode.INVALID_CHUNKS, "The chunked user upload is invalid: " + problem + ".");
    }
}
