package io.pgnode.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark command works: every figure is measured (at a size that proves the machinery, not the targets)
 * against the installed tarball and the real v2fly core. Its numbers are not judged here; bench/run.sh is how
 * they are taken.
 */
class BenchSmokeIT {

    @Test
    void everyFigureIsMeasuredAndTabled(@TempDir Path work) throws Exception {
        assertThat(Path.of("/usr/bin/v2ray")).as("the benchmarks need the v2fly core (apt-get install v2ray)")
                .isExecutable();
        BenchOptions options = BenchOptions.parse(new String[] {
            "--distribution", System.getProperty("pgnode.distribution"), "--work", work.toString(),
            "--users", "300", "--runs", "1", "--syncs", "2", "--sync-base-users", "10", "--jmh-seconds", "1", "--smoke"});

        Report report = BenchMain.run(options);

        List<Row> rows = report.rows();
        for (String figure : List.of("P1", "P2", "P3", "P4", "P5", "U1", "U2", "U3")) {
            assertThat(rows).as(figure).anyMatch(row -> row.figure().startsWith(figure));
        }
        assertThat(rows).filteredOn(row -> row.figure().startsWith("P3")).hasSize(5);
        assertThat(rows).allSatisfy(row -> assertThat(row.node()).matches("[0-9.]+ (ms|s|MiB|%)"));
    }
}
