package io.pgnode.host.wire;

import com.google.protobuf.DiscardUnknownFieldsParser;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;

/**
 * Parses a request message the way both transports must: only when the request's {@link ParseBudget} covers its
 * estimated {@link ParsedSize}, and with unknown fields dropped. protobuf-java keeps unknown fields otherwise,
 * at about 30 times their wire size, and the node never reads them.
 *
 * @param <T> the message type
 */
public final class RequestMessages<T extends Message> {

    private final Parser<T> parser;
    private final T prototype;

    private RequestMessages(T prototype) {
        this.prototype = prototype;
        this.parser = DiscardUnknownFieldsParser.wrap(castParser(prototype));
    }

    /** The parser of messages like {@code prototype} (e.g. {@code Users.getDefaultInstance()}). */
    public static <T extends Message> RequestMessages<T> of(T prototype) {
        return new RequestMessages<>(prototype);
    }

    /** The message's name, e.g. "Users". */
    public String messageName() {
        return prototype.getDescriptorForType().getName();
    }

    /**
     * The message in {@code bytes}, once the budget took its estimated parsed size.
     *
     * @throws io.pgnode.host.error.NodeException {@code BODY_TOO_LARGE} when the budget does not cover it
     *     (nothing was parsed)
     * @throws InvalidProtocolBufferException when the bytes are not such a message
     */
    public T parse(byte[] bytes, ParseBudget budget) throws InvalidProtocolBufferException {
        budget.charge(ParsedSize.of(prototype.getDescriptorForType(), bytes));
        return parser.parseFrom(bytes);
    }

    @SuppressWarnings("unchecked") // a message's parser parses messages of its own type
    private static <T extends Message> Parser<T> castParser(T prototype) {
        return (Parser<T>) prototype.getParserForType();
    }
}
