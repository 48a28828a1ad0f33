package io.pgnode.plugin.xray;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;

/**
 * A stand-in for an Xray executable, for the one figure the real v2fly core cannot give (counters for 100,000
 * users exist only after each user's first connection): it answers {@code -version} as Xray does, reads the
 * config the node renders from stdin ({@code run -c stdin:}), accepts any config that parses when asked to test it
 * ({@code run -test -c stdin:}), otherwise serves the in-process fake of Xray's API
 * ({@link TestingXrayApi}) on the config's API port and seeds an uplink and a downlink counter for every user
 * in the config. It writes the port to {@code fake-core.port} in its working directory, so that a direct
 * client can reach the same API, and runs until it is terminated.
 */
public final class FakeXrayCore {

    static final String PORT_FILE = "fake-core.port";

    private FakeXrayCore() {}

    public static void main(String[] args) throws Exception {
        if (List.of(args).contains("-version") || List.of(args).contains("version")) {
            System.out.println("Xray 26.7.28 (pg-node benchmark fake core: TestingXrayApi) Custom (go1.26 linux/amd64)");
            return;
        }
        JsonNode config = new ObjectMapper().readTree(System.in);
        if (List.of(args).contains("-test")) { // the node's config check: a config that parses is accepted
            System.out.println("Configuration OK.");
            return;
        }
        int port = RenderedConfig.apiPort(config);
        TestingXrayApi api = TestingXrayApi.onLoopbackPort(port, true);
        api.loadUsers(config);
        Set<String> emails = new HashSet<>();
        for (JsonNode inbound : config.path("inbounds")) {
            inbound.path("settings").path("clients").forEach(client -> emails.add(client.path("email").asText()));
        }
        long value = 1;
        for (String email : emails) {
            api.setCounter(CounterName.of("user", email, "uplink"), value++);
            api.setCounter(CounterName.of("user", email, "downlink"), 1_000_000L + value);
        }
        Files.writeString(Path.of(PORT_FILE), String.valueOf(port), StandardCharsets.UTF_8);
        System.out.println("fake core: Xray API on 127.0.0.1:" + port + ", " + emails.size() + " users, "
                + 2 * emails.size() + " counters");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                api.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        new CountDownLatch(1).await();
    }

    /** A launcher script for this class, to give the node as XRAY_EXECUTABLE_PATH. */
    public static Path writeLauncher(Path file) throws java.io.IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // absolute entries: the node starts its core in the backend's work directory
        String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .map(entry -> Path.of(entry).toAbsolutePath().toString())
                .collect(Collectors.joining(File.pathSeparator));
        String script = "#!/bin/sh\nexec '" + java + "' -Xmx2g -XX:+UseSerialGC -cp '" + classPath + "' "
                + FakeXrayCore.class.getName() + " \"$@\"\n";
        Files.writeString(file, script, StandardCharsets.UTF_8);
        file.toFile().setExecutable(true);
        return file;
    }

    /** The API port a running fake core serves, from its working directory. */
    public static int portIn(Path workDirectory) throws java.io.IOException {
        return Integer.parseInt(Files.readString(workDirectory.resolve(PORT_FILE), StandardCharsets.UTF_8).trim());
    }
}
