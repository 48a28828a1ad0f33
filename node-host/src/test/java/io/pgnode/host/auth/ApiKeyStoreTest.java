package io.pgnode.host.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgnode.host.error.StartupException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiKeyStoreTest {

    @TempDir Path dataDir;

    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();

    @Test
    void generatesPersistsAndPrintsAKeyOnceThenReusesIt() throws IOException {
        ApiKey first = ApiKeyStore.resolve(Optional.empty(), dataDir, out());
        String printed = stdout.toString(StandardCharsets.UTF_8);
        stdout.reset();

        ApiKey second = ApiKeyStore.resolve(Optional.empty(), dataDir, out());

        assertThat(printed).contains(first.reveal());
        assertThat(second.matches(first)).isTrue();
        assertThat(stdout.toString(StandardCharsets.UTF_8)).isEmpty();
        Path file = dataDir.resolve("api_key");
        assertThat(Files.readString(file).strip()).isEqualTo(first.reveal());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    @Test
    void aConfiguredKeyWinsAndIsNeitherStoredNorPrinted() {
        ApiKey configured = ApiKey.generate();

        ApiKey key = ApiKeyStore.resolve(Optional.of(configured), dataDir, out());

        assertThat(key).isSameAs(configured);
        assertThat(dataDir.resolve("api_key")).doesNotExist();
        assertThat(stdout.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void aStoredFileWithoutAUuidStopsTheStart() throws IOException {
        Files.writeString(dataDir.resolve("api_key"), "garbage\n");

        assertThatThrownBy(() -> ApiKeyStore.resolve(Optional.empty(), dataDir, out()))
                .isInstanceOf(StartupException.class)
                .hasMessageContaining("api_key does not hold a UUID");
    }

    private PrintStream out() {
        return new PrintStream(stdout, true, StandardCharsets.UTF_8);
    }
}
