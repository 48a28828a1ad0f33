package io.pgnode.host;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgnode.host.testplugin.TestingBackendFactory;
import io.pgnode.host.testplugin.broken.BrokenBackendFactory;
import io.pgnode.proto.Backend;
import io.pgnode.proto.LatencyRequest;
import io.pgnode.proto.Proxy;
import io.pgnode.proto.Stat;
import io.pgnode.proto.StatRequest;
import io.pgnode.proto.StatResponse;
import io.pgnode.proto.StatType;
import io.pgnode.proto.User;
import io.pgnode.proto.UsersChunk;
import io.pgnode.proto.Vmess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

/**
 * The test backend plugin (package {@code io.pgnode.host.testplugin}) as the node sees it: a plugin zip with
 * its own Jackson in {@code lib/}, and the journal its backend writes. Not published in the test-jar.
 */
public final class TestingBackendPlugin {

    public static final String NAME = "testing";
    public static final int TYPE = TestingBackendFactory.TYPE;

    private TestingBackendPlugin() {}

    /** Writes the testing plugin's zip into the directory. */
    public static Path writeZip(Path pluginsDir) {
        return TestingPluginArchive.plugin("testing")
                .packageOf(TestingBackendFactory.class)
                .libraryOf(ObjectMapper.class)
                .libraryOf(JsonFactory.class)
                .libraryOf(JsonProperty.class)
                .extension(TestingBackendFactory.class.getName())
                .writeZip(pluginsDir);
    }

    /** Writes a jar plugin whose only backend cannot be loaded (its superclass is not in the jar). */
    public static Path writeBrokenJar(Path pluginsDir) {
        return TestingPluginArchive.plugin("broken")
                .classOnly(BrokenBackendFactory.class)
                .extension(BrokenBackendFactory.class.getName())
                .writeJar(pluginsDir);
    }

    /** A plugins directory with the testing plugin in it. */
    public static Path pluginsDir(Path parent) {
        try {
            Path directory = Files.createDirectories(parent.resolve("plugins"));
            writeZip(directory);
            return directory;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every call the backend recorded, oldest first. */
    public static List<String> journal(Path workDirectory) {
        Path file = workDirectory.resolve("journal.log");
        try {
            return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static List<String> journal(TestingNode node) {
        return journal(node.workDirectory(NAME));
    }

    /** The entries recorded after the first {@code mark} ones (take the mark with {@code journal(node).size()}). */
    public static List<String> journalAfter(TestingNode node, int mark) {
        List<String> entries = journal(node);
        return entries.subList(Math.min(mark, entries.size()), entries.size());
    }

    /** A Start request for the testing backend. */
    public static Backend start(String config, User... users) {
        return Backend.newBuilder().setTypeValue(TYPE).setConfig(config).addAllUsers(List.of(users)).build();
    }

    /** The stats request for every user's counters; the testing backend answers one stat per user. */
    public static final StatRequest ALL_USERS = StatRequest.newBuilder().setType(StatType.UsersStat).build();

    /** The users named in a stats answer, in order. */
    public static List<String> emails(StatResponse stats) {
        return stats.getStatsList().stream().map(Stat::getName).toList();
    }

    /** A latency request that makes the testing backend emit {@code line} as a core log line. */
    public static LatencyRequest say(String line) {
        return LatencyRequest.newBuilder().setName("say:" + line).build();
    }

    /** How the testing backend journals the credentials of {@code user(email, ...)}: masked. */
    public static String journaledProxies(String email) {
        String id = user(email).getProxies().getVmess().getId();
        return "Proxies[vmess=Vmess[id=" + id.substring(0, 4) + "…(" + id.length()
                + ")], vless=null, trojan=null, shadowsocks=null, wireguard=null, hysteria=null]";
    }

    /** One chunk of a chunked user upload. */
    public static UsersChunk chunk(long index, boolean last, User... users) {
        return UsersChunk.newBuilder().setIndex(index).setLast(last).addAllUsers(List.of(users)).build();
    }

    /** A user with VMess credentials in the given inbounds (none: a removal). */
    public static User user(String email, String... inbounds) {
        return User.newBuilder()
                .setEmail(email)
                .setProxies(Proxy.newBuilder().setVmess(Vmess.newBuilder().setId(UUID.nameUUIDFromBytes(email.getBytes(StandardCharsets.UTF_8)).toString())))
                .addAllInbounds(List.of(inbounds))
                .build();
    }
}
