package io.pgnode.host;

import com.google.protobuf.UnknownFieldSet;
import io.pgnode.proto.User;
import io.pgnode.proto.Users;
import java.io.ByteArrayOutputStream;
import java.util.List;

/**
 * Request messages as an attacker writes them, as raw bytes: few on the wire, many times more in the heap once
 * parsed (empty users cost about 20 times their 2 bytes), or carrying fields the node does not know.
 */
public final class CostlyMessages {

    private CostlyMessages() {}

    /**
     * A {@code Users} message (or the users of a {@code UsersChunk}: the same field 1) of empty users,
     * {@code wireBytes} long (rounded down to an even number).
     */
    public static byte[] emptyUsers(int wireBytes) {
        byte[] bytes = new byte[wireBytes & ~1];
        for (int i = 0; i < bytes.length; i += 2) {
            bytes[i] = 0x0a; // field 1, length-delimited; the next byte, 0, is the user's length
        }
        return bytes;
    }

    /** A {@code UsersChunk} of empty users, about {@code wireBytes} long, never marked last. */
    public static byte[] emptyUsersChunk(long index, int wireBytes) {
        byte[] users = emptyUsers(wireBytes);
        ByteArrayOutputStream chunk = new ByteArrayOutputStream(users.length + 11);
        chunk.writeBytes(users);
        chunk.write(0x10); // field 2, the index
        writeVarint(chunk, index);
        return chunk.toByteArray();
    }

    /**
     * A {@code Users} message of {@code count} users, each with an email, one inbound and {@code unknownFields}
     * fields the node does not know (as a newer panel might send): protobuf-java would keep each at about 30
     * times its wire size.
     */
    public static Users usersWithUnknownFields(int count, int unknownFields) {
        UnknownFieldSet.Builder unknown = UnknownFieldSet.newBuilder();
        for (int field = 0; field < unknownFields; field++) {
            unknown.addField(100 + field, UnknownFieldSet.Field.newBuilder().addVarint(1_000 + field).build());
        }
        UnknownFieldSet fields = unknown.build();
        Users.Builder users = Users.newBuilder();
        for (int i = 0; i < count; i++) {
            users.addUsers(User.newBuilder().setEmail("u" + i).addInbounds("in-1").setUnknownFields(fields));
        }
        return users.build();
    }

    /** Messages as the frames of a REST chunked upload: each after its uvarint length. */
    public static byte[] frames(List<byte[]> messages) {
        ByteArrayOutputStream frames = new ByteArrayOutputStream();
        for (byte[] message : messages) {
            writeVarint(frames, message.length);
            frames.writeBytes(message);
        }
        return frames.toByteArray();
    }

    private static void writeVarint(ByteArrayOutputStream out, long value) {
        long rest = value;
        while ((rest & ~0x7fL) != 0) {
            out.write((int) (rest & 0x7f) | 0x80);
            rest >>>= 7;
        }
        out.write((int) rest);
    }
}
