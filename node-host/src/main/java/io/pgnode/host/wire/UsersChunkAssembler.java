package io.pgnode.host.wire;

import static java.util.Objects.requireNonNull;

import io.pgnode.host.error.ErrorCode;
import io.pgnode.host.error.NodeException;
import io.pgnode.proto.User;
import io.pgnode.proto.UsersChunk;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Puts a chunked user upload back together, for both transports. Chunks may arrive in any order; a complete
 * upload has indices 0..n-1 each exactly once and exactly one chunk marked last, the one with the highest
 * index. Anything else is a 400 {@code INVALID_CHUNKS} and nothing is applied. All the chunks together may
 * have at most the node's {@link BodyLimit} of bytes: the upload is held until its last chunk, and an upload
 * that never ends must not take the heap with it.
 */
public final class UsersChunkAssembler {

    /** The upload as its errors name it. */
    public static final String UPLOAD = "The chunked user upload";

    private final BodyLimit limit;
    private final NavigableMap<Long, UsersChunk> chunks = new TreeMap<>();
    private long bytes;
    private Long lastIndex;

    /**
     * @param limit what all chunks together may have on the wire (their encoded size; each transport charges their
     *     parsed size to the upload's {@link ParseBudget} as it parses them)
     */
    public UsersChunkAssembler(BodyLimit limit) {
        this.limit = requireNonNull(limit, "limit is null");
    }

    /**
     * Takes one chunk; fails at once on a repeated index, a second last chunk, or when the chunks so far exceed
     * the limit (413 {@code BODY_TOO_LARGE}; the chunks taken are dropped).
     */
    public void add(UsersChunk chunk) {
        bytes += chunk.getSerializedSize();
        if (bytes > limit.maxBytes()) {
            chunks.clear();
            throw limit.exceeded(UPLOAD);
        }
        long index = chunk.getIndex();
        if (index < 0) {
            throw invalid("chunk index " + Long.toUnsignedString(index) + " is out of range");
        }
        if (chunks.containsKey(index)) {
            throw invalid("chunk index " + index + " arrived twice");
        }
        if (chunk.getLast()) {
            if (lastIndex != null) {
                throw invalid("chunks " + lastIndex + " and " + index + " are both marked last");
            }
            lastIndex = index;
        }
        chunks.put(index, chunk);
    }

    /** The users of every chunk in index order, once the upload is complete. */
    public List<User> users() {
        if (chunks.isEmpty()) {
            throw invalid("no chunk arrived");
        }
        if (lastIndex == null) {
            throw invalid("no chunk is marked last, so the upload is incomplete");
        }
        if (chunks.lastKey() > lastIndex) {
            throw invalid("chunk " + lastIndex + " is marked last but chunk " + chunks.lastKey() + " comes after it");
        }
        long expected = 0;
        List<User> users = new ArrayList<>();
        for (var entry : chunks.entrySet()) {
            if (entry.getKey() != expected) {
                throw invalid("chunk " + expected + " is missing");
            }
            users.addAll(entry.getValue().getUsersList());
            expected++;
        }
        return users;
    }

    private static NodeException invalid(String problem) {
        return new NodeException(ErrorCode.INVALID_CHUNKS, "The chunked user upload is invalid: " + problem + ".");
    }
}
