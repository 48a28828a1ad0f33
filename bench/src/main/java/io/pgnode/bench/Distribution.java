package io.pgnode.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** The operator's tarball, unpacked as an operator unpacks it; its {@code bin/pg-node} is what the benchmarks run. */
final class Distribution {

    private final Path home;

    private Distribution(Path home) {
        this.home = home;
    }

    /** {@code dist/target/pg-node-<version>.tar.gz} below the given project directory. */
    static Path findTarball(Path projectDirectory) {
        Path target = projectDirectory.resolve("dist/target");
        try (DirectoryStream<Path> tarballs = Files.newDirectoryStream(target, "pg-node-*.tar.gz")) {
            for (Path tarball : tarballs) {
                return tarball;
            }
        } catch (IOException e) {
            // reported below
        }
        throw new IllegalStateException("no pg-node-*.tar.gz in " + target.toAbsolutePath()
                + "; build it first (mvn -B -DskipTests package) or pass --distribution");
    }

    static Distribution unpack(Path tarball, Path directory) {
        try {
            Files.createDirectories(directory);
            Process tar = new ProcessBuilder("tar", "-xzf", tarball.toAbsolutePath().toString(), "-C", directory.toString())
                    .inheritIO().start();
            if (!tar.waitFor(60, TimeUnit.SECONDS) || tar.exitValue() != 0) {
                throw new IllegalStateException("tar -xzf " + tarball + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        String name = tarball.getFileName().toString().replaceFirst("\\.tar\\.gz$", "");
        return new Distribution(directory.resolve(name));
    }

    static Distribution at(Path home) {
        return new Distribution(home);
    }

    Path home() {
        return home;
    }

    Path launcher() {
        return home.resolve("bin/pg-node");
    }
}
