package io.sqlqueue.groups;

import java.time.Duration;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.springframework.jdbc.core.JdbcTemplate;

import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.JobQueue;
import io.sqlqueue.worker.HandlerSpec;
import io.sqlqueue.worker.JobWorker;
import io.sqlqueue.worker.QueueSettings;

/**
 * A worker process of {@link BatchRaceTests} on queue {@value #QUEUE} of the database at {@code args[0]}, as
 * worker {@code args[1]}, and of the default queue, where the callbacks go: members do nothing, and each run of a callback is recorded as a row of
 * {@value #CALLBACK_RUNS} (batch, job, attempt, worker), a table with no unique key, so that a second run would
 * be a second row. {@code args[2]} is {@code calm}: the worker's default lease and heartbeats, and no lease rescue
 * or sweep of batches (an interval of an hour), so that only the completers release callbacks; or {@code kill}:
 * a lease of 3 s, heartbeats every second and a rescue every second, so that the jobs of a killed process come
 * back within seconds.
 */
public final class BatchRaceProcess {

	static final String QUEUE = "race";

	static final String MEMBER = "race-member";

	static final String CALLBACK = "race-callback";

	static final String CALLBACK_RUNS = "race_callback_run";

	/** Printed once the worker has started. */
	static final String STARTED = "BATCH-RACE-PROCESS-STARTED";

	private BatchRaceProcess() {
	}

	public static void main(String[] args) throws InterruptedException {
		HikariConfig config = new HikariConfig();
		config.setJdbcUrl(args[0]);
		config.setMaximumPoolSize(12);
		HikariDataSource dataSource = new HikariDataSource(config);
		JdbcTemplate jdbc = new JdbcTemplate(dataSource);
		String workerId = args[1];
		boolean kill = "kill".equals(args[2]);
		Duration lease = kill ? Duration.ofSeconds(3) : QueueSettings.DEFAULT_LEASE;
		JobWorker worker = JobWorker.builder(JdbcJobQueue.builder(dataSource).build())
			.workerId(workerId)
			.maintenance((m) -> kill ? m.withRescueInterval(Duration.ofSeconds(1))
				.withLeaderTerm(Duration.ofSeconds(2))
				.withNodeHeartbeat(Duration.ofSeconds(1)) : m.withRescueInterval(Duration.ofHours(1)))
			.queue(QUEUE, QueueSettings.defaults()
				.withConcurrency(8)
				.withLease(lease)
				.withPollInterval(Duration.ofMillis(50)))
			.queue(JobQueue.DEFAULT_QUEUE, QueueSettings.defaults()
				.withConcurrency(4)
				.withLease(lease)
				.withPollInterval(Duration.ofMillis(50)))
			.handler(HandlerSpec.of(MEMBER, Integer.class, (n, ctx) -> {
			}).onQueue(QUEUE))
			.handler(HandlerSpec.of(CALLBACK, Integer.class, (n, ctx) -> jdbc.update("INSERT INTO " + CALLBACK_RUNS
					+ " (batch_id, job_id, attempt, worker) VALUES (?, ?, ?, ?)", ctx.batch().orElseThrow().id(), ctx.id(),
					ctx.attempt(), workerId)).onQueue(JobQueue.DEFAULT_QUEUE))
			.build();
		worker.start();
		System.out.println(STARTED);
		System.out.flush();
		Thread.sleep(Long.MAX_VALUE);
	}

}
