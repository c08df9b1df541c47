package io.sqlqueue.chaos;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import ch.qos.logback.classic.Level;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;

import io.sqlqueue.Job;
import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.JobContext;
import io.sqlqueue.JobEventListener;
import io.sqlqueue.worker.Backoff;
import io.sqlqueue.worker.HandlerSpec;
import io.sqlqueue.worker.JobWorker;
import io.sqlqueue.worker.QueueSettings;
import io.sqlqueue.worker.WorkerHealth;

/**
 * One worker process of {@link ChaosTests}: a {@link JobWorker} on the chaos queue whose handler
 * records each execution (job id, attempt, worker id) in {@value #EXECUTION_TABLE}, in the same
 * database. It reports what the test checks on stdout, one line each, starting with
 * {@value #REPORT}: {@code STARTED}, {@code HEALTH DOWN|UP}, {@code STALE id attempt} (an outcome
 * fenced off), {@code LEASE-LOST id attempt}, {@code HANDLER-FAILED id attempt},
 * {@code NOT-SUCCEEDED id attempt outcome},
 * {@code HANG id attempt} and {@code HANG-RETURNED id attempt}.
 *
 * <p>Arguments: JDBC URL, worker id, lease in milliseconds, how long the hanging job hangs in
 * milliseconds.
 */
public final class ChaosWorker {

	static final String REPORT = "CHAOS ";

	static final String TABLE_PREFIX = "chaos_";

	static final String EXECUTION_TABLE = "chaos_execution";

	static final String QUEUE = "chaos";

	/** Records its execution and returns. */
	static final String RECORD_TYPE = "chaos-record";

	/** Records its execution, then on its first attempt ignores interrupts and returns only after the given hang. */
	static final String HANG_TYPE = "chaos-hang";

	/** The payload of every chaos job. */
	public record Work(int number) {
	}

	private ChaosWorker() {
	}

	public static void main(String[] args) throws Exception {
		String url = args[0];
		String workerId = args[1];
		Duration lease = Duration.ofMillis(Long.parseLong(args[2]));
		Duration hang = Duration.ofMillis(Long.parseLong(args[3]));
		((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).setLevel(Level.WARN);
		// the pool's warning for every connection dropped on purpose would drown the queue's own
		((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("com.zaxxer.hikari")).setLevel(Level.ERROR);

		HikariConfig config = new HikariConfig();
		config.setJdbcUrl(url);
		config.setPoolName("chaos-" + workerId);
		config.setMaximumPoolSize(8);
		// fail fast while the database is away, so that the worker's own retry and health take over
		config.setConnectionTimeout(1000);
		config.setValidationTimeout(500);
		config.setInitializationFailTimeout(-1);
		// said explicitly: when HikariCP has to detect the default isolation and the connection drops
		// during that first check, the pool is left with level -1 and never makes a connection again
		// (brettwooldridge/HikariCP#1944, seen here for a worker started while connections were dropped)
		config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
		HikariDataSource dataSource = new HikariDataSource(config);
		JdbcTemplate jdbc = new JdbcTemplate(dataSource);

		JdbcJobQueue queue = buildQueue(dataSource);
		JobWorker worker = JobWorker.builder(queue)
			.workerId(workerId)
			.queue(QUEUE, QueueSettings.defaults()
				.withConcurrency(6)
				.withBatchSize(50)
				.withPollInterval(Duration.ofMillis(200))
				.withLease(lease)
				.withBackoff(Backoff.constant(Duration.ofMillis(200))))
			.handler(HandlerSpec.of(RECORD_TYPE, Work.class, (work, ctx) -> recordExecution(jdbc, ctx, workerId))
				.onQueue(QUEUE))
			.handler(HandlerSpec.of(HANG_TYPE, Work.class, (work, ctx) -> {
				recordExecution(jdbc, ctx, workerId);
				if (ctx.attempt() == 1) {
					hang(ctx, hang);
					awaitRetaken(jdbc, ctx);
				}
			}).onQueue(QUEUE))
			.maintenance((m) -> m.withRescueInterval(Duration.ofSeconds(1)))
			.build();
		Runtime.getRuntime().addShutdownHook(new Thread(() -> {
			worker.stop(Duration.ofSeconds(5));
			dataSource.close();
		}));
		worker.start();
		report("STARTED " + workerId);
		reportHealthTransitions(worker);
	}

	/**
	 * Builds the queue, which reads the database's metadata to choose its dialect: a worker
	 * restarted while the database is away or slow to accept keeps trying, as a supervisor would.
	 */
	private static JdbcJobQueue buildQueue(HikariDataSource dataSource) throws InterruptedException {
		while (true) {
			try {
				return JdbcJobQueue.builder(dataSource).tablePrefix(TABLE_PREFIX).listener(new Reporter()).build();
			}
			catch (IllegalStateException ex) {
				report("NOT-STARTED " + ex.getMessage().replace('\n', ' '));
				Thread.sleep(500);
			}
		}
	}

	private static void recordExecution(JdbcTemplate jdbc, JobContext ctx, String workerId) {
		try {
			jdbc.update("INSERT INTO " + EXECUTION_TABLE + " (job_id, attempt, worker) VALUES (?, ?, ?)", ctx.id(),
					ctx.attempt(), workerId);
		}
		catch (RuntimeException ex) {
			// the insert may have committed before the connection dropped: this run may count as an execution
			report("HANDLER-FAILED " + ctx.id() + " " + ctx.attempt() + " " + ex.getClass().getSimpleName());
			throw ex;
		}
		finally {
			if (ctx.isLeaseLost()) {
				report("LEASE-LOST " + ctx.id() + " " + ctx.attempt());
			}
		}
	}

	/** A handler stuck past its lease that does not heartbeat and does not answer interrupts. */
	private static void hang(JobContext ctx, Duration hang) {
		report("HANG " + ctx.id() + " " + ctx.attempt());
		long deadline = System.nanoTime() + hang.toNanos();
		boolean interrupted = false;
		long left;
		while ((left = deadline - System.nanoTime()) > 0) {
			try {
				TimeUnit.NANOSECONDS.sleep(left);
			}
			catch (InterruptedException ex) {
				interrupted = true;
			}
		}
		report("HANG-RETURNED " + ctx.id() + " " + ctx.attempt() + " interrupted=" + interrupted + " leaseLost="
				+ ctx.isLeaseLost());
	}

	/**
	 * Returns only once another run has taken the job (its attempt in the database is past this run's), or a
	 * minute has passed: a run whose lease ran out while no node led maintenance (its leader killed) could
	 * otherwise return before the rescue made its job READY, and its success, still holding the job's current
	 * attempt, would be accepted rather than fenced off.
	 */
	private static void awaitRetaken(JdbcTemplate jdbc, JobContext ctx) {
		long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
		while (System.nanoTime() < deadline) {
			try {
				Integer attempt = jdbc.queryForObject("SELECT attempt FROM " + TABLE_PREFIX + "job WHERE id = ?",
						Integer.class, ctx.id());
				if (attempt != null && attempt > ctx.attempt()) {
					report("RETAKEN " + ctx.id() + " " + attempt);
					return;
				}
			}
			catch (RuntimeException ex) {
				// the database is away for a while: ask again
			}
			try {
				Thread.sleep(100);
			}
			catch (InterruptedException ex) {
				// interrupted once its lease ran out: keep waiting, as a hung handler would
			}
		}
	}

	/** Samples {@link JobWorker#health()} the way a health endpoint would, printing each change. */
	private static void reportHealthTransitions(JobWorker worker) throws InterruptedException {
		boolean healthy = true;
		while (true) {
			WorkerHealth health = worker.health();
			if (health.isHealthy() != healthy) {
				healthy = health.isHealthy();
				report(healthy ? "HEALTH UP" : "HEALTH DOWN " + health.lastError());
			}
			Thread.sleep(10);
		}
	}

	static void report(String line) {
		synchronized (System.out) {
			System.out.println(REPORT + line);
			System.out.flush();
		}
	}

	/** Reports the outcomes the test must see: fenced-off ones and any that were not a success. */
	private static final class Reporter implements JobEventListener {

		@Override
		public void staleOutcomeIgnored(long jobId, int attempt) {
			report("STALE " + jobId + " " + attempt);
		}

		@Override
		public void jobFinished(Job job, Outcome outcome, Duration execution, Throwable error) {
			if (outcome != Outcome.SUCCEEDED) {
				String reason = (error != null) ? error.getClass().getName() + ": " + error.getMessage() : "";
				report("NOT-SUCCEEDED " + job.id() + " " + job.attempt() + " " + outcome + " "
						+ reason.replace('\n', ' '));
			}
		}

	}

}
