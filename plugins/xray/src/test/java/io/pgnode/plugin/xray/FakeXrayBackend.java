package io.pgnode.plugin.xray;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgnode.host.TestingBackendContext;
import io.pgnode.spi.BackendContext;
import io.pgnode.spi.User;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An {@link XrayBackend} of the Xray flavor as the node runs it, against the in-process fake of Xray's API
 * ({@link TestingXrayApi}) and a stand-in core process ({@link TestingCoreExecutable}), for the abilities only Xray
 * has and for what no real core can be made to do on cue. Closing it stops the backend and the fake.
 */
final class FakeXrayBackend implements AutoCloseable {

    /** The config of {@link XrayBackendOnXrayTest}: one inbound per protocol Xray manages, one outbound. */
    static final String CONFIG = "{\"log\":{\"loglevel\":\"warning\"},\"inbounds\":["
            + "{\"tag\":\"vmess-in\",\"port\":2001,\"protocol\":\"vmess\",\"settings\":{\"clients\":[]}},"
            + "{\"tag\":\"vless-in\",\"port\":2002,\"protocol\":\"vless\",\"settings\":{\"clients\":[],\"decryption\":\"none\"}},"
            + "{\"tag\":\"trojan-in\",\"port\":2003,\"protocol\":\"trojan\",\"settings\":{\"clients\":[]}},"
            + "{\"tag\":\"user\",\"port\":2004,\"protocol\":\"trojan\",\"settings\":{\"clients\":[]}}],"
            + "\"outbounds\":[{\"tag\":\"direct\",\"protocol\":\"freedom\"}]}";

    /** Probes every 100 ms, failing after 300 ms without an answer; 3 failures restart the core. */
    static final XrayBackend.Tuning FAST = new XrayBackend.Tuning(
            new CoreWatchdog.Timing(Duration.ofMillis(100), Duration.ofMillis(300), 3, Duration.ofSeconds(1)),
            Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofMillis(1));

    final TestingXrayApi api;
    final TestingBackendContext context;
    final XrayBackend backend;
    private final Path dir;

    private FakeXrayBackend(TestingXrayApi api, TestingBackendContext context, XrayBackend backend, Path dir) {
        this.api = api;
        this.context = context;
        this.backend = backend;
        this.dir = dir;
    }

    /** Starts the backend with these users; the fake core takes them from the config, as Xray would. */
    static FakeXrayBackend start(Path dir, List<User> users) throws Exception {
        return start(dir, users, FAST);
    }

    /** As {@link #start(Path, List)}, with other timing. */
    static FakeXrayBackend start(Path dir, List<User> users, XrayBackend.Tuning tuning) throws Exception {
        TestingXrayApi api = new TestingXrayApi(true);
        Path core = TestingCoreExecutable.write(dir, "xray", TestingCoreExecutable.XRAY_VERSION);
        Map<String, String> settings = new HashMap<>(Map.of("XRAY_EXECUTABLE_PATH", core.toString()));
        TestingBackendContext context = new TestingBackendContext(CONFIG, users, Set.of(), settings, dir);
        XrayBackend backend = create(context, api, settings, tuning);
        backend.start();
        FakeXrayBackend started = new FakeXrayBackend(api, context, backend, dir);
        api.loadUsers(started.renderedConfig());
        return started;
    }

    /** An unstarted backend of this context, talking to {@code api}. */
    static XrayBackend create(BackendContext context, TestingXrayApi api, Map<String, String> settings) {
        return create(context, api, settings, FAST);
    }

    private static XrayBackend create(BackendContext context, TestingXrayApi api, Map<String, String> settings,
            XrayBackend.Tuning tuning) {
        return new XrayBackend(context, XraySettings.from(settings), PanelConfig.parse(context.config(), Set.of()),
                api.connector(), tuning, "");
    }

    /** The config the stand-in core read on its last start. */
    JsonNode renderedConfig() throws Exception {
        return TestingCoreExecutable.lastConfig(dir);
    }

    /** Forgets the rendered config, so that the next {@link #renderedConfig()} is the next start's. */
    void forgetRenderedConfig() throws Exception {
        Files.deleteIfExists(dir.resolve("config.json"));
    }

    @Override
    public void close() throws Exception {
        backend.close();
        api.close();
    }
}
