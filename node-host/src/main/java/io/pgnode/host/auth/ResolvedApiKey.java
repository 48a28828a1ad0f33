package io.pgnode.host.auth;

import static java.util.Objects.requireNonNull;

/**
 * The API key a boot settled on.
 *
 * @param key the key
 * @param origin where it lives, as a phrase: {@code "from API_KEY"} or {@code "in /var/lib/pg-node/api_key"}
 * @param generated whether this boot generated it (the first run)
 */
public record ResolvedApiKey(ApiKey key, String origin, boolean generated) {

    public ResolvedApiKey {
        requireNonNull(key, "key is null");
        requireNonNull(origin, "origin is null");
    }

    /** The key in full on the run that generated it, the only time the node shows it; masked afterwards. */
    public String forOperator() {
        return generated ? key.reveal() : key.masked() + " (" + origin + ")";
    }

    @Override
    public String toString() {
        return "ResolvedApiKey[" + key.masked() + " " + origin + (generated ? ", generated" : "") + "]";
    }
}
