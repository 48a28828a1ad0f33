package io.pgnode.plugin.xray;

import java.util.UUID;

/**
 * The id of a VMess or VLESS account. A UUID (32 hex digits, dashes anywhere) is held as its 128 bits and
 * written in the canonical form the cores parse: 32 bytes instead of about 80 for its text, which with
 * 100,000 users in two inbounds is close to 10 MB of heap. Anything else (Xray maps a short string to a
 * UUIDv5) is held as given. {@code toString} never shows the id in full.
 *
 * @param high the UUID's most significant 64 bits (0 for a short id)
 * @param low the UUID's least significant 64 bits (0 for a short id)
 * @param shortId the id as given when it is not a UUID, else null
 */
record AccountId(long high, long low, String shortId) {

    /** The id as the panel sent it; assumes it was checked (a UUID, or a short id on Xray). */
    static AccountId of(String id) {
        if (!ManagedInbound.isUuid(id)) {
            return new AccountId(0, 0, id);
        }
        long high = 0;
        long low = 0;
        int digits = 0;
        for (int i = 0; i < id.length(); i++) {
            int digit = Character.digit(id.charAt(i), 16);
            if (digit < 0) {
                continue; // a dash
            }
            if (digits++ < 16) {
                high = high << 4 | digit;
            } else {
                low = low << 4 | digit;
            }
        }
        return new AccountId(high, low, null);
    }

    /** The id as written into the core's config and AlterInbound calls. */
    String text() {
        return shortId != null ? shortId : new UUID(high, low).toString();
    }

    @Override
    public String toString() {
        return InboundAccount.mask(text());
    }
}
