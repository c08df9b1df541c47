package io.sqlqueue.benchmarks;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.JobRequest;
import io.sqlqueue.worker.JobWorker;

/**
 * Issue 27's held snapshot: a producer enqueues no-op jobs at a fixed rate on top of a backlog, one worker with
 * the default settings drains them, and another connection holds a {@code REPEATABLE READ} transaction open (a
 * forgotten report) for a while, so that no vacuum can remove the dead rows every claim, completion and retention
 * delete leaves. Prints, every few seconds and per phase (before, during, the first minute after), the jobs run
 * per second, the due-to-start latency (jobs are due when enqueued), the dead rows and the age of the oldest
 * snapshot as {@link JdbcJobQueue#oldestSnapshot()} sees it. Passes when the drain during the hold runs at least
 * 0.7 of before, and the minute after at least 0.95.
 */
final class SnapshotBenchmark {

	/** What the scenario measured: jobs per second and latency per phase. */
	record Result(double before, double during, double after, Percentiles latencyBefore, Percentiles latencyDuring,
			Percentiles latencyAfter, long deadRowsAtEnd, long enqueued, long succeeded, boolean passed) {
	}

	private static final int BATCH = 100;

	private final BenchmarkDatabase database;

	SnapshotBenchmark(BenchmarkDatabase database) {
		this.database = database;
	}

	/**
	 * Runs it: {@code backlog} jobs queued, then {@code rate} more a second; {@code before} of steady drain once the
	 * backlog is gone, the snapshot held for {@code hold}, then {@code after} measured.
	 */
	Result run(int rate, int backlog, Duration before, Duration hold, Duration after, Duration tick, Report report)
			throws Exception {
		this.database.reset();
		this.database.vacuum();
		JdbcJobQueue queue = JdbcJobQueue.builder(this.database.dataSource()).build();
		FinishedCounter counter = new FinishedCounter();
		queue.addListener(counter);
		Queue<Long> latencies = new ConcurrentLinkedQueue<>();
		JobWorker worker = JobWorker.builder(queue)
			.maintenance((m) -> m.withRetention(Benchmarks.soakRetention()).withCleanInterval(Benchmarks.SOAK_CLEAN_INTERVAL))
			.handler(NoopJob.TYPE, NoopJob.class, (job, context) -> latencies.add(System.nanoTime() - job.sentNanos()))
			.build();
		AtomicLong enqueued = new AtomicLong();
		enqueue(queue, backlog, enqueued);
		List<RuntimeException> producerFailure = new ArrayList<>();
		Thread producer = new Thread(() -> produce(queue, rate, enqueued, producerFailure), "snapshot-producer");
		worker.start();
		producer.start();
		double[] perPhase = new double[3];
		Percentiles[] latencyPerPhase = new Percentiles[3];
		long deadRows;
		try {
			// the backlog first: the phases compare the steady drain, not the catching up
			long warm = System.nanoTime();
			while (enqueued.get() - counter.succeeded() > rate && System.nanoTime() - warm < Duration.ofMinutes(5).toNanos()) {
				Thread.sleep(100);
			}
			report.line("snapshot      backlog of %,d drained in %.1f s; %d jobs/s enqueued from now on", backlog,
					(System.nanoTime() - warm) / 1e9, rate);
			latencies.clear();
			phase("before", 0, before, tick, counter, latencies, perPhase, latencyPerPhase, queue, producerFailure, report);
			try (Connection report1 = this.database.connect()) {
				holdSnapshot(report1);
				phase("during", 1, hold, tick, counter, latencies, perPhase, latencyPerPhase, queue, producerFailure,
						report);
				report1.commit();
			}
			phase("after", 2, after, tick, counter, latencies, perPhase, latencyPerPhase, queue, producerFailure, report);
			deadRows = sizes()[2];
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
		boolean passed = perPhase[1] >= 0.7 * perPhase[0] && perPhase[2] >= 0.95 * perPhase[0];
		report.line("snapshot      during the hold %s of before (pass: at least 0.70×), the %d s after %s (pass: at"
				+ " least 0.95×): %s; %,d jobs enqueued, %,d succeeded", Report.ratio(perPhase[1], perPhase[0]),
				after.toSeconds(), Report.ratio(perPhase[2], perPhase[0]), passed ? "PASS" : "FAIL", enqueued.get(),
				counter.succeeded());
		return new Result(perPhase[0], perPhase[1], perPhase[2], latencyPerPhase[0], latencyPerPhase[1],
				latencyPerPhase[2], deadRows, enqueued.get(), counter.succeeded(), passed);
	}

	private void phase(String name, int index, Duration length, Duration tick, FinishedCounter counter,
			Queue<Long> latencies, double[] perPhase, Percentiles[] latencyPerPhase, JdbcJobQueue queue,
			List<RuntimeException> producerFailure, Report report) throws Exception {
		long start = System.nanoTime();
		long startDone = counter.succeeded();
		List<Long> phaseLatencies = new ArrayList<>();
		long tickStart = start;
		long tickDone = startDone;
		while (System.nanoTime() - start < length.toNanos()) {
			long remaining = length.toNanos() - (System.nanoTime() - start);
			Thread.sleep(Math.max(1, Math.min(tick.toMillis(), remaining / 1_000_000)));
			long now = System.nanoTime();
			long done = counter.succeeded();
			List<Long> tickLatencies = new ArrayList<>();
			for (Long latency = latencies.poll(); latency != null; latency = latencies.poll()) {
				tickLatencies.add(latency);
			}
			phaseLatencies.addAll(tickLatencies);
			long[] sizes = sizes();
			String snapshot = queue.oldestSnapshot()
				.map((held) -> String.format("pid %d %s, %d s", held.pid(), held.state(), held.age().toSeconds()))
				.orElse("none");
			report.line("snapshot      %-6s %5.0f s  %s jobs/s   latency %s   %,d dead rows, claim index %.1f MiB,"
					+ " oldest snapshot %s", name, (now - start) / 1e9, Report.number((done - tickDone) / ((now - tickStart) / 1e9)),
					tickLatencies.isEmpty() ? "none" : Percentiles.ofNanos(tickLatencies), sizes[2], sizes[1] / 1048576.0,
					snapshot);
			tickStart = now;
			tickDone = done;
			if (!producerFailure.isEmpty()) {
				throw producerFailure.get(0);
			}
		}
		perPhase[index] = (counter.succeeded() - startDone) / ((System.nanoTime() - start) / 1e9);
		latencyPerPhase[index] = phaseLatencies.isEmpty() ? null : Percentiles.ofNanos(phaseLatencies);
		report.line("snapshot      %-6s %s jobs/s, due-to-start latency %s", name, Report.number(perPhase[index]),
				latencyPerPhase[index]);
	}

	/** A report's transaction: REPEATABLE READ, one read, which takes the snapshot it then holds. */
	private void holdSnapshot(Connection connection) throws SQLException {
		connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
		connection.setAutoCommit(false);
		try (Statement statement = connection.createStatement()) {
			statement.execute("SET application_name = 'snapshot-benchmark-report'");
			try (ResultSet rs = statement.executeQuery("SELECT count(*) FROM sqlqueue_job")) {
				rs.next();
			}
		}
	}

	private static void produce(JdbcJobQueue queue, int rate, AtomicLong enqueued, List<RuntimeException> failure) {
		long start = System.nanoTime();
		long sent = 0;
		try {
			while (!Thread.currentThread().isInterrupted()) {
				long due = (System.nanoTime() - start) * rate / 1_000_000_000L;
				if (due - sent >= BATCH) {
					enqueue(queue, BATCH, enqueued);
					sent += BATCH;
				}
				else {
					Thread.sleep(5);
				}
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (RuntimeException ex) {
			failure.add(ex);
		}
	}

	private static void enqueue(JdbcJobQueue queue, int jobs, AtomicLong enqueued) {
		for (int done = 0; done < jobs; done += 1_000) {
			List<JobRequest> requests = new ArrayList<>();
			long now = System.nanoTime();
			for (int n = done; n < Math.min(jobs, done + 1_000); n++) {
				requests.add(JobRequest.of(NoopJob.TYPE, new NoopJob(now, n)));
			}
			queue.enqueueAll(requests);
			enqueued.addAndGet(requests.size());
		}
	}

	private long[] sizes() throws SQLException {
		try (Connection connection = this.database.connect(); Statement statement = connection.createStatement();
				ResultSet rs = statement.executeQuery(SqlScript.statements("sizes.sql").get(0))) {
			rs.next();
			return new long[] { rs.getLong(1), rs.getLong(2), rs.getLong(3) };
		}
	}

}
