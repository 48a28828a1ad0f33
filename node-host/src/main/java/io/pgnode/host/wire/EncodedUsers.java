package io.pgnode.host.wire;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import io.pgnode.proto.User;
import io.pgnode.proto.Users;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.RandomAccess;

/**
 * A {@code Users} message (a full sync) kept as it came, its wire bytes, and read one user at a time.
 *
 * <p>Why not the parsed message: parsed, a panel's user costs about four times its wire size (see
 * {@link BodyLimit}), some 100 MB of small objects for 100,000 users, which stay alive while the backend works
 * through them. The collector then copies them from the young generation into the old one and marks them again
 * in every full collection while the heap grows for them: with 100,000 users that was most of a sync's own time,
 * and it grew faster than the user count. Kept as bytes, the message is one array the collector never looks
 * into, and each user read from it is garbage again before the next young collection.
 *
 * <p>The message is checked when it is taken ({@link #of}): every user must parse, so a message that does not is
 * refused before anything is applied, as a parsed one would be. Reading a user then parses it again; no error is
 * left for that. It is charged to the request's {@link ParseBudget} as if parsed all at once: the backend ends up
 * holding every user, so a message too big to parse is still too big to take.
 */
public final class EncodedUsers extends AbstractList<User> implements RandomAccess {

    /** {@code repeated User users = 1;} */
    private static final int USERS_TAG = Users.USERS_FIELD_NUMBER << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED;

    private final byte[] bytes;
    private final int[] offsets;
    private final int[] lengths;
    private final int firstWithoutEmail;

    private EncodedUsers(byte[] bytes, int[] offsets, int[] lengths, int firstWithoutEmail) {
        this.bytes = bytes;
        this.offsets = offsets;
        this.lengths = lengths;
        this.firstWithoutEmail = firstWithoutEmail;
    }

    /**
     * The message in {@code bytes}, which it keeps (not copied: the caller hands them over and never changes them),
     * once the budget took its estimated parsed size. Fields other than the users are skipped, as protobuf skips
     * unknown fields.
     *
     * @throws io.pgnode.host.error.NodeException {@code BODY_TOO_LARGE} when the budget does not cover it
     * @throws InvalidProtocolBufferException when the bytes are not a valid {@code Users} message
     */
    public static EncodedUsers of(byte[] bytes, ParseBudget budget) throws InvalidProtocolBufferException {
        requireNonNull(bytes, "bytes is null");
        budget.charge(ParsedSize.of(Users.getDescriptor(), bytes));
        int[] offsets = new int[16];
        int[] lengths = new int[16];
        int count = 0;
        int firstWithoutEmail = -1;
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        try {
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                if (tag != USERS_TAG) {
                    if (!in.skipField(tag)) {
                        // what the generated parser says of an end-group tag at the top of a message
                        throw new InvalidProtocolBufferException(
                                "Protocol message end-group tag did not match expected tag.");
                    }
                    continue;
                }
                int length = in.readRawVarint32();
                int offset = in.getTotalBytesRead();
                in.skipRawBytes(length); // refuses a negative length and one past the end
                // parsed now to check it (the objects die young); get(i) parses it again
                User user = User.parser().parseFrom(bytes, offset, length);
                if (firstWithoutEmail < 0 && user.getEmail().isBlank()) {
                    firstWithoutEmail = count;
                }
                if (count == offsets.length) {
                    offsets = Arrays.copyOf(offsets, count * 2);
                    lengths = Arrays.copyOf(lengths, count * 2);
                }
                offsets[count] = offset;
                lengths[count] = length;
                count++;
            }
        } catch (InvalidProtocolBufferException e) {
            throw e;
        } catch (IOException e) {
            throw new InvalidProtocolBufferException(e); // a byte array has no other I/O error; kept for the signature
        }
        return new EncodedUsers(bytes, Arrays.copyOf(offsets, count), Arrays.copyOf(lengths, count),
                firstWithoutEmail);
    }

    /** The user at {@code index}, parsed from the bytes anew on each call. */
    @Override
    public User get(int index) {
        try {
            return User.parser().parseFrom(bytes, offsets[index], lengths[index]);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("user " + index + " parsed when the message was taken", e);
        }
    }

    @Override
    public int size() {
        return offsets.length;
    }

    /** The message's bytes, as they came. */
    public InputStream newInput() {
        return new ByteArrayInputStream(bytes);
    }

    /** The index of the first user whose email is blank, or -1 when every user has one. */
    int firstWithoutEmail() {
        return firstWithoutEmail;
    }
}
