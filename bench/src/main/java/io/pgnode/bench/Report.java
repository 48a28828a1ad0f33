package io.pgnode.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** The table the benchmarks print: figure, node, core-direct, ratio, target, pass/fail. */
final class Report {

    private static final String[] HEADINGS = {"figure", "node", "core-direct", "ratio", "target", "result"};

    private final List<Row> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    void add(Row row) {
        rows.add(row);
    }

    void addAll(List<Row> more) {
        rows.addAll(more);
    }

    /** A line printed under the table (what was measured how). */
    void note(String note) {
        notes.add(note);
    }

    List<Row> rows() {
        return List.copyOf(rows);
    }

    boolean allPass() {
        return rows.stream().allMatch(Row::pass);
    }

    void print(PrintStream out) {
        List<String[]> lines = new ArrayList<>();
        lines.add(HEADINGS);
        for (Row row : rows) {
            lines.add(new String[] {row.figure(), row.node(), row.coreDirect(), row.ratio(), row.target(),
                row.pass() ? "pass" : "FAIL"});
        }
        int[] widths = new int[HEADINGS.length];
        for (String[] line : lines) {
            for (int i = 0; i < line.length; i++) {
                widths[i] = Math.max(widths[i], line[i].length());
            }
        }
        for (int l = 0; l < lines.size(); l++) {
            StringBuilder text = new StringBuilder("|");
            for (int i = 0; i < widths.length; i++) {
                text.append(' ').append(pad(lines.get(l)[i], widths[i])).append(" |");
            }
            out.println(text);
            if (l == 0) {
                StringBuilder rule = new StringBuilder("|");
                for (int width : widths) {
                    rule.append('-').append("-".repeat(width)).append("-|");
                }
                out.println(rule);
            }
        }
        out.println();
        for (Row row : rows) {
            out.println("  " + row.figure() + ": " + row.samples());
        }
        notes.forEach(note -> out.println("  " + note));
    }

    private static String pad(String text, int width) {
        return text + " ".repeat(width - text.length());
    }
}
