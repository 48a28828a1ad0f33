package io.pgnode.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code bin/pg-node} itself, under dash (Debian's /bin/sh) and bash: which Java it picks, the JVM options it
 * passes, its installation directory through symlinks, and its one-line errors. A stand-in {@code java} prints
 * its process id and arguments instead of starting a JVM.
 */
class LauncherIT {

    @TempDir Path temp;

    @ParameterizedTest
    @ValueSource(strings = {"dash", "bash"})
    void execsJavaFromJavaHomeWithTheDefaultsThenJavaOptsThenTheArguments(String shell) throws IOException {
        TestingDistribution distribution = TestingDistribution.unpack(temp);
        Path javaHome = fakeJava("17.0.9");
        Files.createFile(temp.resolve("a-file-a-glob-would-find"));

        TestingNodeProcess.Result result = TestingNodeProcess.run(
                List.of(shell, distribution.launcher().toString(), "cert", "--san", "two words"), temp,
                TestingDistribution.environment(Map.of("JAVA_HOME", javaHome.toString(),
                        "JAVA_OPTS", "-Xmx512m -Dglob=*")), Duration.ofSeconds(30));

        assertThat(result.exitCode()).as("%s", result).isZero();
        assertThat(result.stdout().get(0)).as("exec: java replaces the launcher, so signals reach it")
                .isEqualTo("pid " + result.pid());
        assertThat(result.stdout().get(1)).isEqualTo("java " + javaHome.resolve("bin/java"));
        List<String> arguments = arguments(result);
        assertThat(arguments).contains("-XX:MaxRAMPercentage=25", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError",
                "-XX:MaxNewSize=40m");
        assertThat(arguments).as("the crypto provider's thresholds reach the JVM as one word, its * not expanded")
                .contains("-XX:CompileCommand=CompileThresholdScaling,com.sun.crypto.provider.*::*,0.1");
        assertThat(arguments.indexOf("-Xmx512m")).as("JAVA_OPTS come after the defaults, so they win")
                .isGreaterThan(arguments.indexOf("-XX:+ExitOnOutOfMemoryError"));
        assertThat(arguments).endsWith("-Xmx512m", "-Dglob=*", "-cp", distribution.home() + "/lib/*",
                "io.pgnode.host.cli.Main", "cert", "--san", "two words");
    }

    @Test
    void givesFreedNativeMemoryBackWhereTheJavaCanAndStartsWithoutThatWhereItCannot() throws IOException {
        TestingDistribution distribution = TestingDistribution.unpack(temp);

        TestingNodeProcess.Result trimming = run(distribution, Map.of("JAVA_HOME", fakeJava("17.0.9").toString()));
        TestingNodeProcess.Result older = run(distribution, Map.of("JAVA_HOME", fakeJava("17.0.8", false).toString()));

        assertThat(trimming.exitCode()).as("%s", trimming).isZero();
        assertThat(arguments(trimming)).contains("-XX:TrimNativeHeapInterval=5000");
        assertThat(older.exitCode()).as("%s", older).isZero();
        assertThat(arguments(older)).doesNotContain("-XX:TrimNativeHeapInterval=5000").contains("-XX:+UseSerialGC")
                .endsWith("io.pgnode.host.cli.Main", "version");
    }

    @Test
    void findsJavaOnThePathAndItsInstallationThroughSymlinks() throws IOException {
        TestingDistribution distribution = TestingDistribution.unpack(temp);
        Path javaHome = fakeJava("21");
        // /usr/local/bin/pg-node -> /opt/pg-node/bin/pg-node, with /opt/pg-node -> pg-node-<version>
        Path opt = Files.createSymbolicLink(temp.resolve("pg-node"), distribution.home().getFileName());
        Path bin = Files.createDirectories(temp.resolve("usr/local/bin"));
        Path command = Files.createSymbolicLink(bin.resolve("pg-node"), opt.resolve("bin/pg-node"));

        TestingNodeProcess.Result result = TestingNodeProcess.run(List.of(command.toString(), "version"), temp,
                Map.of("PATH", javaHome.resolve("bin") + ":/usr/bin:/bin"), Duration.ofSeconds(30));

        assertThat(result.exitCode()).as("%s", result).isZero();
        assertThat(result.stdout().get(1)).isEqualTo("java " + javaHome.resolve("bin/java"));
        assertThat(arguments(result)).containsSubsequence("-cp", distribution.home().toRealPath() + "/lib/*",
                "io.pgnode.host.cli.Main", "version");
    }

    @Test
    void refusesAJavaOlderThan17WithOneLine() throws IOException {
        TestingDistribution distribution = TestingDistribution.unpack(temp);
        for (String version : List.of("11.0.22", "1.8.0_392")) {
            Path javaHome = fakeJava(version);

            TestingNodeProcess.Result result = run(distribution, Map.of("JAVA_HOME", javaHome.toString()));

            assertThat(result.exitCode()).isEqualTo(1);
            assertThat(result.stdout()).isEmpty();
            assertThat(result.stderr()).containsExactly("pg-node: " + javaHome.resolve("bin/java") + " is Java "
                    + (version.startsWith("1.") ? "8" : "11") + "; pg-node needs Java 17 or newer (install one, or "
                    + "set JAVA_HOME to it)");
        }
    }

    @Test
    void saysWhatToDoWhenThereIsNoJava() throws IOException {
        TestingDistribution distribution = TestingDistribution.unpack(temp);
        // the tools the launcher uses, and no java
        Path tools = Files.createDirectory(temp.resolve("tools"));
        for (String tool : List.of("ls", "dirname", "sed", "head")) {
            Path found = Stream.of("/usr/bin", "/bin").map(directory -> Path.of(directory, tool))
                    .filter(Files::isExecutable).findFirst().orElseThrow();
            executable(tools.resolve(tool), "#!/bin/sh\nexec " + found + " \"$@\"\n");
        }

        TestingNodeProcess.Result withoutJava = TestingNodeProcess.run(
                List.of("/bin/sh", distribution.launcher().toString(), "version"), temp,
                Map.of("PATH", tools.toString()), Duration.ofSeconds(30));
        TestingNodeProcess.Result wrongHome = run(distribution, Map.of("JAVA_HOME", temp.resolve("nowhere").toString()));

        assertThat(withoutJava.exitCode()).isEqualTo(1);
        assertThat(withoutJava.stderr()).containsExactly("pg-node: no Java found: install Java 17 or newer (e.g. "
                + "apt-get install --no-install-recommends openjdk-17-jre-headless) or set JAVA_HOME");
        assertThat(wrongHome.exitCode()).isEqualTo(1);
        assertThat(wrongHome.stderr()).singleElement().asString()
                .startsWith("pg-node: JAVA_HOME is " + temp.resolve("nowhere") + " but ");
    }

    private TestingNodeProcess.Result run(TestingDistribution distribution, Map<String, String> environment) {
        return TestingNodeProcess.run(List.of(distribution.launcher().toString(), "version"), temp,
                TestingDistribution.environment(environment), Duration.ofSeconds(30));
    }

    /** A JAVA_HOME whose bin/java reports the version, then prints its pid, its path and its arguments. */
    private Path fakeJava(String version) throws IOException {
        return fakeJava(version, true);
    }

    /**
     * @param trims whether it takes -XX:TrimNativeHeapInterval (17.0.9 and newer do), else it refuses to start
     *     with it, as a real JVM refuses an option it does not know
     */
    private Path fakeJava(String version, boolean trims) throws IOException {
        Path home = temp.resolve("jdk-" + version + (trims ? "" : "-without-trim"));
        executable(Files.createDirectories(home.resolve("bin")).resolve("java"), "#!/bin/sh\n"
                + "for last in \"$@\"; do :; done\n"
                + "if [ \"${last:-}\" = -version ]; then\n"
                + (trims ? "" : "  case $1 in -XX:TrimNativeHeapInterval=*) echo \"Unrecognized VM option '${1#-XX:}'\" >&2; exit 1;; esac\n")
                + "  echo 'openjdk version \"" + version + "\" 2024-01-16' >&2; exit 0\n"
                + "fi\n"
                + "echo \"pid $$\"\n"
                + "echo \"java $0\"\n"
                + "for argument in \"$@\"; do echo \"argument $argument\"; done\n");
        return home;
    }

    private static void executable(Path file, String script) throws IOException {
        Files.writeString(file, script);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static List<String> arguments(TestingNodeProcess.Result result) {
        List<String> arguments = new ArrayList<>();
        for (String line : result.stdout()) {
            if (line.startsWith("argument ")) {
                arguments.add(line.substring("argument ".length()));
            }
        }
        return arguments;
    }
}
