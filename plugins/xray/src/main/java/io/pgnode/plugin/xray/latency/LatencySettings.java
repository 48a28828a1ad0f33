package io.pgnode.plugin.xray.latency;

import static java.util.Objects.requireNonNull;

import io.pgnode.spi.BackendException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * How the node measures an outbound's latency itself: the URL each probe asks for (a HEAD request through the
 * outbound) and how long a probe may take.
 *
 * @param testUrl XRAY_LATENCY_TEST_URL, an http or https URL
 * @param timeout XRAY_LATENCY_TIMEOUT, in whole seconds (1 to 60)
 */
public record LatencySettings(URI testUrl, Duration timeout) {

    public static final String TEST_URL = "XRAY_LATENCY_TEST_URL";
    public static final String TIMEOUT = "XRAY_LATENCY_TIMEOUT";
    public static final Set<String> NAMES = Set.of(TEST_URL, TIMEOUT);

    /** What Chromium asks to learn that it is online: a 204 from Google's edge, near everywhere. */
    public static final URI DEFAULT_TEST_URL = URI.create("https://www.gstatic.com/generate_204");
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    private static final long MAX_TIMEOUT_SECONDS = 60;

    public LatencySettings {
        requireNonNull(testUrl, "testUrl is null");
        requireNonNull(timeout, "timeout is null");
    }

    /**
     * Reads the settings the host passed; a missing or blank one takes its default.
     *
     * @throws BackendException {@code INVALID_CONFIG} naming the setting and its bad value
     */
    public static LatencySettings from(Map<String, String> settings) {
        return new LatencySettings(value(settings, TEST_URL).map(LatencySettings::url).orElse(DEFAULT_TEST_URL),
                value(settings, TIMEOUT).map(LatencySettings::seconds).orElse(DEFAULT_TIMEOUT));
    }

    private static Optional<String> value(Map<String, String> settings, String name) {
        return Optional.ofNullable(settings.get(name)).map(String::strip).filter(v -> !v.isEmpty());
    }

    private static URI url(String value) {
        URI url;
        try {
            url = new URI(value);
        } catch (URISyntaxException e) {
            throw invalid(TEST_URL, value, "is not a URL");
        }
        if (!"http".equalsIgnoreCase(url.getScheme()) && !"https".equalsIgnoreCase(url.getScheme())
                || url.getHost() == null) {
            throw invalid(TEST_URL, value, "must be an http:// or https:// URL with a host");
        }
        return url;
    }

    private static Duration seconds(String value) {
        long seconds;
        try {
            seconds = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw invalid(TIMEOUT, value, "must be a whole number of seconds");
        }
        if (seconds < 1 || seconds > MAX_TIMEOUT_SECONDS) {
            throw invalid(TIMEOUT, value, "must be between 1 and " + MAX_TIMEOUT_SECONDS + " seconds");
        }
        return Duration.ofSeconds(seconds);
    }

    private static BackendException invalid(String name, String value, String problem) {
        return new BackendException(BackendException.Kind.INVALID_CONFIG, "setting " + name + "=\"" + value + "\" "
                + problem);
    }
}
