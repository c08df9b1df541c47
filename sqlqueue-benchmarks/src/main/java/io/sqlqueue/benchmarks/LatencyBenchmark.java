package io.sqlqueue.benchmarks;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.JobRequest;
import io.sqlqueue.worker.JobWorker;
import io.sqlqueue.worker.QueueSettings;

/**
 * Latency from enqueue to handler start with idle workers: the enqueuer in the worker's JVM, in
 * another JVM woken by LISTEN/NOTIFY, and in another JVM with notifications off, where polling
 * bounds it. Before the paced jobs the worker runs a burst of unmeasured jobs and the enqueuer
 * enqueues one ({@link LatencyEnqueuer#warmUp}), so that the figures are of compiled code.
 */
final class LatencyBenchmark {

	/** Where the enqueuer runs and how the worker hears of its jobs. */
	enum Variant {

		SAME_JVM("same JVM, notify"), OTHER_JVM("other JVM, notify"), OTHER_JVM_POLLING("other JVM, polling only");

		final String label;

		Variant(String label) {
			this.label = label;
		}

	}

	/** What one variant measured. */
	record Result(Variant variant, Percentiles percentiles, long succeeded) {
	}

	private final BenchmarkDatabase database;

	LatencyBenchmark(BenchmarkDatabase database) {
		this.database = database;
	}

	/**
	 * Measures one variant.
	 * @param floor the latency floor of the same run, for the ratios; {@code null} when not measured
	 */
	Result run(Variant variant, int warmup, int samples, Duration maxPause, Percentiles floor, Report report)
			throws Exception {
		this.database.reset();
		boolean notify = variant != Variant.OTHER_JVM_POLLING;
		JdbcJobQueue queue = JdbcJobQueue.builder(this.database.dataSource()).notifications(notify).build();
		FinishedCounter counter = new FinishedCounter();
		queue.addListener(counter);
		Collection<Long> latencies = new ConcurrentLinkedQueue<>();
		JobWorker worker = JobWorker.builder(queue).listen(notify).handler(NoopJob.TYPE, NoopJob.class, (job, context) -> {
			long started = System.nanoTime();
			if (job.n() >= 0) {
				latencies.add(started - job.sentNanos());
			}
		}).build();
		worker.start();
		try {
			// the worker's claim and handler paths compiled, as in a running application
			int burst = warmup * LatencyEnqueuer.WARM_UP_BURST_PER_JOB;
			List<JobRequest> warmUpJobs = new ArrayList<>(burst);
			for (int n = 0; n < burst; n++) {
				warmUpJobs.add(JobRequest.of(NoopJob.TYPE, new NoopJob(0, -1)));
			}
			if (burst > 0) {
				queue.enqueueAll(warmUpJobs);
				counter.await(burst, Duration.ofSeconds(60));
			}
			if (variant == Variant.SAME_JVM) {
				LatencyEnqueuer.warmUp(queue, warmup);
				LatencyEnqueuer.send(queue, warmup, samples, maxPause);
			}
			else {
				enqueueFromAnotherJvm(warmup, samples, maxPause, notify, variant);
			}
			counter.await(burst + warmup + samples, Duration.ofSeconds(60));
		}
		finally {
			worker.stop(Duration.ofSeconds(10));
		}
		Percentiles percentiles = Percentiles.ofNanos(latencies);
		report.line("latency       %-24s %s%s", variant.label, percentiles,
				(floor != null && variant != Variant.OTHER_JVM_POLLING)
						? String.format(Locale.ROOT, "   p50 %s, p99 %s of the floor", Report.ratio(percentiles.p50(), floor.p50()),
								Report.ratio(percentiles.p99(), floor.p99()))
						: "");
		return new Result(variant, percentiles, counter.succeeded());
	}

	private void enqueueFromAnotherJvm(int warmup, int samples, Duration maxPause, boolean notify, Variant variant)
			throws Exception {
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		List<String> command = List.of(java, "-cp", System.getProperty("java.class.path"),
				"-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", LatencyEnqueuer.class.getName(), this.database.url(),
				Integer.toString(warmup), Integer.toString(samples), Long.toString(maxPause.toMillis()),
				Boolean.toString(notify));
		Process process = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.INHERIT)
			.directory(new File(System.getProperty("user.dir")))
			.start();
		long budget = 60 + (warmup + samples) * Math.max(1, maxPause.toMillis()) / 1000;
		if (!process.waitFor(budget, TimeUnit.SECONDS)) {
			process.destroyForcibly();
			throw new IllegalStateException("The enqueuer JVM of '" + variant.label + "' did not finish within " + budget
					+ " s");
		}
		if (process.exitValue() != 0) {
			throw new IllegalStateException("The enqueuer JVM of '" + variant.label + "' failed with exit code "
					+ process.exitValue());
		}
	}

	/** The poll interval that bounds the latency when notifications are off. */
	static Duration pollInterval() {
		return QueueSettings.DEFAULT_POLL_INTERVAL;
	}

}
