package io.sqlqueue.benchmarks;

/**
 * The benchmarks' job: its handler does nothing, so the figures measure the queue alone.
 *
 * @param sentNanos {@link System#nanoTime()} just before it was enqueued, for the latency benchmark
 * (on Linux the monotonic clock is shared by all processes of the machine)
 * @param n its number; negative for warm-up jobs that are not measured
 */
public record NoopJob(long sentNanos, int n) {

	/** The job type the benchmarks register. */
	public static final String TYPE = "noop";

}
