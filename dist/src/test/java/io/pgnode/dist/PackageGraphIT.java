package io.pgnode.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The check of {@link PackageStructureIT} finds what it looks for. */
class PackageGraphIT {

    @TempDir Path temp;

    @Test
    void findsACycleThroughAThirdPackageAndAPackageSplitOverTwoJars() throws IOException {
        Path sources = temp.resolve("src");
        write(sources, "io/pgnode/a/A.java", "package io.pgnode.a; public class A { io.pgnode.b.B b; }");
        write(sources, "io/pgnode/b/B.java", "package io.pgnode.b; public class B { io.pgnode.c.C c; }");
        write(sources, "io/pgnode/c/C.java", "package io.pgnode.c; public class C { io.pgnode.a.A a; }");
        write(sources, "io/pgnode/d/D.java", "package io.pgnode.d; public class D { io.pgnode.a.A a; }");
        Path classes = temp.resolve("classes");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        try (Stream<Path> files = Files.walk(sources)) {
            List<String> arguments = new java.util.ArrayList<>(List.of("-d", classes.toString()));
            files.filter(Files::isRegularFile).forEach(file -> arguments.add(file.toString()));
            assertThat(javac.run(null, null, null, arguments.toArray(String[]::new))).isZero();
        }
        Path first = jar(classes, temp.resolve("first.jar"), "io/pgnode/a/A.class", "io/pgnode/b/B.class",
                "io/pgnode/d/D.class");
        Path second = jar(classes, temp.resolve("second.jar"), "io/pgnode/c/C.class", "io/pgnode/d/D.class");

        PackageGraph graph = PackageGraph.of(List.of(first, second));

        assertThat(graph.cycles()).containsExactly(Set.of("io.pgnode.a", "io.pgnode.b", "io.pgnode.c"));
        assertThat(graph.splitPackages()).isEqualTo(Map.of("io.pgnode.d", Set.of("first.jar", "second.jar")));
    }

    private static void write(Path root, String file, String text) throws IOException {
        Path path = root.resolve(file);
        Files.createDirectories(path.getParent());
        Files.writeString(path, text);
    }

    private static Path jar(Path classes, Path jar, String... entries) throws IOException {
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            for (String entry : entries) {
                out.putNextEntry(new JarEntry(entry));
                out.write(Files.readAllBytes(classes.resolve(entry)));
                out.closeEntry();
            }
        }
        return jar;
    }
}
