package io.pgnode.host.wire;

import static java.util.Objects.requireNonNull;

/**
 * What the messages of one request may still cost once parsed ({@link BodyLimit#maxParsedBytes()}): a budget
 * for one message, or one for all the chunks of a chunked user upload, which are held until the last one. Each
 * message is charged its {@link ParsedSize} before it is parsed. Not thread-safe: one request's messages are
 * parsed one after the other.
 */
public final class ParseBudget {

    private final BodyLimit limit;
    private final String what;
    private long spent;

    /** @param what the request as its error names it, e.g. "The request body", "The chunked user upload" */
    public ParseBudget(BodyLimit limit, String what) {
        this.limit = requireNonNull(limit, "limit is null");
        this.what = requireNonNull(what, "what is null");
    }

    /**
     * Charges a message's estimate; 413 / RESOURCE_EXHAUSTED {@code BODY_TOO_LARGE} when the request's messages
     * together would then cost more than the limit (nothing is charged then).
     */
    public void charge(long estimate) {
        long total = spent + estimate;
        if (total > limit.maxParsedBytes()) {
            throw limit.parsedExceeded(what, total);
        }
        spent = total;
    }
}
