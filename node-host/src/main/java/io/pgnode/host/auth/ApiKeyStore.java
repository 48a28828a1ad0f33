package io.pgnode.host.auth;

import io.pgnode.host.config.DataDirectory;
import io.pgnode.host.config.Settings;
import io.pgnode.host.error.StartupException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides the node's API key at boot: API_KEY when set; else the key persisted in {@code <DATA_DIR>/api_key};
 * else a new one, persisted there and printed once to stdout, the only time the node ever shows it.
 */
public final class ApiKeyStore {

    static final String FILE_NAME = "api_key";

    private static final Logger log = LoggerFactory.getLogger(ApiKeyStore.class);

    private ApiKeyStore() {}

    public static ApiKey resolve(Optional<ApiKey> configured, Path dataDir, PrintStream stdout) {
        if (configured.isPresent()) {
            log.info("API key: from the {} setting", Settings.API_KEY);
            return configured.get();
        }
        Path file = dataDir.resolve(FILE_NAME);
        if (Files.exists(file)) {
            ApiKey key = read(file);
            log.info("API key: from {}", file);
            return key;
        }
        ApiKey key = ApiKey.generate();
        try {
            DataDirectory.writePrivateFile(file, key.reveal() + "\n");
        } catch (IOException e) {
            throw new StartupException("Cannot store the generated API key in " + file + ": " + e.getMessage(), e);
        }
        stdout.println();
        stdout.println("==================================================================");
        stdout.println(" pg-node generated its API key (shown only this once):");
        stdout.println();
        stdout.println("     " + key.reveal());
        stdout.println();
        stdout.println(" Stored in " + file + "; give it to the panel with the node.");
        stdout.println("==================================================================");
        stdout.println();
        stdout.flush();
        return key;
    }

    private static ApiKey read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new StartupException("Cannot read the API key from " + file + ": " + e.getMessage(), e);
        }
        return ApiKey.parse(text).orElseThrow(() -> new StartupException(file
                + " does not hold a UUID; put the node's key there, set " + Settings.API_KEY
                + ", or delete the file to have a new key generated"));
    }
}
