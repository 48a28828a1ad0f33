package io.pgnode.plugin.wireguard;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyFileTest {

    @TempDir Path temp;

    @Test
    void aKeyFileIsOwnerOnlyFromItsFirstMomentAndGoneWhenClosed() throws IOException {
        String key = TestingKeys.generate().privateKey();
        Path path;

        try (KeyFile file = KeyFile.write(temp, WireguardKey.parse(key))) {
            path = file.path();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(path))).isEqualTo("rw-------");
            assertThat(Files.readString(path)).isEqualTo(key + "\n");
            assertThat(path.getParent()).isEqualTo(temp);
        }

        assertThat(path).doesNotExist();
    }
}
