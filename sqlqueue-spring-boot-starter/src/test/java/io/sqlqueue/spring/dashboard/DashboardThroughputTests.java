package io.sqlqueue.spring.dashboard;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;

import io.sqlqueue.EnqueueOptions;
import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.SqlQueueMigrations;
import io.sqlqueue.worker.Backoff;
import io.sqlqueue.worker.JobWorker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The chart counts what the database recorded, whichever node recorded it, once per span.
 */
class DashboardThroughputTests {

	@Test
	void countsTheSuccessesRetriesAndDeadJobsOfEveryNodeOnce() {
		try (HikariDataSource dataSource = new HikariDataSource()) {
			dataSource.setJdbcUrl("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
			countOnce(dataSource);
		}
	}

	private static void countOnce(DataSource dataSource) {
		SqlQueueMigrations.migrate(dataSource);
		JdbcJobQueue chartNode = JdbcJobQueue.builder(dataSource).build();
		// the jobs run on another node, which has no dashboard
		JdbcJobQueue otherNode = JdbcJobQueue.builder(dataSource).build();
		JobWorker worker = JobWorker.builder(otherNode).handler("flaky", Map.class, (payload, context) -> {
			if (payload.containsKey("fail")) {
				throw new IllegalStateException("failed");
			}
		}).build();
		otherNode.enqueue("flaky", Map.of());
		otherNode.enqueue("flaky", Map.of());
		otherNode.enqueue("flaky", Map.of("fail", true), EnqueueOptions.defaults().withMaxAttempts(2)
			.withBackoff(Backoff.constant(Duration.ZERO)));
		worker.drain();
		worker.drain();
		DashboardThroughput throughput = new DashboardThroughput(chartNode);

		await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
			throughput.count();
			DashboardThroughput.Series hour = throughput.lastHour();
			assertThat(Arrays.stream(hour.succeeded()).sum()).isEqualTo(2);
			assertThat(Arrays.stream(hour.retried()).sum()).isEqualTo(1);
			assertThat(Arrays.stream(hour.dead()).sum()).isEqualTo(1);
		});
		throughput.count();
		assertThat(Arrays.stream(throughput.lastHour().succeeded()).sum()).as("each span counted once").isEqualTo(2);
		assertThat(throughput.lastHour().minutes()).hasSize(DashboardThroughput.MINUTES);
	}

}
