package io.sqlqueue.benchmarks;

import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.JobRequest;
import io.sqlqueue.worker.Retention;
import io.sqlqueue.worker.JobWorker;

/**
 * Sustained throughput: a producer keeps a backlog of no-op jobs in front of one worker with the
 * default settings for a number of intervals (a minute each unless told); each interval prints the
 * jobs run, the heap used after a full GC and the table's size. Passes when the last interval runs
 * at least 90% of the first's jobs.
 */
final class SoakBenchmark {

	/** What a soak measured. */
	record Result(List<Double> perSecond, List<Long> heapBytes, long enqueued, long succeeded, boolean passed) {
	}

	private static final int PRODUCER_BATCH = 1_000;

	private final BenchmarkDatabase database;

	SoakBenchmark(BenchmarkDatabase database) {
		this.database = database;
	}

	/**
	 * Runs the soak.
	 * @param vacuumEvery the worker's vacuum interval ({@code JobWorker.Builder.vacuumInterval}): how
	 * often it vacuums the job table, where the server's autovacuum is off; {@code null} for none
	 * @param vacuumDeadRows the worker vacuums the job table once it holds this many dead rows
	 * ({@code JobWorker.Builder.vacuumDeadRows}); 0 for none
	 */
	Result run(int intervals, Duration interval, int backlog, Retention retention, Duration cleanInterval,
			Duration vacuumEvery, long vacuumDeadRows, SqlCeiling.Figures ceiling, Report report) throws Exception {
		this.database.reset();
		JdbcJobQueue queue = JdbcJobQueue.builder(this.database.dataSource()).build();
		FinishedCounter counter = new FinishedCounter();
		queue.addListener(counter);
		JobWorker worker = JobWorker.builder(queue)
			.maintenance((m) -> m.withRetention(retention)
				.withCleanInterval(cleanInterval)
				.withVacuumInterval(vacuumEvery)
				.withVacuumDeadRows(vacuumDeadRows))
			.handler(NoopJob.TYPE, NoopJob.class, (job, context) -> {
			})
			.build();
		AtomicLong enqueued = new AtomicLong();
		List<RuntimeException> producerFailure = new ArrayList<>();
		Thread producer = new Thread(() -> {
			try {
				while (!Thread.currentThread().isInterrupted()) {
					if (enqueued.get() - counter.succeeded() < backlog) {
						List<JobRequest> requests = new ArrayList<>(PRODUCER_BATCH);
						for (int n = 0; n < PRODUCER_BATCH; n++) {
							requests.add(JobRequest.of(NoopJob.TYPE, new NoopJob(0, n)));
						}
						queue.enqueueAll(requests);
						enqueued.addAndGet(PRODUCER_BATCH);
					}
					else {
						Thread.sleep(2);
					}
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			catch (RuntimeException ex) {
				producerFailure.add(ex);
			}
		}, "soak-producer");
		producer.start();
		worker.start();
		List<Double> rates = new ArrayList<>();
		List<Long> heaps = new ArrayList<>();
		try {
			long previous = counter.succeeded();
			long intervalStart = System.nanoTime();
			for (int i = 1; i <= intervals; i++) {
				Thread.sleep(interval.toMillis());
				long now = System.nanoTime();
				long done = counter.succeeded();
				double rate = (done - previous) / ((now - intervalStart) / 1e9);
				previous = done;
				intervalStart = now;
				System.gc();
				long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
				long[] sizes = sizes();
				rates.add(rate);
				heaps.add(heap);
				report.line("soak          %2d/%d  %s jobs/s   %s of ceiling claim-complete-100   heap after GC %.1f MiB"
						+ "   table %.1f MiB, claim index %.1f MiB, %,d dead rows", i, intervals, Report.number(rate),
						Report.ratio(rate, ceiling.claimComplete100()), heap / 1048576.0, sizes[0] / 1048576.0,
						sizes[1] / 1048576.0, sizes[2]);
				if (!producerFailure.isEmpty()) {
					throw producerFailure.get(0);
				}
			}
		}
		finally {
			producer.interrupt();
			producer.join();
		}
		try {
			counter.await(enqueued.get(), Duration.ofSeconds(120));
		}
		finally {
			worker.stop(Duration.ofSeconds(10));
		}
		double first = rates.get(0);
		double last = rates.get(rates.size() - 1);
		boolean passed = last >= 0.9 * first;
		report.line("soak          last interval %s of the first: %s (pass: at least 0.90×); %,d jobs enqueued, %,d"
				+ " succeeded", Report.ratio(last, first), passed ? "PASS" : "FAIL", enqueued.get(), counter.succeeded());
		return new Result(rates, heaps, enqueued.get(), counter.succeeded(), passed);
	}

	private long[] sizes() throws SQLException {
		try (Connection connection = this.database.connect(); Statement statement = connection.createStatement();
				ResultSet rs = statement.executeQuery(SqlScript.statements("sizes.sql").get(0))) {
			rs.next();
			return new long[] { rs.getLong(1), rs.getLong(2), rs.getLong(3) };
		}
	}

}
