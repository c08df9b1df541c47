package io.sqlqueue.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;

import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.JobQueue;
import io.sqlqueue.JobRequest;
import io.sqlqueue.JobState;

/**
 * Enqueue throughput: single {@code enqueue} calls from several threads in rounds, each after a
 * round of the insert-one-row ceiling of the same length, and {@code enqueueAll} of a batch,
 * repeated. No worker runs meanwhile.
 */
final class EnqueueBenchmark {

	/** Peer figure from issue 6: db-scheduler and JobRunr, one at a time. */
	static final double PEERS_SINGLE = 3_000;

	/** Peer figure from issue 6: db-scheduler {@code scheduleBatch}. */
	static final double DB_SCHEDULER_BATCH = 40_000;

	/** Peer figure from issue 6: JobRunr in batches. */
	static final double JOBRUNR_BATCH = 19_000;

	/** What the enqueue benchmark measured. */
	record Result(long singleEnqueued, double singlePerSecond, double singleRatioToCeiling, int batchSize, int batches,
			double batchPerSecond, long storedInDatabase) {
	}

	/** Rounds of single enqueue, each after a round of the insert ceiling. */
	static final int SINGLE_ROUNDS = 5;

	private final BenchmarkDatabase database;

	EnqueueBenchmark(BenchmarkDatabase database) {
		this.database = database;
	}

	Result run(int threads, Duration duration, int batchSize, int batches, SqlCeiling sqlCeiling,
			SqlCeiling.Figures ceiling, Report report) throws Exception {
		this.database.reset();
		JdbcJobQueue queue = JdbcJobQueue.builder(this.database.dataSource()).build();
		// untimed first: opens the pool's connections and lets the JIT compile the enqueue path. As
		// long as the rounds together: after 2 s the first round ran 0.54x to 0.71x of its ceiling in
		// eight runs of nine, where the later rounds ran about 0.8x; after 10 s, 0.72x and 0.83x
		single(queue, threads, duration);
		this.database.reset();
		// rounds of the insert ceiling and of enqueue in turn, so that each ratio compares figures
		// taken seconds apart on a machine whose speed drifts
		Duration roundLength = duration.dividedBy(SINGLE_ROUNDS);
		long single = 0;
		double[] perSecond = new double[SINGLE_ROUNDS];
		double[] ratios = new double[SINGLE_ROUNDS];
		StringBuilder rounds = new StringBuilder();
		for (int i = 0; i < SINGLE_ROUNDS; i++) {
			double insertCeiling = sqlCeiling.insertOneRow(roundLength);
			long enqueued = single(queue, threads, roundLength);
			single += enqueued;
			perSecond[i] = enqueued / (roundLength.toNanos() / 1e9);
			ratios[i] = perSecond[i] / insertCeiling;
			rounds.append(" ").append(Report.number(perSecond[i])).append('/').append(Report.number(insertCeiling));
		}
		double singlePerSecond = median(perSecond);
		double singleRatio = median(ratios);
		report.line("enqueue       single, %d threads: %s jobs/s (median of %d rounds of %d ms)   %.2f× of ceiling"
				+ " insert-one-row (median of the rounds' ratios; its run at the start: %s/s), %s of the quoted peers'"
				+ " one-at-a-time (%s/s)", threads, Report.number(singlePerSecond), SINGLE_ROUNDS, roundLength.toMillis(),
				singleRatio, Report.number(ceiling.insertOneRow()), Report.ratio(singlePerSecond, PEERS_SINGLE),
				Report.number(PEERS_SINGLE));
		report.line("              rounds, enqueue/s over the insert ceiling/s measured just before:%s", rounds);

		double[] rates = new double[batches];
		for (int round = 0; round < batches; round++) {
			rates[round] = enqueueAll(queue, batchSize);
		}
		double median = median(rates);
		Arrays.sort(rates);
		report.line("enqueueAll    %,d jobs a call, median of %d: %s jobs/s (best %s)   %s of db-scheduler scheduleBatch quoted"
				+ " (%s/s), %s of JobRunr (%s/s), %s of ceiling insert-one-row", batchSize, batches,
				Report.number(median), Report.number(rates[batches - 1]), Report.ratio(median, DB_SCHEDULER_BATCH),
				Report.number(DB_SCHEDULER_BATCH), Report.ratio(median, JOBRUNR_BATCH), Report.number(JOBRUNR_BATCH),
				Report.ratio(median, ceiling.insertOneRow()));
		long stored = queue.count(JobQueue.DEFAULT_QUEUE, JobState.READY);
		long expected = single + (long) batchSize * batches;
		if (stored != expected) {
			throw new IllegalStateException("Enqueued " + expected + " jobs but " + stored + " are READY in the table");
		}
		return new Result(single, singlePerSecond, singleRatio, batchSize, batches, median, stored);
	}

	/** One {@code enqueueAll} of {@code size} no-op jobs; jobs per second. */
	static double enqueueAll(JdbcJobQueue queue, int size) {
		List<JobRequest> requests = new ArrayList<>(size);
		for (int n = 0; n < size; n++) {
			requests.add(JobRequest.of(NoopJob.TYPE, new NoopJob(0, n)));
		}
		long start = System.nanoTime();
		List<Long> ids = queue.enqueueAll(requests);
		return ids.size() / ((System.nanoTime() - start) / 1e9);
	}

	static double median(double[] values) {
		double[] sorted = values.clone();
		Arrays.sort(sorted);
		return sorted[sorted.length / 2];
	}

	private long single(JdbcJobQueue queue, int threads, Duration duration) throws Exception {
		return fromThreads(threads, duration, (n) -> queue.enqueue(NoopJob.TYPE, new NoopJob(0, n)));
	}

	/**
	 * Calls {@code enqueueOne} in a loop on each of {@code threads} threads until {@code duration}
	 * has passed.
	 * @return how many calls returned
	 */
	static long fromThreads(int threads, Duration duration, IntConsumer enqueueOne) throws Exception {
		ExecutorService pool = Executors.newFixedThreadPool(threads);
		try {
			long deadline = System.nanoTime() + duration.toNanos();
			List<Future<Long>> counts = new ArrayList<>();
			for (int t = 0; t < threads; t++) {
				counts.add(pool.submit(() -> {
					long count = 0;
					while (System.nanoTime() < deadline) {
						enqueueOne.accept((int) count);
						count++;
					}
					return count;
				}));
			}
			long total = 0;
			for (Future<Long> count : counts) {
				total += count.get();
			}
			return total;
		}
		finally {
			pool.shutdownNow();
		}
	}

}
