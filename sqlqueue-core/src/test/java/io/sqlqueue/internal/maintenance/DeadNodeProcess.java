package io.sqlqueue.internal.maintenance;

import java.time.Duration;
import java.util.Map;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.worker.HandlerSpec;
import io.sqlqueue.worker.JobWorker;
import io.sqlqueue.worker.QueueSettings;

/**
 * A worker process for {@link DeadNodeRescueTests} that takes jobs and never finishes them: works queue
 * {@value #QUEUE} of the database at {@code args[0]} as node {@code args[1]}, leading the maintenance if it
 * can, its handlers blocking until the process is killed.
 */
public final class DeadNodeProcess {

	static final String QUEUE = "dead-node";

	static final String TYPE = "stuck";

	/** Printed once the worker runs. */
	static final String STARTED = "DEAD-NODE-PROCESS-STARTED";

	/** A lease no test waits out. */
	static final Duration LEASE = Duration.ofMinutes(5);

	static final Duration NODE_HEARTBEAT = Duration.ofMillis(300);

	static final Duration LEADER_TERM = Duration.ofSeconds(1);

	private DeadNodeProcess() {
	}

	public static void main(String[] args) throws InterruptedException {
		HikariConfig config = new HikariConfig();
		config.setJdbcUrl(args[0]);
		config.setMaximumPoolSize(6);
		HikariDataSource dataSource = new HikariDataSource(config);
		JobWorker worker = JobWorker.builder(JdbcJobQueue.builder(dataSource).build())
			.workerId(args[1])
			.maintenance((m) -> m.withNodeHeartbeat(NODE_HEARTBEAT))
			.maintenance((m) -> m.withLeaderTerm(LEADER_TERM))
			.queue(QUEUE, QueueSettings.defaults().withConcurrency(4).withLease(LEASE)
				.withPollInterval(Duration.ofMillis(50)))
			.handler(HandlerSpec.of(TYPE, Map.class, (payload, ctx) -> Thread.sleep(Long.MAX_VALUE)).onQueue(QUEUE))
			.build();
		worker.start();
		System.out.println(STARTED);
		System.out.flush();
		Thread.sleep(Long.MAX_VALUE);
	}

}
