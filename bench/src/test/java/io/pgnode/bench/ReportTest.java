package io.pgnode.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ReportTest {

    @Test
    void aRatioFigurePassesOnlyWithinItsTargetAndReportsMedians() {
        Row within = Row.ratio("fast", samples(11, 12, 13, 100, 10), samples(10, 10, 10, 10, 10), "ms", 1.2);
        Row beyond = Row.ratio("slow", samples(13, 13, 13), samples(10, 10, 10), "ms", 1.2);

        assertThat(within.pass()).isTrue();
        assertThat(within.node()).as("the median, not the mean").isEqualTo("12.0 ms");
        assertThat(within.ratio()).isEqualTo("1.20×");
        assertThat(beyond.pass()).isFalse();
        assertThat(beyond.ratio()).isEqualTo("1.30×");
    }

    @Test
    void anAbsoluteFigureComparesTheNodeWithItsBound() {
        assertThat(Row.bound("rss", samples(130, 120, 125), "—", "MiB", 128).pass()).isTrue();
        assertThat(Row.bound("rss", samples(130, 129, 125), "—", "MiB", 128).pass()).isFalse();
    }

    @Test
    void theTableHasAColumnPerHeadingAndSaysFailWhereATargetIsMissed() {
        Report report = new Report();
        report.add(Row.ratio("P9 something", samples(2), samples(1), "s", 1.2));
        report.note("measured on nothing");
        ByteArrayOutputStream text = new ByteArrayOutputStream();

        report.print(new PrintStream(text, true, StandardCharsets.UTF_8));

        String[] lines = text.toString(StandardCharsets.UTF_8).split("\n");
        assertThat(lines[0]).contains("figure", "node", "core-direct", "ratio", "target", "result");
        assertThat(lines[2]).contains("P9 something", "2.00 s", "1.00 s", "2.00×", "≤ 1.20×", "FAIL");
        assertThat(report.allPass()).isFalse();
        assertThat(lines).contains("  measured on nothing");
    }

    @Test
    void theMedianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
        assertThat(samples(4, 1, 3, 2).median()).isEqualTo(2.5);
    }

    private static Samples samples(double... values) {
        Samples samples = new Samples();
        for (double value : values) {
            samples.add(value);
        }
        return samples;
    }
}
