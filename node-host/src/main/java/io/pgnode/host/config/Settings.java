package io.pgnode.host.config;

import static java.util.Objects.requireNonNull;

import io.pgnode.host.auth.ApiKey;
import io.pgnode.host.error.StartupException;
import io.pgnode.host.service.KeepAliveAction;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's own settings, typed and validated: the one place that knows every name, its default and how
 * it is checked. Sources and their precedence are {@link SettingSources}'. Plugins' settings are not
 * interpreted here; {@link #valuesOf(Set)} hands them over as found.
 */
public final class Settings {

    private static final Logger log = LoggerFactory.getLogger(Settings.class);

    public static final String GRPC_PORT = "GRPC_PORT";
    public static final String REST_PORT = "REST_PORT";
    public static final String SERVICE_PORT = "SERVICE_PORT";
    public static final String SERVICE_PROTOCOL = "SERVICE_PROTOCOL";
    public static final String NODE_HOST = "NODE_HOST";
    public static final String API_KEY = ApiKey.SETTING;
    public static final String SSL_CERT_FILE = "SSL_CERT_FILE";
    public static final String SSL_KEY_FILE = "SSL_KEY_FILE";
    public static final String DATA_DIR = "DATA_DIR";
    public static final String PLUGINS_DIR = "PLUGINS_DIR";
    public static final String TLS_SAN = "TLS_SAN";
    public static final String LOG_BUFFER_SIZE = "LOG_BUFFER_SIZE";
    public static final String LOG_BACKLOG_LINES = "LOG_BACKLOG_LINES";
    public static final String KEEP_ALIVE_ACTION = "KEEP_ALIVE_ACTION";
    public static final String USAGE_DRAIN_INTERVAL = "USAGE_DRAIN_INTERVAL";
    public static final String REST_BODY_TIMEOUT = "REST_BODY_TIMEOUT";

    /** Every name the host itself reads. */
    public static final Set<String> NAMES = Set.of(
            GRPC_PORT, REST_PORT, SERVICE_PORT, SERVICE_PROTOCOL, NODE_HOST, API_KEY, SSL_CERT_FILE,
            SSL_KEY_FILE, DATA_DIR, PLUGINS_DIR, TLS_SAN, LOG_BUFFER_SIZE, LOG_BACKLOG_LINES, KEEP_ALIVE_ACTION,
            USAGE_DRAIN_INTERVAL, REST_BODY_TIMEOUT);

    public static final int DEFAULT_GRPC_PORT = 62050;
    public static final int DEFAULT_REST_PORT = 62051;
    public static final String DEFAULT_NODE_HOST = "0.0.0.0";
    public static final String DEFAULT_DATA_DIR = "data";
    public static final int DEFAULT_LOG_BUFFER_SIZE = 10_000;
    public static final int DEFAULT_LOG_BACKLOG_LINES = 100;
    /** The longest fixed drain interval, seconds: an hour of traffic is what a crash could lose then. */
    public static final int MAX_USAGE_DRAIN_INTERVAL = 3600;
    public static final int DEFAULT_REST_BODY_TIMEOUT_SECONDS = 60;

    private final SettingSources sources;
    private final int grpcPort;
    private final int restPort;
    private final String nodeHost;
    private final Optional<ApiKey> apiKey;
    private final Optional<Path> sslCertFile;
    private final Optional<Path> sslKeyFile;
    private final Path dataDir;
    private final Path pluginsDir;
    private final List<String> tlsSans;
    private final int logBufferSize;
    private final int logBacklogLines;
    private final KeepAliveAction keepAliveAction;
    private final Optional<Duration> usageDrainInterval;
    private final Duration restBodyTimeout;

    private Settings(SettingSources sources, Path defaultPluginsDir) {
        this.sources = requireNonNull(sources, "sources is null");
        requireNonNull(defaultPluginsDir, "defaultPluginsDir is null");
        Optional<SettingValue> servicePort = sources.lookup(SERVICE_PORT);
        String serviceProtocol = serviceProtocol();
        this.grpcPort = port(GRPC_PORT, DEFAULT_GRPC_PORT, servicePort.filter(v -> serviceProtocol.equals("grpc")));
        this.restPort = port(REST_PORT, DEFAULT_REST_PORT, servicePort.filter(v -> serviceProtocol.equals("rest")));
        if (grpcPort == 0 && restPort == 0) {
            throw new StartupException(GRPC_PORT + " and " + REST_PORT + " are both 0; at least one transport must be on");
        }
        if (grpcPort == restPort) {
            throw new StartupException(GRPC_PORT + " and " + REST_PORT + " are both " + grpcPort
                    + "; give the transports different ports (0 turns one off)");
        }
        this.nodeHost = text(NODE_HOST).orElse(DEFAULT_NODE_HOST);
        this.apiKey = sources.lookup(API_KEY).map(Settings::apiKey);
        this.sslKeyFile = path(SSL_KEY_FILE);
        this.sslCertFile = sslKeyFile.isPresent() || !isCaBundleVariable() ? path(SSL_CERT_FILE) : Optional.empty();
        if (sslCertFile.isPresent() != sslKeyFile.isPresent()) {
            String missing = sslCertFile.isPresent() ? SSL_KEY_FILE : SSL_CERT_FILE;
            throw new StartupException(SSL_CERT_FILE + " and " + SSL_KEY_FILE + " go together; " + missing + " is not set");
        }
        this.dataDir = path(DATA_DIR).orElse(sources.workingDirectory().resolve(DEFAULT_DATA_DIR));
        this.pluginsDir = path(PLUGINS_DIR).orElse(defaultPluginsDir);
        this.tlsSans = text(TLS_SAN).map(Settings::commaSeparated).orElse(List.of());
        this.logBufferSize = positiveInt(LOG_BUFFER_SIZE, DEFAULT_LOG_BUFFER_SIZE);
        this.logBacklogLines = wholeNumber(LOG_BACKLOG_LINES, DEFAULT_LOG_BACKLOG_LINES, 0, 100_000);
        this.keepAliveAction = readKeepAliveAction();
        this.usageDrainInterval = sources.lookup(USAGE_DRAIN_INTERVAL).map(value -> Duration.ofSeconds(
                wholeNumber(USAGE_DRAIN_INTERVAL, 0, 1, MAX_USAGE_DRAIN_INTERVAL)));
        this.restBodyTimeout = Duration.ofSeconds(positiveInt(REST_BODY_TIMEOUT, DEFAULT_REST_BODY_TIMEOUT_SECONDS));
    }

    /**
     * Reads and checks every host setting.
     *
     * @param defaultPluginsDir the plugins directory when PLUGINS_DIR is not set (see {@link PluginsDirectory})
     * @throws StartupException naming the setting and its bad value
     */
    public static Settings from(SettingSources sources, Path defaultPluginsDir) {
        return new Settings(sources, defaultPluginsDir);
    }

    /** gRPC port; 0 = gRPC off. */
    public int grpcPort() {
        return grpcPort;
    }

    /** REST port; 0 = REST off. */
    public int restPort() {
        return restPort;
    }

    /** The address both transports listen on. */
    public String nodeHost() {
        return nodeHost;
    }

    /** The configured API key, if any (a non-UUID value never gets here: it stops the start). */
    public Optional<ApiKey> apiKey() {
        return apiKey;
    }

    public Optional<Path> sslCertFile() {
        return sslCertFile;
    }

    public Optional<Path> sslKeyFile() {
        return sslKeyFile;
    }

    /** Holds the API key, the generated certificate and the backends' work directories. */
    public Path dataDir() {
        return dataDir;
    }

    public Path pluginsDir() {
        return pluginsDir;
    }

    /** Extra subjectAltNames for a generated certificate: host names and IP addresses. */
    public List<String> tlsSans() {
        return tlsSans;
    }

    /** Lines each log reader may fall behind before it loses the oldest. */
    public int logBufferSize() {
        return logBufferSize;
    }

    /** The core's last lines a new log reader gets first; 0 = none. */
    public int logBacklogLines() {
        return logBacklogLines;
    }

    /** What an expired keep_alive does. */
    public KeepAliveAction keepAliveAction() {
        return keepAliveAction;
    }

    /** A fixed time between background drains of the core's counters; empty: the node adapts it to their cost. */
    public Optional<Duration> usageDrainInterval() {
        return usageDrainInterval;
    }

    /** How long a REST request's body may take to arrive, from its headers on. */
    public Duration restBodyTimeout() {
        return restBodyTimeout;
    }

    /** The given settings that are set, by name, as found in the sources: what a plugin receives. */
    public Map<String, String> valuesOf(Set<String> names) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String name : new TreeSet<>(names)) {
            sources.lookup(name).ifPresent(v -> values.put(name, v.value()));
        }
        return Map.copyOf(values);
    }

    /** YAML names that neither the host nor any plugin reads: most likely typos. */
    public Set<String> unknownYamlNames(Set<String> pluginNames) {
        Set<String> unknown = new TreeSet<>(sources.yamlNames());
        unknown.removeAll(NAMES);
        unknown.removeAll(pluginNames);
        return unknown;
    }

    /** Where the YAML settings were read from. */
    public String yamlOrigin() {
        return sources.yamlOrigin();
    }

    /**
     * OpenSSL-based tools read SSL_CERT_FILE as the CA bundle, and many machines and images export it. Set
     * in the environment alone, without SSL_KEY_FILE anywhere, it is that variable, not the node's
     * certificate: ignore it (with a warning) instead of refusing to start.
     */
    private boolean isCaBundleVariable() {
        Optional<SettingValue> certificate = sources.lookup(SSL_CERT_FILE);
        if (certificate.isEmpty() || !certificate.get().origin().equals(SettingSources.ENVIRONMENT)) {
            return false;
        }
        log.warn("Ignoring {}={} from the environment: without {} it is the CA bundle variable of OpenSSL "
                + "tools, not the node's certificate. Set {} too to serve that certificate.",
                SSL_CERT_FILE, certificate.get().value(), SSL_KEY_FILE, SSL_KEY_FILE);
        return true;
    }

    private String serviceProtocol() {
        Optional<SettingValue> value = sources.lookup(SERVICE_PROTOCOL);
        if (value.isEmpty()) {
            return "grpc"; // the upstream node's default
        }
        String protocol = value.get().value().toLowerCase(Locale.ROOT);
        if (!protocol.equals("grpc") && !protocol.equals("rest")) {
            throw new StartupException(value.get().describe() + " is not a protocol; use grpc or rest");
        }
        return protocol;
    }

    private int port(String name, int defaultPort, Optional<SettingValue> servicePort) {
        Optional<SettingValue> value = sources.lookup(name).or(() -> servicePort);
        if (value.isEmpty()) {
            return defaultPort;
        }
        int port = integer(value.get(), "a port number from 0 to 65535");
        if (port < 0 || port > 65_535) {
            throw new StartupException(value.get().describe() + " is out of range; a port is 0 to 65535 (0 turns "
                    + "the transport off)");
        }
        return port;
    }

    private KeepAliveAction readKeepAliveAction() {
        Optional<SettingValue> value = sources.lookup(KEEP_ALIVE_ACTION);
        if (value.isEmpty()) {
            return KeepAliveAction.STOP;
        }
        return switch (value.get().value().toLowerCase(Locale.ROOT)) {
            case "stop" -> KeepAliveAction.STOP;
            case "keep" -> KeepAliveAction.KEEP;
            default -> throw new StartupException(value.get().describe() + " is not an action; use stop (stop the "
                    + "backend, the default) or keep (keep serving the last users)");
        };
    }

    private int wholeNumber(String name, int defaultValue, int min, int max) {
        Optional<SettingValue> value = sources.lookup(name);
        if (value.isEmpty()) {
            return defaultValue;
        }
        int number = integer(value.get(), "a whole number from " + min + " to " + max);
        if (number < min || number > max) {
            throw new StartupException(value.get().describe() + " is out of range; use " + min + " to " + max);
        }
        return number;
    }

    private int positiveInt(String name, int defaultValue) {
        Optional<SettingValue> value = sources.lookup(name);
        if (value.isEmpty()) {
            return defaultValue;
        }
        int number = integer(value.get(), "a positive whole number");
        if (number < 1) {
            throw new StartupException(value.get().describe() + " must be at least 1");
        }
        return number;
    }

    private static int integer(SettingValue value, String expected) {
        try {
            return Integer.parseInt(value.value());
        } catch (NumberFormatException e) {
            throw new StartupException(value.describe() + " is not " + expected);
        }
    }

    private Optional<String> text(String name) {
        return sources.lookup(name).map(SettingValue::value);
    }

    private Optional<Path> path(String name) {
        return text(name).map(p -> sources.workingDirectory().resolve(p).normalize());
    }

    private static ApiKey apiKey(SettingValue value) {
        // The value is meant to be a secret: say what is wrong without echoing it.
        return ApiKey.parse(value.value()).orElseThrow(() -> new StartupException(
                API_KEY + " (from " + value.origin() + ") is not a UUID (got " + value.value().length()
                        + " characters); use a key like 3f2a1c9e-8d47-4b1a-9c0e-5b6d7e8f9a01, or unset it "
                        + "to have one generated"));
    }

    private static List<String> commaSeparated(String value) {
        return Arrays.stream(value.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }
}
