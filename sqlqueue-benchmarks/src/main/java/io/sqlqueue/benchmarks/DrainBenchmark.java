package io.sqlqueue.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.JobQueue;
import io.sqlqueue.JobRequest;
import io.sqlqueue.JobState;
import io.sqlqueue.QueueLimits;
import io.sqlqueue.worker.JobWorker;

/**
 * Drain throughput: {@code jobs} no-op jobs are queued, then one worker with the default settings
 * runs them all; jobs per second from its start to the last recorded success. The same drain runs
 * once untimed before, so that the figure is of compiled code, not of the JIT warming up.
 */
final class DrainBenchmark {

	/** Peer figure from issue 6: db-scheduler 16, lock-and-fetch, 20 threads, this kind of machine. */
	static final double DB_SCHEDULER = 6_600;

	/** Peer figure from issue 6: JobRunr 8.7, 20 workers. */
	static final double JOBRUNR = 2_600;

	/** What a drain measured. */
	record Result(int jobs, long succeededInDatabase, Duration elapsed, double perSecond) {
	}

	private final BenchmarkDatabase database;

	DrainBenchmark(BenchmarkDatabase database) {
		this.database = database;
	}

	Result run(int jobs, SqlCeiling.Figures ceiling, Report report) throws InterruptedException {
		// untimed first, as the enqueue benchmark does: lets the JIT compile the claim, run and complete path
		drain(jobs, QueueLimits.none());
		Drained drained = drain(jobs, QueueLimits.none());
		Duration elapsed = drained.elapsed();
		long succeeded = drained.succeeded();
		double perSecond = jobs / (elapsed.toNanos() / 1e9);
		report.line("drain         %,d jobs in %.2f s = %s jobs/s   %s of ceiling claim-complete-100 (%s/s),"
				+ " %s of claim-complete-1 (%s/s)", jobs, elapsed.toNanos() / 1e9, Report.number(perSecond),
				Report.ratio(perSecond, ceiling.claimComplete100()), Report.number(ceiling.claimComplete100()),
				Report.ratio(perSecond, ceiling.claimComplete1()), Report.number(ceiling.claimComplete1()));
		report.line("              quoted peers: %s of db-scheduler (%s/s), %s of JobRunr (%s/s); %,d SUCCEEDED in the table",
				Report.ratio(perSecond, DB_SCHEDULER), Report.number(DB_SCHEDULER), Report.ratio(perSecond, JOBRUNR),
				Report.number(JOBRUNR), succeeded);
		return new Result(jobs, succeeded, elapsed, perSecond);
	}

	/** One drain: from the worker's start to the last recorded success, and SUCCEEDED jobs in the table after. */
	record Drained(Duration elapsed, long succeeded) {

		double perSecond(int jobs) {
			return jobs / (elapsed().toNanos() / 1e9);
		}

	}

	/**
	 * Queues {@code jobs} jobs in an empty table under {@code limits}, then times a fresh worker running them all.
	 */
	Drained drain(int jobs, QueueLimits limits) throws InterruptedException {
		this.database.reset();
		JdbcJobQueue queue = JdbcJobQueue.builder(this.database.dataSource()).build();
		if (limits.any()) {
			queue.updateQueueLimits(JobQueue.DEFAULT_QUEUE, limits);
		}
		FinishedCounter counter = new FinishedCounter();
		queue.addListener(counter);
		JobWorker worker = JobWorker.builder(queue).handler(NoopJob.TYPE, NoopJob.class, (job, context) -> {
		}).build();
		enqueue(queue, jobs);
		this.database.vacuum();
		long start = System.nanoTime();
		worker.start();
		try {
			counter.await(jobs, Duration.ofSeconds(Math.max(120, jobs / 200)));
		}
		finally {
			worker.stop(Duration.ofSeconds(10));
		}
		return new Drained(Duration.ofNanos(counter.lastNanos() - start),
				queue.count(JobQueue.DEFAULT_QUEUE, JobState.SUCCEEDED));
	}

	static void enqueue(JdbcJobQueue queue, int jobs) {
		int chunk = 10_000;
		for (int from = 0; from < jobs; from += chunk) {
			List<JobRequest> requests = new ArrayList<>(chunk);
			for (int n = from; n < Math.min(jobs, from + chunk); n++) {
				requests.add(JobRequest.of(NoopJob.TYPE, new NoopJob(0, n)));
			}
			queue.enqueueAll(requests);
		}
	}

}
