package io.sqlqueue.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.JobState;
import io.sqlqueue.internal.maintenance.Maintenance;
import io.sqlqueue.internal.store.ClaimParams;
import io.sqlqueue.internal.store.JobStore;
import io.sqlqueue.testing.Internals;
import io.sqlqueue.worker.Retention;
import io.sqlqueue.testing.QueueFixture;
import io.sqlqueue.testing.TestDatabase;

/**
 * The maintenance tasks do not wait for each other: a retention cleanup that takes long (catching
 * up on a backlog of finished jobs) does not hold back the rescue of expired leases. Before, one
 * thread ran them all, and a soak whose cleaner never caught up starved its vacuum too. And a
 * statement under way when maintenance stops is waited for.
 */
class MaintenanceThreadsTests {

	@Test
	void aLongCleanupDoesNotHoldBackTheLeaseRescue() throws Exception {
		JdbcJobQueue queue = QueueFixture.fresh(TestDatabase.H2).queue();
		CountDownLatch cleaning = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		JobStore slowCleaner = cleanerBlockedUntil(Internals.store(queue), cleaning, release);
		long id = queue.enqueue("work", Map.of());
		assertThat(Internals.store(queue).jobGetAvailable(new ClaimParams("default", 1, Duration.ofMillis(200),
				"crashed-worker"))).hasSize(1);
		Maintenance maintenance = Internals.maintenance(slowCleaner, Duration.ofMillis(100), Duration.ofMillis(10),
				Retention.DEFAULT, null, 0);
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
		CountDownLatch cleaning = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		JobStore store = Internals.store(QueueFixture.fresh(TestDatabase.H2).queue());
		Maintenance maintenance = Internals.maintenance(cleanerBlockedUntil(store, cleaning, release), Duration.ofHours(1),
				Duration.ofMillis(10), Retention.DEFAULT, null, 0);
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
	 * A store whose retention cleanup counts {@code cleaning} down and then blocks until {@code release},
	 * heeding no interrupt meanwhile, as a JDBC statement waiting on its socket does.
	 */
	private static JobStore cleanerBlockedUntil(JobStore store, CountDownLatch cleaning, CountDownLatch release) {
		return Internals.replacing(store, "jobDeleteExpired", (args) -> {
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
		});
	}

}
