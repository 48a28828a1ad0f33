package io.pgnode.plugin.xray.lifeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The sidecar that ends a core when the node dies, on a stand-in core ({@code sleep}); the node's own death is in
 * {@code NodeDeathIT}.
 */
class CoreLifelineTest {

    private Process core;

    @AfterEach
    void stopCore() {
        if (core != null) {
            core.destroyForcibly();
        }
    }

    @Test
    void whenTheNodesEndOfThePipeClosesTheCoreIsKilledAndTheSidecarEnds() throws Exception {
        ProcessIdentity standIn = startCore();
        CoreLifeline lifeline = CoreLifeline.attach(standIn);

        lifeline.cut();

        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10)).until(() -> !standIn.isRunning());
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10)).until(() -> !lifeline.isAlive());
        assertThat(core.waitFor()).as("killed by SIGKILL").isEqualTo(128 + 9);
    }

    @Test
    void aReleasedLifelineEndsWithoutKillingAnything() throws Exception {
        ProcessIdentity standIn = startCore();
        CoreLifeline lifeline = CoreLifeline.attach(standIn);

        lifeline.release();

        assertThat(lifeline.isAlive()).isFalse();
        assertThat(standIn.isRunning()).isTrue();
    }

    @Test
    void aPidThatNoLongerBelongsToTheCoreIsNeverKilled() throws Exception {
        ProcessIdentity standIn = startCore();
        ProcessIdentity earlierHolderOfThePid = new ProcessIdentity(standIn.pid(), standIn.startTime() - 1);
        CoreLifeline lifeline = CoreLifeline.attach(earlierHolderOfThePid);

        lifeline.cut();

        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10)).until(() -> !lifeline.isAlive());
        assertThat(standIn.isRunning()).isTrue();
    }

    @Test
    void anIdentityIsReadFromProcStatEvenWhenTheCommandNameHoldsSpacesAndParentheses() {
        String stat = "4242 (a (b) c) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 10";

        assertThat(ProcessIdentity.field(stat, 3)).contains("S");
        assertThat(ProcessIdentity.field(stat, 22)).contains("987654");
        assertThat(ProcessIdentity.field(stat, 60)).isEmpty();
        assertThat(ProcessIdentity.of(ProcessHandle.current().pid())).map(ProcessIdentity::isRunning).contains(true);
        assertThat(ProcessIdentity.of(Long.MAX_VALUE)).isEmpty();
    }

    private ProcessIdentity startCore() throws IOException {
        core = new ProcessBuilder("sleep", "60").start();
        Optional<ProcessIdentity> identity = ProcessIdentity.of(core.pid());
        assertThat(identity).isPresent();
        return identity.get();
    }
}
