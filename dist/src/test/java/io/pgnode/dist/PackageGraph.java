package io.pgnode.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.spi.ToolProvider;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The dependencies between the project's packages ({@code io.pgnode.*}) in a set of jars, as {@code jdeps}
 * reports them: which packages depend on which, and which jar holds each package.
 */
final class PackageGraph {

    // "   io.pgnode.host.cli    -> io.pgnode.host.config    node-host-1.0.0.jar"
    private static final Pattern EDGE = Pattern.compile("^\\s+(io\\.pgnode\\S*)\\s+->\\s+(io\\.pgnode\\S*)\\s+(\\S+)");

    private final Map<String, Set<String>> dependencies;
    private final Map<String, Set<String>> jarsByPackage;

    private PackageGraph(Map<String, Set<String>> dependencies, Map<String, Set<String>> jarsByPackage) {
        this.dependencies = dependencies;
        this.jarsByPackage = jarsByPackage;
    }

    /** Runs jdeps over the jars (together, so that edges between them are seen). */
    static PackageGraph of(List<Path> jars) {
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow(() -> new AssertionError("no jdeps in this JDK"));
        List<String> arguments = new ArrayList<>(List.of("-verbose:package", "--multi-release", "17", "-e",
                "io\\.pgnode\\..*"));
        jars.forEach(jar -> arguments.add(jar.toString()));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = jdeps.run(new PrintWriter(out), new PrintWriter(err), arguments.toArray(String[]::new));
        assertThat(exit).as("jdeps: %s", err).isZero();
        Map<String, Set<String>> dependencies = new TreeMap<>();
        for (String line : out.toString().lines().toList()) {
            Matcher edge = EDGE.matcher(line);
            if (edge.find() && !edge.group(1).equals(edge.group(2))) {
                dependencies.computeIfAbsent(edge.group(1), p -> new TreeSet<>()).add(edge.group(2));
            }
        }
        Map<String, Set<String>> jarsByPackage = new TreeMap<>();
        for (Path jar : jars) {
            for (String pkg : packagesIn(jdeps, jar)) {
                jarsByPackage.computeIfAbsent(pkg, p -> new TreeSet<>()).add(jar.getFileName().toString());
            }
        }
        return new PackageGraph(dependencies, jarsByPackage);
    }

    private static Set<String> packagesIn(ToolProvider jdeps, Path jar) {
        StringWriter out = new StringWriter();
        jdeps.run(new PrintWriter(out), new PrintWriter(new StringWriter()),
                "-verbose:package", "--multi-release", "17", "-filter:none", jar.toString());
        Set<String> packages = new TreeSet<>();
        Pattern from = Pattern.compile("^\\s+(io\\.pgnode\\S*)\\s+->");
        for (String line : out.toString().lines().toList()) {
            Matcher m = from.matcher(line);
            if (m.find()) {
                packages.add(m.group(1));
            }
        }
        return packages;
    }

    /** Packages that depend on each other, directly or through others: every group of more than one. */
    List<Set<String>> cycles() {
        return new Tarjan().components().stream().filter(component -> component.size() > 1).toList();
    }

    /** Packages that more than one jar holds, with those jars. */
    Map<String, Set<String>> splitPackages() {
        Map<String, Set<String>> split = new TreeMap<>();
        jarsByPackage.forEach((pkg, jars) -> {
            if (jars.size() > 1) {
                split.put(pkg, jars);
            }
        });
        return split;
    }

    /** Every package the graph knows. */
    Set<String> packages() {
        return jarsByPackage.keySet();
    }

    /** Tarjan's strongly connected components over {@link #dependencies}. */
    private final class Tarjan {
        private final Map<String, Integer> index = new HashMap<>();
        private final Map<String, Integer> low = new HashMap<>();
        private final Deque<String> stack = new ArrayDeque<>();
        private final Set<String> onStack = new TreeSet<>();
        private final List<Set<String>> components = new ArrayList<>();
        private int next;

        List<Set<String>> components() {
            Set<String> all = new TreeSet<>(dependencies.keySet());
            dependencies.values().forEach(all::addAll);
            for (String pkg : all) {
                if (!index.containsKey(pkg)) {
                    visit(pkg);
                }
            }
            return components;
        }

        private void visit(String pkg) {
            index.put(pkg, next);
            low.put(pkg, next);
            next++;
            stack.push(pkg);
            onStack.add(pkg);
            for (String target : dependencies.getOrDefault(pkg, Set.of())) {
                if (!index.containsKey(target)) {
                    visit(target);
                    low.put(pkg, Math.min(low.get(pkg), low.get(target)));
                } else if (onStack.contains(target)) {
                    low.put(pkg, Math.min(low.get(pkg), index.get(target)));
                }
            }
            if (low.get(pkg).equals(index.get(pkg))) {
                Set<String> component = new TreeSet<>();
                String member;
                do {
                    member = stack.pop();
                    onStack.remove(member);
                    component.add(member);
                } while (!member.equals(pkg));
                components.add(component);
            }
        }
    }
}
