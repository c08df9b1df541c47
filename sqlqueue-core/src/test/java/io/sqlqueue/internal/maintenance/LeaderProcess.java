package io.sqlqueue.internal.maintenance;

import java.time.Duration;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.worker.JobWorker;

/**
 * A node for {@link KilledLeaderTests}: a worker of the database at {@code args[0]} as node {@code args[1]},
 * taking part in the maintenance's election with a term of {@code args[2]} milliseconds, until it is killed.
 */
public final class LeaderProcess {

	/** Printed once the worker runs. */
	static final String STARTED = "LEADER-PROCESS-STARTED";

	private LeaderProcess() {
	}

	public static void main(String[] args) throws InterruptedException {
		HikariConfig config = new HikariConfig();
		config.setJdbcUrl(args[0]);
		config.setMaximumPoolSize(4);
		HikariDataSource dataSource = new HikariDataSource(config);
		JobWorker worker = JobWorker.builder(JdbcJobQueue.builder(dataSource).build())
			.workerId(args[1])
			.maintenance(true)
			.maintenance((m) -> m.withLeaderTerm(Duration.ofMillis(Long.parseLong(args[2]))))
			.build();
		worker.start();
		System.out.println(STARTED);
		System.out.flush();
		Thread.currentThread().join();
	}

}
