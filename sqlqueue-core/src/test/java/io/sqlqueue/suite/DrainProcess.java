package io.sqlqueue.suite;

import java.time.Duration;
import java.util.Map;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.springframework.jdbc.core.JdbcTemplate;

import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.JobState;
import io.sqlqueue.worker.HandlerSpec;
import io.sqlqueue.worker.JobWorker;
import io.sqlqueue.worker.QueueSettings;

/**
 * A worker process for {@link TwoProcessDrainTests}: works queue {@value #QUEUE} of the database at
 * {@code args[0]} as worker {@code args[1]}, recording every run in table {@value #EXECUTIONS},
 * until {@code args[2]} jobs have succeeded.
 */
public final class DrainProcess {

	static final String QUEUE = "drain";

	static final String TYPE = "drain";

	static final String EXECUTIONS = "suite_execution";

	/** Printed once the worker claims, so the test enqueues only when both processes take part. */
	static final String STARTED = "DRAIN-PROCESS-STARTED";

	private DrainProcess() {
	}

	public static void main(String[] args) throws InterruptedException {
		String url = args[0];
		String workerId = args[1];
		long expected = Long.parseLong(args[2]);
		HikariConfig config = new HikariConfig();
		config.setJdbcUrl(url);
		config.setMaximumPoolSize(8);
		try (HikariDataSource dataSource = new HikariDataSource(config)) {
			JdbcTemplate jdbc = new JdbcTemplate(dataSource);
			JdbcJobQueue jobs = JdbcJobQueue.builder(dataSource).build();
			JobWorker worker = JobWorker.builder(jobs)
				.workerId(workerId)
				.queue(QUEUE, QueueSettings.defaults()
					.withConcurrency(4)
					.withBatchSize(10)
					.withPollInterval(Duration.ofMillis(50)))
				.handler(HandlerSpec.of(TYPE, Map.class, (payload, ctx) -> jdbc.update(
						"INSERT INTO " + EXECUTIONS + " (job_id, attempt, worker) VALUES (?, ?, ?)", ctx.id(),
						ctx.attempt(), workerId))
					.onQueue(QUEUE))
				.build();
			worker.start();
			System.out.println(STARTED);
			System.out.flush();
			long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
			while (jobs.count(QUEUE, JobState.SUCCEEDED) < expected && System.nanoTime() < deadline) {
				Thread.sleep(100);
			}
			worker.stop(Duration.ofSeconds(10));
		}
	}

}
