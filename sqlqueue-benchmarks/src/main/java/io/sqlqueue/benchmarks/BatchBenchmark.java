package io.sqlqueue.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToDoubleFunction;

import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.JobQueue;
import io.sqlqueue.JobRequest;
import io.sqlqueue.JobState;
import io.sqlqueue.worker.JobWorker;

/**
 * What a batch costs: {@code jobs} no-op jobs enqueued by one plain {@code enqueueAll}, and the same jobs as the
 * members of one batch with an {@code onComplete} callback, each drained by one worker with the default settings.
 * The two alternate {@code rounds} times after one untimed pair, so that both see the same machine; the figures
 * are the ratios of the medians, batch over plain: enqueueing (target at most 1.2) and draining (target at least
 * 0.8, timed from the worker's start to the last member's recorded success). An enqueue takes well under a
 * second, where this machine's noise moves a single pair by a quarter: {@link #ENQUEUE_PAIRS} more alternated
 * pairs of enqueues alone join the rounds' enqueues in the medians. Each batch's callback must run exactly once.
 */
final class BatchBenchmark {

	/** Enqueueing a batch takes at most this much of the time a plain {@code enqueueAll} takes. */
	static final double ENQUEUE_TARGET = 1.2;

	/** A batch's members drain at least this share of the plain jobs' rate. */
	static final double DRAIN_TARGET = 0.8;

	/** Alternated pairs of enqueues alone, timed besides those of the rounds. */
	static final int ENQUEUE_PAIRS = 6;

	/** The callback's job type. */
	static final String CALLBACK = "batch-done";

	/** One enqueue and drain: seconds to enqueue, members drained a second, callback runs. */
	record Round(double enqueueSeconds, double perSecond, int callbackRuns) {
	}

	/**
	 * Every round of each kind, in the order run, and the seconds of every enqueue (the rounds' and those timed
	 * alone).
	 */
	record Result(List<Round> plain, List<Round> batch, List<Double> plainEnqueues, List<Double> batchEnqueues) {

		double enqueueRatio() {
			return medianOf(this.batchEnqueues) / medianOf(this.plainEnqueues);
		}

		double drainRatio() {
			return median(this.batch, Round::perSecond) / median(this.plain, Round::perSecond);
		}

		boolean callbacksRanOnce() {
			return this.batch.stream().allMatch((round) -> round.callbackRuns() == 1);
		}

	}

	private final BenchmarkDatabase database;

	BatchBenchmark(BenchmarkDatabase database) {
		this.database = database;
	}

	Result run(int jobs, int rounds, Report report) throws InterruptedException {
		// untimed first: lets the JIT compile both paths
		round(jobs, false);
		round(jobs, true);
		List<Round> plain = new ArrayList<>();
		List<Round> batch = new ArrayList<>();
		for (int i = 0; i < rounds; i++) {
			plain.add(round(jobs, false));
			batch.add(round(jobs, true));
		}
		List<Double> plainEnqueues = new ArrayList<>(plain.stream().map(Round::enqueueSeconds).toList());
		List<Double> batchEnqueues = new ArrayList<>(batch.stream().map(Round::enqueueSeconds).toList());
		for (int i = 0; i < ENQUEUE_PAIRS; i++) {
			boolean batchFirst = (i % 2) == 0;
			(batchFirst ? batchEnqueues : plainEnqueues).add(enqueue(jobs, batchFirst, newQueue()));
			(batchFirst ? plainEnqueues : batchEnqueues).add(enqueue(jobs, !batchFirst, newQueue()));
		}
		Result result = new Result(plain, batch, plainEnqueues, batchEnqueues);
		report.line("batch         enqueue: plain enqueueAll %.3f s, one batch %.3f s (medians of %d, alternated):"
				+ " %.2fx (target <= %.1fx) %s", medianOf(plainEnqueues), medianOf(batchEnqueues), plainEnqueues.size(),
				result.enqueueRatio(), ENQUEUE_TARGET, (result.enqueueRatio() <= ENQUEUE_TARGET) ? "met" : "MISSED");
		report.line("              drain: plain %s jobs/s, batch members %s jobs/s: %.2fx (target >= %.1fx) %s",
				Report.number(median(plain, Round::perSecond)), Report.number(median(batch, Round::perSecond)),
				result.drainRatio(), DRAIN_TARGET, (result.drainRatio() >= DRAIN_TARGET) ? "met" : "MISSED");
		report.line("              each round: plain %s, batch %s", rounds(plain), rounds(batch));
		report.line("              each enqueue (s): plain %s, batch %s", seconds(plainEnqueues), seconds(batchEnqueues));
		report.line("              the callback ran once in every batch: %s (runs per batch: %s)",
				result.callbacksRanOnce() ? "yes" : "NO", batch.stream().map((r) -> String.valueOf(r.callbackRuns())).toList());
		return result;
	}

	/** Enqueues {@code jobs} jobs into an empty table, plain or as one batch, and times a fresh worker draining them. */
	private Round round(int jobs, boolean asBatch) throws InterruptedException {
		JdbcJobQueue queue = newQueue();
		FinishedCounter members = new FinishedCounter(NoopJob.TYPE);
		queue.addListener(members);
		AtomicInteger callbackRuns = new AtomicInteger();
		JobWorker worker = JobWorker.builder(queue)
			.handler(NoopJob.TYPE, NoopJob.class, (job, context) -> {
			})
			.handler(CALLBACK, String.class, (name, context) -> callbackRuns.incrementAndGet())
			.build();
		double enqueueSeconds = enqueue(jobs, asBatch, queue);
		this.database.vacuum();
		long start = System.nanoTime();
		worker.start();
		try {
			members.await(jobs, Duration.ofSeconds(Math.max(120, jobs / 200)));
			if (asBatch) {
				awaitCallback(queue, Duration.ofSeconds(30));
			}
		}
		finally {
			worker.stop(Duration.ofSeconds(10));
		}
		double perSecond = jobs / ((members.lastNanos() - start) / 1e9);
		return new Round(enqueueSeconds, perSecond, callbackRuns.get());
	}

	/** A queue on the emptied tables. */
	private JdbcJobQueue newQueue() {
		this.database.reset();
		return JdbcJobQueue.builder(this.database.dataSource()).build();
	}

	/** Enqueues {@code jobs} no-op jobs, plain or as one batch. @return the seconds it took */
	private static double enqueue(int jobs, boolean asBatch, JdbcJobQueue queue) {
		List<JobRequest> requests = new ArrayList<>(jobs);
		for (int n = 0; n < jobs; n++) {
			requests.add(JobRequest.of(NoopJob.TYPE, new NoopJob(0, n)));
		}
		long start = System.nanoTime();
		if (asBatch) {
			queue.batch("benchmark").addAll(requests).onComplete(CALLBACK, "benchmark").enqueue();
		}
		else {
			queue.enqueueAll(requests);
		}
		return (System.nanoTime() - start) / 1e9;
	}

	/** Waits until no job is left to run: the callback released by the last member has run. */
	private static void awaitCallback(JdbcJobQueue queue, Duration timeout) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (queue.count(JobQueue.DEFAULT_QUEUE, JobState.WAITING) + queue.count(JobQueue.DEFAULT_QUEUE, JobState.READY)
				+ queue.count(JobQueue.DEFAULT_QUEUE, JobState.RUNNING) > 0 && System.nanoTime() < deadline) {
			Thread.sleep(5);
		}
	}

	private static double median(List<Round> rounds, ToDoubleFunction<Round> figure) {
		return EnqueueBenchmark.median(rounds.stream().mapToDouble(figure).toArray());
	}

	private static double medianOf(List<Double> values) {
		return EnqueueBenchmark.median(values.stream().mapToDouble(Double::doubleValue).toArray());
	}

	private static String seconds(List<Double> values) {
		return String.join(" ", values.stream().map((v) -> String.format(Locale.ROOT, "%.3f", v)).toList());
	}

	private static String rounds(List<Round> rounds) {
		return String.join(" ", rounds.stream()
			.map((r) -> String.format(Locale.ROOT, "%.3f s/%s jobs/s", r.enqueueSeconds(), Report.number(r.perSecond())))
			.toList());
	}

}
