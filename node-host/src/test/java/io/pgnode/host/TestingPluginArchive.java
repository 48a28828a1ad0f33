package io.pgnode.host;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Builds a real pf4j plugin artifact from compiled classes, for tests that load plugins through the node's
 * normal plugin loading (see {@link TestingNode}).
 *
 * <p>Two layouts, the two the node loads:
 * <ul>
 *   <li>{@link #writeZip(Path)}: {@code plugin.properties}, {@code classes/}, {@code lib/*.jar} (the layout of
 *       the project's plugin zips; libraries the plugin needs go into {@code lib/});
 *   <li>{@link #writeJar(Path)}: one jar with the {@code Plugin-*} manifest entries, no libraries.
 * </ul>
 * The extension index {@code META-INF/extensions.idx} lists the {@link #extension(String) extensions} given
 * here plus any index found in a {@link #classesDirectory(Path) classes directory}.
 *
 * <pre>{@code
 * Path pluginsDir = Files.createDirectory(tempDir.resolve("plugins"));
 * TestingPluginArchive.plugin("xray")
 *         .classesDirectory(Path.of("target/classes"))      // has the annotation processor's index
 *         .libraryOf(com.fasterxml.jackson.databind.ObjectMapper.class)
 *         .writeZip(pluginsDir);
 * }</pre>
 */
public final class TestingPluginArchive {

    private static final String INDEX = "META-INF/extensions.idx";

    private final String pluginId;
    private String version = "1.0.0";
    private String requires = "";
    private final Map<String, Path> classFiles = new LinkedHashMap<>();
    private final Set<String> extensions = new LinkedHashSet<>();
    private final List<Path> libraries = new ArrayList<>();

    private TestingPluginArchive(String pluginId) {
        this.pluginId = requireNonNull(pluginId, "pluginId is null");
    }

    /** An archive for the plugin with this id. */
    public static TestingPluginArchive plugin(String pluginId) {
        return new TestingPluginArchive(pluginId);
    }

    public TestingPluginArchive version(String version) {
        this.version = requireNonNull(version, "version is null");
        return this;
    }

    /** The node versions the plugin works with, as pf4j reads it (e.g. {@code ">=2.0.0"}); none by default. */
    public TestingPluginArchive requires(String requires) {
        this.requires = requireNonNull(requires, "requires is null");
        return this;
    }

    /**
     * Adds every class file of the anchor's package (not its subpackages), nested classes included. The
     * anchor must have been loaded from a directory (a build's classes), not from a jar.
     */
    public TestingPluginArchive packageOf(Class<?> anchor) {
        Path root = codeSource(anchor);
        if (!Files.isDirectory(root)) {
            throw new IllegalArgumentException(anchor.getName() + " was not loaded from a classes directory: " + root);
        }
        String packagePath = anchor.getPackageName().replace('.', '/');
        try (Stream<Path> files = Files.list(root.resolve(packagePath))) {
            files.filter(file -> file.getFileName().toString().endsWith(".class"))
                    .forEach(file -> classFiles.put(packagePath + "/" + file.getFileName(), file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** Adds exactly this class's file (no nested classes): to leave a class out on purpose. */
    public TestingPluginArchive classOnly(Class<?> type) {
        String path = type.getName().replace('.', '/') + ".class";
        classFiles.put(path, codeSource(type).resolve(path));
        return this;
    }

    /** Adds everything under a classes directory, e.g. a plugin module's {@code target/classes}. */
    public TestingPluginArchive classesDirectory(Path directory) {
        try (Stream<Path> files = Files.walk(directory)) {
            files.filter(Files::isRegularFile).forEach(file ->
                    classFiles.put(directory.relativize(file).toString().replace('\\', '/'), file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** Lists a class in the extension index. */
    public TestingPluginArchive extension(String className) {
        extensions.add(className);
        return this;
    }

    /** Adds a library jar to {@code lib/} (zip layout only). */
    public TestingPluginArchive library(Path jar) {
        libraries.add(jar);
        return this;
    }

    /** Adds the jar a class was loaded from to {@code lib/} (zip layout only). */
    public TestingPluginArchive libraryOf(Class<?> type) {
        return library(codeSource(type));
    }

    /** Writes {@code <id>-<version>.zip} into the directory and returns its path. */
    public Path writeZip(Path directory) {
        Path zip = directory.resolve(pluginId + "-" + version + ".zip");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
            String properties = "plugin.id=" + pluginId + "\nplugin.version=" + version + "\nplugin.provider=tests\n"
                    + "plugin.requires=" + requires + "\n";
            put(out, "plugin.properties", properties.getBytes(StandardCharsets.UTF_8));
            for (Map.Entry<String, Path> entry : classFiles.entrySet()) {
                if (!entry.getKey().equals(INDEX)) {
                    put(out, "classes/" + entry.getKey(), Files.readAllBytes(entry.getValue()));
                }
            }
            put(out, "classes/" + INDEX, index());
            for (Path library : libraries) {
                put(out, "lib/" + library.getFileName(), Files.readAllBytes(library));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return zip;
    }

    /** Writes {@code <id>-<version>.jar} into the directory and returns its path. */
    public Path writeJar(Path directory) {
        if (!libraries.isEmpty()) {
            throw new IllegalStateException("a jar plugin cannot carry libraries; use writeZip");
        }
        Manifest manifest = new Manifest();
        Attributes attributes = manifest.getMainAttributes();
        attributes.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        attributes.putValue("Plugin-Id", pluginId);
        attributes.putValue("Plugin-Version", version);
        attributes.putValue("Plugin-Provider", "tests");
        attributes.putValue("Plugin-Requires", requires);
        Path jar = directory.resolve(pluginId + "-" + version + ".jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
            for (Map.Entry<String, Path> entry : classFiles.entrySet()) {
                if (!entry.getKey().equals(INDEX)) {
                    put(out, entry.getKey(), Files.readAllBytes(entry.getValue()));
                }
            }
            put(out, INDEX, index());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return jar;
    }

    private byte[] index() throws IOException {
        Set<String> lines = new LinkedHashSet<>();
        Path found = classFiles.get(INDEX);
        if (found != null) {
            Files.readAllLines(found, StandardCharsets.UTF_8).stream()
                    .map(String::strip)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                    .forEach(lines::add);
        }
        lines.addAll(extensions);
        return (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static void put(ZipOutputStream out, String name, byte[] content) throws IOException {
        out.putNextEntry(new ZipEntry(name));
        out.write(content);
        out.closeEntry();
    }

    private static Path codeSource(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
