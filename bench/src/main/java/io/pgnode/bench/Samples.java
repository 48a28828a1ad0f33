package io.pgnode.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Measurements of one quantity, one per run; figures report their median. */
final class Samples {

    private final List<Double> values = new ArrayList<>();

    void add(double value) {
        values.add(value);
    }

    int size() {
        return values.size();
    }

    boolean isEmpty() {
        return values.isEmpty();
    }

    /** The median: the middle value, or the mean of the two middle values of an even count. */
    double median() {
        if (values.isEmpty()) {
            throw new IllegalStateException("no samples");
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int middle = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
    }

    double max() {
        return values.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
    }

    /** The median of a batch of measurements taken in one run. */
    static double medianOf(List<Double> batch) {
        Samples samples = new Samples();
        batch.forEach(samples::add);
        return samples.median();
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
