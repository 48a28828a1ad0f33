package io.pgnode.plugin.xray;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgnode.spi.BackendException;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Configs the node refuses before any core sees them: 400 INVALID_CONFIG with a sentence, never a 500. */
class PanelConfigRefusalsTest {

    @Test
    void jsonNestedTenThousandLevelsDeepIsAnInvalidConfigNamingTheLimit() {
        String deep = "{\"inbounds\":[],\"x\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}";

        assertThatThrownBy(() -> PanelConfig.parse(deep, Set.of()))
                .isInstanceOfSatisfying(BackendException.class,
                        e -> assertThat(e.kind()).isEqualTo(BackendException.Kind.INVALID_CONFIG))
                .hasMessageStartingWith("the config is not valid JSON: ")
                .hasMessageContaining("nesting depth");
    }

    @Test
    void anythingButACommentAfterTheConfigIsAnInvalidConfig() {
        assertThatThrownBy(() -> PanelConfig.parse("{\"inbounds\":[]} {\"more\":1}", Set.of()))
                .isInstanceOfSatisfying(BackendException.class,
                        e -> assertThat(e.kind()).isEqualTo(BackendException.Kind.INVALID_CONFIG))
                .hasMessageContaining("not valid JSON")
                .hasMessageContaining("line 1, column");
        assertThatThrownBy(() -> PanelConfig.parse("{\"inbounds\":[]}\ngarbage", Set.of()))
                .isInstanceOfSatisfying(BackendException.class,
                        e -> assertThat(e.kind()).isEqualTo(BackendException.Kind.INVALID_CONFIG));

        assertThat(PanelConfig.parse("{\"inbounds\":[]}\n// the panel's note\n  ", Set.of()).inboundTags()).isEmpty();
    }
}
