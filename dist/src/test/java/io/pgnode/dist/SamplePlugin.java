package io.pgnode.dist;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgnode.host.TestingPluginArchive;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * The third-party plugin of {@code src/test/sample-plugin}, built as its author would build it: javac with
 * only the node-spi jar and pf4j on the class path (pf4j's annotation processor indexes the extension), then
 * packaged as a pf4j zip. Nothing of the node's reactor is on that class path.
 */
final class SamplePlugin {

    static final Path SOURCES = Path.of(System.getProperty("pgnode.samplePlugin", "src/test/sample-plugin"));
    static final Path SPI_JAR = Path.of(System.getProperty("pgnode.spiJar", "../node-spi/target/node-spi-1.0.0.jar"));
    static final Path PF4J_JAR = Path.of(System.getProperty("pgnode.pf4jJar", "pf4j.jar"));

    static final String ID = "memory";
    static final String VERSION = "0.1.0";

    private SamplePlugin() {}

    /** Compiles the sources into {@code classes} (with the extension index) and returns that directory. */
    static Path compile(Path classes) {
        assertThat(SPI_JAR).as("the node-spi jar").isRegularFile();
        assertThat(PF4J_JAR).as("the pf4j jar").isRegularFile();
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        List<String> arguments = new ArrayList<>(List.of(
                "--release", "17",
                "-Xlint:all,-processing", "-Werror",
                "-classpath", SPI_JAR + ":" + PF4J_JAR,
                "-processorpath", PF4J_JAR.toString(),
                "-d", TestingDistribution.createDirectory(classes).toString()));
        arguments.addAll(sources());
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int result = javac.run(null, diagnostics, diagnostics, arguments.toArray(String[]::new));
        assertThat(result).as("javac: %s", diagnostics.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(classes.resolve("META-INF/extensions.idx")).as("written by pf4j's annotation processor")
                .content().contains("org.example.pgnode.memory.MemoryBackendFactory");
        return classes;
    }

    /** The compiled plugin as a pf4j zip ({@code plugin.properties}, {@code classes/}) in the directory. */
    static Path writeZip(Path classes, Path pluginsDirectory) {
        return TestingPluginArchive.plugin(ID).version(VERSION).classesDirectory(classes).writeZip(pluginsDirectory);
    }

    private static List<String> sources() {
        try (Stream<Path> files = Files.walk(SOURCES)) {
            return files.filter(file -> file.toString().endsWith(".java")).map(Path::toString).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
