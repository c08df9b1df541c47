package io.sqlqueue.flow;

import java.time.Duration;
import java.util.Map;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.springframework.jdbc.core.JdbcTemplate;

import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.worker.HandlerSpec;
import io.sqlqueue.worker.JobWorker;
import io.sqlqueue.worker.QueueSettings;

/**
 * A worker process of {@link ClusterLimitsTests} on queue {@value #QUEUE} of the database at {@code args[0]}, as
 * node {@code args[1]}, with 8 handlers that record when each run started and ended ({@code record}) or never
 * end ({@code stuck}, {@code args[2]}).
 */
public final class LimitedNodeProcess {

	static final String QUEUE = "limited";

	static final String TYPE = "step";

	static final String STARTED = "LIMITED-NODE-STARTED";

	static final Duration NODE_HEARTBEAT = Duration.ofMillis(300);

	private LimitedNodeProcess() {
	}

	public static void main(String[] args) throws InterruptedException {
		HikariConfig config = new HikariConfig();
		config.setJdbcUrl(args[0]);
		config.setMaximumPoolSize(12);
		HikariDataSource dataSource = new HikariDataSource(config);
		JdbcTemplate jdbc = new JdbcTemplate(dataSource);
		boolean stuck = "stuck".equals(args[2]);
		JobWorker worker = JobWorker.builder(JdbcJobQueue.builder(dataSource).build())
			.workerId(args[1])
			.maintenance((m) -> m.withNodeHeartbeat(NODE_HEARTBEAT))
			.maintenance((m) -> m.withLeaderTerm(Duration.ofSeconds(1)))
			.queue(QUEUE, QueueSettings.defaults().withConcurrency(8).withPollInterval(Duration.ofMillis(50)))
			.handler(HandlerSpec.of(TYPE, Map.class, (payload, ctx) -> {
				long start = System.currentTimeMillis();
				if (stuck) {
					Thread.sleep(Long.MAX_VALUE);
				}
				Thread.sleep(10);
				jdbc.update("INSERT INTO limited_run (job_id, node, started, ended) VALUES (?, ?, ?, ?)", ctx.id(), args[1],
						start, System.currentTimeMillis());
			}).onQueue(QUEUE))
			.build();
		worker.start();
		System.out.println(STARTED);
		System.out.flush();
		Thread.sleep(Long.MAX_VALUE);
	}

}
