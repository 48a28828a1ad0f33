package io.pgnode.host.auth;

import static java.util.Objects.requireNonNull;

import io.pgnode.host.error.ErrorCode;
import io.pgnode.host.error.NodeException;
import java.util.Locale;

/**
 * Checks the API key of one request, for both transports, so that REST and gRPC accept and refuse exactly
 * the same requests. The key comes in {@code x-api-key} (what the panel sends) or
 * {@code Authorization: Bearer <key>}; when both are present, {@code x-api-key} is the one checked.
 */
public final class RequestAuthenticator {

    /** The header and gRPC metadata key the panel uses. */
    public static final String API_KEY_HEADER = "x-api-key";

    private static final String BEARER = "bearer ";

    private final ApiKey apiKey;
    private final Runnable onAuthenticated;

    /**
     * @param apiKey the node's key
     * @param onAuthenticated runs after every successful check (the keepAlive clock listens)
     */
    public RequestAuthenticator(ApiKey apiKey, Runnable onAuthenticated) {
        this.apiKey = requireNonNull(apiKey, "apiKey is null");
        this.onAuthenticated = requireNonNull(onAuthenticated, "onAuthenticated is null");
    }

    /**
     * @param authorization the {@code Authorization} header, or null
     * @param xApiKey the {@code x-api-key} header, or null
     * @throws NodeException {@code MISSING_API_KEY} or {@code INVALID_API_KEY}
     */
    public void authenticate(String authorization, String xApiKey) {
        ApiKey presented = ApiKey.parse(presentedKey(authorization, xApiKey)).orElseThrow(() -> new NodeException(
                ErrorCode.INVALID_API_KEY, "The API key is not a UUID; send the node's API key."));
        if (!apiKey.matches(presented)) {
            throw new NodeException(ErrorCode.INVALID_API_KEY, "The API key is not this node's API key.");
        }
        onAuthenticated.run();
    }

    private static String presentedKey(String authorization, String xApiKey) {
        if (xApiKey != null && !xApiKey.isBlank()) {
            return xApiKey.strip();
        }
        if (authorization != null && !authorization.isBlank()) {
            String value = authorization.strip();
            if (!value.toLowerCase(Locale.ROOT).startsWith(BEARER)) {
                throw new NodeException(ErrorCode.INVALID_API_KEY,
                        "The Authorization header must be 'Bearer <API key>'.");
            }
            return value.substring(BEARER.length()).strip();
        }
        throw new NodeException(ErrorCode.MISSING_API_KEY,
                "This request needs the node's API key, in an 'x-api-key' header or as 'Authorization: Bearer <key>'.");
    }
}
