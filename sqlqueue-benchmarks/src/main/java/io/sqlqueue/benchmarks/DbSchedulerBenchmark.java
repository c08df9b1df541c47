package io.sqlqueue.benchmarks;

import java.io.Serializable;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import io.sqlqueue.JdbcJobQueue;

/**
 * db-scheduler, the peer issue 6 measures sqlqueue against, run on the same database in the same
 * run, so that the comparison is a ratio of one run and not of figures quoted from another day:
 * the drain of no-op one-time tasks with lock-and-fetch polling and 20 threads (the configuration
 * the issue quotes), {@code schedule} one at a time from several threads, and
 * {@code scheduleBatch}. Each is preceded by an untimed run, as sqlqueue's are. db-scheduler gets a
 * pool of its own, as large as its threads need. Each {@code scheduleBatch} is followed by a
 * sqlqueue {@code enqueueAll} of the same size, and their ratio is the median of these pairs, so
 * that a machine whose speed drifts between the two scenarios compares like with like.
 */
final class DbSchedulerBenchmark {

	/** The db-scheduler version on the class path (the benchmark module's pom pins it). */
	static final String VERSION = "16.7.1";

	/** Threads of db-scheduler's executor, as in the figures quoted by issue 6. */
	static final int THREADS = 20;

	/** The data of a db-scheduler task, the same two numbers as sqlqueue's {@link NoopJob}. */
	record PeerJob(long sentNanos, int n) implements Serializable {
	}

	/** What db-scheduler measured. */
	record Result(int drainJobs, long drainExecuted, double drainPerSecond, double singlePerSecond,
			double batchPerSecond, double enqueueAllPerSecond, double enqueueAllRatio) {
	}

	private final BenchmarkDatabase database;

	private final AtomicLong executed = new AtomicLong();

	private final AtomicLong ids = new AtomicLong();

	private final OneTimeTask<PeerJob> task = Tasks.oneTime("noop", PeerJob.class)
		.execute((instance, context) -> this.executed.incrementAndGet());

	DbSchedulerBenchmark(BenchmarkDatabase database) {
		this.database = database;
	}

	Result run(int drainJobs, int threads, Duration singleDuration, int batchSize, int batches, Report report)
			throws Exception {
		HikariConfig config = new HikariConfig();
		config.setJdbcUrl(this.database.url());
		config.setPoolName("db-scheduler");
		config.setMaximumPoolSize(THREADS + 4);
		this.database.execute(SqlScript.statements("dbscheduler/setup.sql"));
		try (HikariDataSource dataSource = new HikariDataSource(config)) {
			SchedulerClient client = SchedulerClient.Builder.create(dataSource, this.task).build();

			drain(dataSource, client, drainJobs);
			Duration elapsed = drain(dataSource, client, drainJobs);
			long drainExecuted = this.executed.get();
			double drainPerSecond = drainJobs / (elapsed.toNanos() / 1e9);
			report.line("db-scheduler  drain %,d one-time tasks, lock-and-fetch, %d threads: %.2f s = %s executions/s"
					+ " (after an untimed drain of the same size)", drainJobs, THREADS, elapsed.toNanos() / 1e9,
					Report.number(drainPerSecond));

			reset();
			single(client, threads, singleDuration.dividedBy(2));
			reset();
			long scheduled = single(client, threads, singleDuration);
			double singlePerSecond = scheduled / (singleDuration.toNanos() / 1e9);
			report.line("db-scheduler  schedule, one at a time, %d threads: %s tasks/s over %d ms (after an untimed run)",
					threads, Report.number(singlePerSecond), singleDuration.toMillis());
			expectStored(dataSource, scheduled);

			reset();
			this.database.reset();
			JdbcJobQueue queue = JdbcJobQueue.builder(this.database.dataSource()).build();
			batch(client, batchSize);
			EnqueueBenchmark.enqueueAll(queue, batchSize);
			double[] rates = new double[batches];
			double[] sqlqueueRates = new double[batches];
			double[] ratios = new double[batches];
			StringBuilder pairs = new StringBuilder();
			for (int round = 0; round < batches; round++) {
				rates[round] = batch(client, batchSize);
				sqlqueueRates[round] = EnqueueBenchmark.enqueueAll(queue, batchSize);
				ratios[round] = sqlqueueRates[round] / rates[round];
				pairs.append(' ').append(Report.number(sqlqueueRates[round])).append('/').append(Report.number(rates[round]));
			}
			double batchPerSecond = EnqueueBenchmark.median(rates);
			double enqueueAllPerSecond = EnqueueBenchmark.median(sqlqueueRates);
			double enqueueAllRatio = EnqueueBenchmark.median(ratios);
			report.line("db-scheduler  scheduleBatch, %,d tasks a call, median of %d: %s tasks/s (best %s); sqlqueue enqueueAll"
					+ " of as many right after each: median %s jobs/s, median ratio %.2f×", batchSize, batches,
					Report.number(batchPerSecond), Report.number(Arrays.stream(rates).max().orElse(0)),
					Report.number(enqueueAllPerSecond), enqueueAllRatio);
			report.line("              pairs, enqueueAll/s over scheduleBatch/s:%s", pairs);
			expectStored(dataSource, (long) batchSize * (batches + 1));
			this.database.reset();
			return new Result(drainJobs, drainExecuted, drainPerSecond, singlePerSecond, batchPerSecond,
					enqueueAllPerSecond, enqueueAllRatio);
		}
		finally {
			this.database.execute(SqlScript.statements("dbscheduler/drop.sql"));
		}
	}

	/**
	 * Schedules {@code jobs} tasks due now in an empty table, then times a scheduler from its start
	 * until its table is empty (db-scheduler deletes a one-time task when it completes).
	 */
	private Duration drain(HikariDataSource dataSource, SchedulerClient client, int jobs) throws Exception {
		reset();
		int chunk = 10_000;
		for (int from = 0; from < jobs; from += chunk) {
			client.scheduleBatch(instances(Math.min(chunk, jobs - from)), Instant.now());
		}
		this.database.execute(SqlScript.statements("dbscheduler/vacuum.sql"));
		this.executed.set(0);
		Scheduler scheduler = Scheduler.create(dataSource, this.task)
			.threads(THREADS)
			.pollUsingLockAndFetch(0.5, 1.0)
			.pollingInterval(Duration.ofSeconds(1))
			.build();
		long deadline = System.nanoTime() + Duration.ofSeconds(Math.max(120, jobs / 100)).toNanos();
		long start = System.nanoTime();
		scheduler.start();
		try {
			while (this.executed.get() < jobs || remaining(dataSource) > 0) {
				if (System.nanoTime() > deadline) {
					throw new IllegalStateException("db-scheduler ran " + this.executed.get() + " of " + jobs
							+ " tasks and " + remaining(dataSource) + " are left in its table");
				}
				Thread.sleep(this.executed.get() < jobs ? 1 : 5);
			}
			return Duration.ofNanos(System.nanoTime() - start);
		}
		finally {
			scheduler.stop();
		}
	}

	private long single(SchedulerClient client, int threads, Duration duration) throws Exception {
		return EnqueueBenchmark.fromThreads(threads, duration, (n) -> client.schedule(instance(n), Instant.now()));
	}

	/** One {@code scheduleBatch} of {@code size} tasks; tasks per second. */
	private double batch(SchedulerClient client, int size) {
		List<TaskInstance<?>> instances = instances(size);
		long start = System.nanoTime();
		client.scheduleBatch(instances, Instant.now());
		return size / ((System.nanoTime() - start) / 1e9);
	}

	/** {@code count} new task instances, for one {@code scheduleBatch}. */
	private List<TaskInstance<?>> instances(int count) {
		List<TaskInstance<?>> instances = new ArrayList<>(count);
		for (int n = 0; n < count; n++) {
			instances.add(instance(n));
		}
		return instances;
	}

	private TaskInstance<PeerJob> instance(int n) {
		return this.task.instance("task-" + this.ids.incrementAndGet(), new PeerJob(0, n));
	}

	private void reset() {
		this.database.execute(SqlScript.statements("dbscheduler/reset.sql"));
	}

	private static void expectStored(HikariDataSource dataSource, long scheduled) throws SQLException {
		long stored = remaining(dataSource);
		if (stored != scheduled) {
			throw new IllegalStateException("db-scheduler scheduled " + scheduled + " tasks but " + stored
					+ " are in its table");
		}
	}

	private static long remaining(HikariDataSource dataSource) throws SQLException {
		try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
				ResultSet rs = statement.executeQuery("SELECT count(*) FROM scheduled_tasks")) {
			rs.next();
			return rs.getLong(1);
		}
	}

}
