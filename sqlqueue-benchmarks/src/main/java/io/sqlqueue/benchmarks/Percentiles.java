package io.sqlqueue.benchmarks;

import java.util.Arrays;
import java.util.Collection;
import java.util.Locale;

/** Percentiles of a set of durations in nanoseconds, reported in milliseconds. */
record Percentiles(int count, double p50, double p95, double p99, double max) {

	static Percentiles ofNanos(Collection<Long> nanos) {
		long[] sorted = nanos.stream().mapToLong(Long::longValue).toArray();
		if (sorted.length == 0) {
			throw new IllegalArgumentException("No samples");
		}
		Arrays.sort(sorted);
		return new Percentiles(sorted.length, millis(sorted, 0.50), millis(sorted, 0.95), millis(sorted, 0.99),
				sorted[sorted.length - 1] / 1e6);
	}

	private static double millis(long[] sorted, double quantile) {
		int index = (int) Math.ceil(quantile * sorted.length) - 1;
		return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
	}

	@Override
	public String toString() {
		return String.format(Locale.ROOT, "p50 %.2f ms  p95 %.2f ms  p99 %.2f ms  max %.2f ms  (%d samples)", this.p50,
				this.p95, this.p99, this.max, this.count);
	}

}
