package io.pgnode.host.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgnode.host.error.StartupException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiKeyStoreTest {

    @TempDir Path dataDir;

    @Test
    void generatesAndPersistsAKeyShownInFullOnlyOnThatRun() throws IOException {
        ResolvedApiKey first = ApiKeyStore.resolve(Optional.empty(), dataDir);
        ResolvedApiKey second = ApiKeyStore.resolve(Optional.empty(), dataDir);

        assertThat(first.generated()).isTrue();
        assertThat(first.forOperator()).isEqualTo(first.key().reveal());
        assertThat(second.generated()).isFalse();
        assertThat(second.key().matches(first.key())).isTrue();
        Path file = dataDir.resolve("api_key");
        assertThat(second.forOperator())
                .isEqualTo(first.key().reveal().substring(0, 4) + "****-****-****-****-************ (in " + file + ")")
                .doesNotContain(first.key().reveal().substring(4));
        assertThat(Files.readString(file).strip()).isEqualTo(first.key().reveal());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    @Test
    void aConfiguredKeyWinsIsNotStoredAndIsShownMasked() {
        ApiKey configured = ApiKey.generate();

        ResolvedApiKey key = ApiKeyStore.resolve(Optional.of(configured), dataDir);

        assertThat(key.key()).isSameAs(configured);
        assertThat(key.generated()).isFalse();
        assertThat(key.forOperator()).endsWith(" (from API_KEY)").doesNotContain(configured.reveal().substring(4));
        assertThat(dataDir.resolve("api_key")).doesNotExist();
    }

    @Test
    void aStoredFileWithoutAUuidStopsTheStart() throws IOException {
        Files.writeString(dataDir.resolve("api_key"), "garbage\n");

        assertThatThrownBy(() -> ApiKeyStore.resolve(Optional.empty(), dataDir))
                .isInstanceOf(StartupException.class)
                .hasMessageContaining("api_key does not hold a UUID");
    }
}
