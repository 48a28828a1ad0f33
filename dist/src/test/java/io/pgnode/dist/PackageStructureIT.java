package io.pgnode.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packages of the node and its plugins, as shipped, depend on each other in one direction only and each
 * lives in one jar: a cycle or a split package fails the build here.
 */
class PackageStructureIT {

    @TempDir Path temp;

    @Test
    void noPackageOfTheProjectDependsOnItselfThroughOthersAndNoneIsSplit() throws IOException {
        TestingDistribution distribution = TestingDistribution.unpack(temp);
        List<Path> jars = new ArrayList<>();
        try (Stream<Path> lib = Files.list(distribution.home().resolve("lib"))) {
            lib.filter(jar -> jar.getFileName().toString().matches("node-.*\\.jar")).forEach(jars::add);
        }
        try (Stream<Path> plugins = Files.list(distribution.plugins())) {
            for (Path zip : plugins.toList()) {
                jars.add(pluginJar(zip));
            }
        }

        PackageGraph graph = PackageGraph.of(jars);

        assertThat(graph.packages()).as("jdeps saw the project's packages")
                .contains("io.pgnode.host", "io.pgnode.host.cli", "io.pgnode.spi", "io.pgnode.plugin.xray",
                        "io.pgnode.plugin.wireguard");
        assertThat(graph.cycles()).as("package cycles").isEmpty();
        assertThat(graph.splitPackages()).as("packages in more than one jar").isEmpty();
    }

    /** The plugin's own jar out of its zip ({@code lib/<plugin>-<version>.jar}). */
    private Path pluginJar(Path zip) throws IOException {
        String own = zip.getFileName().toString().replaceFirst("\\.zip$", ".jar");
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                if (entry.getName().equals("lib/" + own)) {
                    Path jar = temp.resolve(own);
                    Files.copy(in, jar);
                    return jar;
                }
            }
        }
        throw new AssertionError(zip + " has no lib/" + own);
    }
}
