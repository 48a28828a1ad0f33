package io.pgnode.plugin.xray;

import static io.pgnode.plugin.xray.TestUsers.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pgnode.host.CapturedLogs;
import com.fasterxml.jackson.databind.JsonNode;
import io.pgnode.spi.BackendException;
import io.pgnode.spi.StatQuery;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A core whose API stops answering, on cue, against the fake of Xray's API (probing every 100 ms; see
 * {@link HungCoreOnV2rayTest} for a real core that is SIGSTOPped, at the node's own timing): every failed probe
 * counts, panel calls fail at once with a sentence instead of waiting on the core, and the restart brings every
 * user back.
 */
class HungCoreOnXrayTest {

    @TempDir
    Path dir;

    private FakeXrayBackend xray;
    private CapturedLogs logs;

    @AfterEach
    void stop() throws Exception {
        if (xray != null) {
            xray.close();
        }
        if (logs != null) {
            logs.close();
        }
    }

    @Test
    void everyFailedProbeCountsAndTheThirdRestartsTheCoreWithEveryUser() throws Exception {
        logs = CapturedLogs.of("io.pgnode");
        xray = FakeXrayBackend.start(dir, List.of(user("alice@x", "vless-in")));
        xray.backend.syncUser(user("bob@x", "trojan-in"));
        long pid = xray.backend.corePid().orElseThrow();
        xray.forgetRenderedConfig();

        xray.api.hang();

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(() -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) == false);
        xray.api.wakeUp(); // the new core's API answers
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> xray.backend.restartCount() == 1 && xray.backend.isRunning());
        assertThat(probeFailures()).containsExactly("(1 of 3)", "(2 of 3)", "(3 of 3)");
        JsonNode config = xray.renderedConfig();
        assertThat(clientEmails(config, "vless-in")).containsExactly("alice@x");
        assertThat(clientEmails(config, "trojan-in")).as("the live-added user is back").containsExactly("bob@x");
        assertThat(logs.lines()).anyMatch(line -> line.contains("core restarted (the core's API failed 3 health probes"));
    }

    @Test
    void whileTheCoreDoesNotAnswerStatsSyncsAndDrainsFailAtOnceWithASentenceAndChangeNothing() throws Exception {
        XrayBackend.Tuning patient = new XrayBackend.Tuning(new CoreWatchdog.Timing(Duration.ofMillis(100),
                Duration.ofMillis(300), 1000, Duration.ofSeconds(1)), Duration.ofSeconds(2), Duration.ofSeconds(10),
                Duration.ofMillis(1));
        xray = FakeXrayBackend.start(dir, List.of(user("alice@x", "vless-in")), patient);
        int probes = xray.api.probes();

        xray.api.hang();
        // probes run one after the other: once the third since the hang began, one that got no answer has been
        // counted (a call made before that waits out its own deadline)
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5)).until(() -> xray.api.probes() >= probes + 3);

        for (Runnable call : List.<Runnable>of(
                () -> xray.backend.stats(new StatQuery(StatQuery.Scope.USER, "alice@x", true)),
                () -> xray.backend.syncUser(user("carol@x", "vless-in")),
                () -> xray.backend.drainUsage(UsageDrain.ALL),
                xray.backend::runtimeStats)) {
            assertThatThrownBy(call::run).isInstanceOfSatisfying(BackendException.class,
                    e -> assertThat(e.kind()).isEqualTo(BackendException.Kind.FAILURE))
                    .hasMessageContaining("the core has not answered its API for")
                    .hasMessageContaining("the node restarts it after 1000");
        }
        assertThat(xray.api.alters()).as("the refused sync sent nothing").isEmpty();
        assertThat(xray.backend.users()).containsOnlyKeys("alice@x");
    }

    private List<String> probeFailures() {
        List<String> counts = new ArrayList<>();
        for (String line : logs.lines()) {
            int at = line.indexOf("core health probe failed (");
            if (at >= 0) {
                counts.add(line.substring(line.indexOf('(', at), line.indexOf(')', at) + 1));
            }
        }
        return counts;
    }

    private static String failure(Runnable call) {
        try {
            call.run();
            return "";
        } catch (BackendException e) {
            return e.getMessage();
        }
    }

    private static List<String> clientEmails(JsonNode config, String tag) {
        List<String> emails = new ArrayList<>();
        for (JsonNode inbound : config.path("inbounds")) {
            if (inbound.path("tag").asText().equals(tag)) {
                inbound.path("settings").path("clients").forEach(c -> emails.add(c.path("email").asText()));
            }
        }
        return emails;
    }
}
