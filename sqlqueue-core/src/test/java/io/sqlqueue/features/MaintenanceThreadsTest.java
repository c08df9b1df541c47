package io.sqlqueue.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;

import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.JobState;
import io.sqlqueue.SqlQueueMigrations;
import io.sqlqueue.dialect.H2Dialect;
import io.sqlqueue.maintenance.Maintenance;
import io.sqlqueue.worker.Retention;
import io.sqlqueue.testing.TestDatabase;
import io.sqlqueue.testing.TestDatabases;

/**
 * The maintenance tasks do not wait for each other: a retention cleanup that takes long (catching
 * up on a backlog of finished jobs) does not hold back the rescue of expired leases. Before, one
 * thread ran them all, and a soak whose cleaner never caught up starved its vacuum too. And a
 * statement under way when maintenance stops is waited for.
 */
class MaintenanceThreadsTest {

	@Test
	void aLongCleanupDoesNotHoldBackTheLeaseRescue() throws Exception {
		DataSource dataSource = TestDatabases.fresh(TestDatabase.H2);
		JdbcJobQueue queue = JdbcJobQueue.builder(dataSource).build();
		CountDownLatch cleaning = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		H2Dialect slowCleaner = cleanerBlockedUntil(dataSource, cleaning, release);
		long id = queue.enqueue("work", Map.of());
		assertThat(queue.dialect().jobClaim("default", 1, Duration.ofMillis(200), "crashed-worker")).hasSize(1);
		Maintenance maintenance = new Maintenance(slowCleaner, Duration.ofMillis(100), Duration.ofMillis(10),
				Retention.DEFAULT);
		maintenance.start();
		try {
			assertThat(cleaning.await(10, TimeUnit.SECONDS)).as("the cleanup started").isTrue();

			await().atMost(Duration.ofSeconds(10)).until(() -> queue.find(id).orElseThrow().state() == JobState.READY);
			assertThat(release.getCount()).as("the cleanup is still running").isOne();
		}
		finally {
			release.countDown();
			maintenance.stop();
		}
	}

	/**
	 * A statement under way is not interrupted by {@link Maintenance#stop()} (JDBC's socket reads do
	 * not heed interrupts): a worker stopping waits for it, so that the pool is not closed under it.
	 */
	@Test
	void stoppingWaitsForAStatementUnderWay() throws Exception {
		DataSource dataSource = TestDatabases.fresh(TestDatabase.H2);
		CountDownLatch cleaning = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		Maintenance maintenance = new Maintenance(cleanerBlockedUntil(dataSource, cleaning, release), Duration.ofHours(1), Duration.ofMillis(10),
				Retention.DEFAULT);
		assertThat(maintenance.awaitStopped(Duration.ZERO)).as("never started").isTrue();
		maintenance.start();
		try {
			assertThat(cleaning.await(10, TimeUnit.SECONDS)).as("the cleanup started").isTrue();

			maintenance.stop();

			assertThat(maintenance.awaitStopped(Duration.ofMillis(300))).as("stopped while its statement runs").isFalse();
			release.countDown();
			assertThat(maintenance.awaitStopped(Duration.ofSeconds(10))).as("stopped once it ended").isTrue();
		}
		finally {
			release.countDown();
			maintenance.stop();
		}
	}

	/**
	 * A dialect whose retention cleanup counts {@code cleaning} down and then blocks until
	 * {@code release}, heeding no interrupt meanwhile, as a JDBC statement waiting on its socket does.
	 */
	private static H2Dialect cleanerBlockedUntil(DataSource dataSource, CountDownLatch cleaning,
			CountDownLatch release) {
		return new H2Dialect(dataSource, SqlQueueMigrations.DEFAULT_TABLE_PREFIX) {
			@Override
			public int jobDeleteExpired(JobState state, Duration defaultRetention, int limit) {
				cleaning.countDown();
				boolean interrupted = false;
				while (true) {
					try {
						release.await();
						break;
					}
					catch (InterruptedException ex) {
						interrupted = true;
					}
				}
				if (interrupted) {
					Thread.currentThread().interrupt();
				}
				return 0;
			}
		};
	}

}
