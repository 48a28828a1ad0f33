package io.pgnode.host.grpc;

import com.google.protobuf.InvalidProtocolBufferException;
import io.pgnode.host.wire.BodyLimit;
import io.pgnode.host.wire.EncodedUsers;
import io.pgnode.host.wire.ParseBudget;
import java.io.IOException;
import java.io.InputStream;

/**
 * SyncUsers' request as the node takes it: the {@code Users} message's bytes, read one user at a time as the
 * backend applies them ({@link EncodedUsers}), instead of the parsed message. The method on the wire is the same.
 */
enum EncodedUsersMarshaller implements RequestParsing.WireBytesMarshaller<EncodedUsers> {
    INSTANCE;

    @Override
    public String messageName() {
        return "Users";
    }

    @Override
    public EncodedUsers decode(byte[] bytes, ParseBudget budget) throws InvalidProtocolBufferException {
        return EncodedUsers.of(bytes, budget);
    }

    @Override
    public InputStream stream(EncodedUsers users) {
        return users.newInput();
    }

    /** Only for a server without {@link RequestParsing}, which hands over every message as it came. */
    @Override
    public EncodedUsers parse(InputStream stream) {
        try {
            return EncodedUsers.of(stream.readAllBytes(), new ParseBudget(BodyLimit.forThisJvm(), "The Users message"));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read a Users message: " + e.getMessage(), e);
        }
    }
}
