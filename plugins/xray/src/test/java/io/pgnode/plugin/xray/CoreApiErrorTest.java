package io.pgnode.plugin.xray;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.pgnode.spi.BackendException;
import org.junit.jupiter.api.Test;

/** How a failed call to the core reads in the node's log and in the panel's error. */
class CoreApiErrorTest {

    @Test
    void aFailureOnTheNodesSideNamesItsCause() {
        // what grpc-java reports when an exception on the node's side ends the call: the description says little,
        // the cause all (the plugin's own unreadable-answer exception is quoted by its message alone: UsageOnXrayTest)
        Status unreadable = Status.CANCELLED.withDescription("Failed to read message.").withCause(
                Status.INTERNAL.withDescription("the core's QueryStats answer is not valid: truncated").asRuntimeException());

        BackendException error = CoreApiClient.translate("QueryStats", unreadable.asRuntimeException());

        assertThat(error.kind()).isEqualTo(BackendException.Kind.FAILURE);
        assertThat(error.getMessage()).isEqualTo("the core's API failed on QueryStats: CANCELLED Failed to read message."
                + " (io.grpc.StatusRuntimeException: INTERNAL: the core's QueryStats answer is not valid: truncated)");
    }

    @Test
    void theCoresOwnRefusalIsQuotedAsItCame() {
        BackendException error = CoreApiClient.translate("AlterInbound",
                Status.UNKNOWN.withDescription("app/proxyman/command: handler not found: vless-in").asRuntimeException());

        assertThat(error.getMessage())
                .isEqualTo("the core's API failed on AlterInbound: UNKNOWN app/proxyman/command: handler not found: vless-in");
    }
}
