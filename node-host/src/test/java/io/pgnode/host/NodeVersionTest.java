package io.pgnode.host;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NodeVersionTest {

    @Test
    void isTheProjectVersionAsAPlainVersion() {
        assertThat(NodeVersion.current()).isEqualTo("1.0.0");
    }

    @Test
    void dropsTheSnapshotSuffixThePanelCannotParse() {
        assertThat(NodeVersion.plain("1.2.0-SNAPSHOT")).isEqualTo("1.2.0");
        assertThat(NodeVersion.plain("1.2.0")).isEqualTo("1.2.0");
    }
}
